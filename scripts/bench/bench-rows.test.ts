import { describe, expect, it } from 'vitest';
import { decode } from '../../runtime/binary/decode.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { assembleWat } from '../../workloads/wat.ts';
import { nonZeroRuns, uniqueBytes } from './bench-rows.ts';

describe('bench rows', () => {
  it('makes the bytes of every v8 compile sample unique, with a custom section both decoders accept', async () => {
    const bytes = await assembleWat('t.wat', '(module (global (export "g") i32 (i32.const 5)))');
    const unique = uniqueBytes(bytes);
    unique.next();
    const first = unique.bytes.slice();
    unique.next();
    expect(unique.bytes).not.toEqual(first);
    expect(unique.bytes.subarray(0, bytes.length)).toEqual(bytes);
    const module = new v8Wasm.Module(unique.bytes);
    const sections = (v8Wasm.Module as unknown as { customSections(m: unknown, name: string): ArrayBuffer[] }).customSections(module, 'instlab-unique');
    expect(sections[0].byteLength).toBe(8);
    expect(decode(unique.bytes).customs.map((c) => c.name)).toContain('instlab-unique');
  });

  it('copies a memory as the runs of its non-zero bytes, split at long gaps of zeros', () => {
    const memory = new Uint8Array(20_000);
    memory[10] = 1;
    memory[100] = 2;
    memory[15_000] = 3;
    memory[15_001] = 4;
    const runs = nonZeroRuns(memory);
    expect(runs.map((r) => [r.offset, r.bytes.length])).toEqual([[10, 91], [15_000, 2]]);
    const copy = new Uint8Array(memory.length);
    for (const run of runs) copy.set(run.bytes, run.offset);
    expect(copy).toEqual(memory);
    expect(nonZeroRuns(new Uint8Array(64))).toEqual([]);
  });
});
