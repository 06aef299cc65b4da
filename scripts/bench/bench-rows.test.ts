import { describe, expect, it } from 'vitest';
import { decode } from '../../runtime/binary/decode.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { assembleWat } from '../../workloads/wat.ts';
import type { MemoryInst } from '../../runtime/instance/store.ts';
import { GcHeap } from '../../runtime/gc/heap.ts';
import { benchRows, nonZeroRuns, uniqueBytes } from './bench-rows.ts';

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

  it('gives v8 and the floor a fresh imported memory before each sample, which the sample writes the data into', async () => {
    const bytes = await assembleWat('t.wat', '(module (import "m" "mem" (memory 1)) (export "mem" (memory 0)) (data (i32.const 8) "hello"))');
    const { rows } = benchRows({ name: 't.wat', imports: { kind: 'stub-all' } }, bytes, ['cached']);
    const row = (strategy: string) => rows.find((r) => r.strategy === strategy && r.phase === 'instantiate')!;
    const hello = [...new TextEncoder().encode('hello')];
    const v8 = row('v8');
    const v8Memory = () => {
      v8.setup!();
      const memory = (v8.run() as { exports: Record<string, { buffer: ArrayBuffer }> }).exports.mem;
      expect([...new Uint8Array(memory.buffer, 8, 5)]).toEqual(hello);
      return memory;
    };
    expect(v8Memory()).not.toBe(v8Memory());
    const floor = row('floor');
    const floorMemory = () => {
      floor.setup!();
      const memory = (floor.run() as unknown[]).find((part) => (part as MemoryInst).kind === 'memory') as MemoryInst;
      expect([...memory.bytes.subarray(8, 13)]).toEqual(hello);
      expect(memory.bytes[7]).toBe(0);
      return memory;
    };
    expect(floorMemory()).not.toBe(floorMemory());
  });

  it('gives the floor of a GC module the GC objects its instantiation allocates, in a fresh heap each sample', async () => {
    const bytes = await assembleWat(
      't.wat',
      '(module (type $p (struct (field i32) (field (ref null $p)))) (global (ref $p) (struct.new $p (i32.const 1) (struct.new $p (i32.const 2) (ref.null $p)))) (global (ref $p) (struct.new_default $p)))',
    );
    const { rows } = benchRows({ name: 't.wat', imports: { kind: 'none' } }, bytes, ['cached']);
    const floor = rows.find((r) => r.strategy === 'floor')!;
    const heapOf = () => {
      floor.setup!();
      return (floor.run() as unknown[]).find((part) => part instanceof GcHeap) as GcHeap;
    };
    const first = heapOf();
    expect(first.stats().liveObjects).toBe(3);
    expect(heapOf()).not.toBe(first);
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
