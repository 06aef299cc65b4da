import { describe, expect, it, vi } from 'vitest';
import { decode } from '../../runtime/binary/decode.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { assembleWat } from '../../workloads/wat.ts';
import type { MemoryInst } from '../../runtime/instance/store.ts';
import { GcHeap } from '../../runtime/gc/heap.ts';
import type { Instance } from '../../runtime/instance/instance.ts';
import { PAGE_BYTES } from '../../runtime/instance/store.ts';
import { strategies } from '../../variants/registry.ts';
import { benchRows, nonZeroRuns, uniqueBytes, type BenchRow } from './bench-rows.ts';

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

describe('bench rows with a memory pool', () => {
  // Two pages, written at both ends of the span a pool zeroes on release.
  const WAT = '(module (memory (export "m") 2) (data (i32.const 8) "hello") (data (i32.const 70000) "far"))';
  const SPAN = 70003 - 8;
  const names = strategies.map((s) => s.name);
  const module = { name: 't.wat', imports: { kind: 'none' } } as const;
  const instantiateRow = (rows: readonly BenchRow[], strategy: string) => rows.find((r) => r.strategy === strategy && r.phase === 'instantiate')!;

  /** Runs a row's samples as the worker does (setup, then the timed call), keeping a copy of each memory given back to its pool. */
  function samplesOf(row: BenchRow, count: number): { given: Uint8Array[]; buffers: Uint8Array[] } {
    const pool = row.memoryPool!;
    const give = pool.give.bind(pool);
    const given: Uint8Array[] = [];
    const buffers: Uint8Array[] = [];
    const spy = vi.spyOn(pool, 'give').mockImplementation((memory) => {
      given.push(memory.bytes.slice());
      buffers.push(memory.bytes);
      return give(memory);
    });
    for (let i = 0; i < count; i++) {
      row.setup?.();
      row.run();
    }
    spy.mockRestore();
    return { given, buffers };
  }

  it('gives only the instantiate rows of ours and the floor a pool, and none without the option', async () => {
    const bytes = await assembleWat('t.wat', WAT);
    const pooled = benchRows(module, bytes, ['cached'], { memoryPool: true }).rows;
    expect(pooled.filter((r) => r.memoryPool !== undefined).map((r) => `${r.strategy} ${r.phase}`).sort()).toEqual(['cached instantiate', 'floor instantiate']);
    expect(new Set(pooled.map((r) => r.memoryPool).filter((p) => p !== undefined)).size).toBe(2);
    expect(benchRows(module, bytes, ['cached']).rows.every((r) => r.memoryPool === undefined)).toBe(true);
  });

  for (const strategy of names) {
    it(`releases each ${strategy} instance in its timed call, and the next sample reuses its memory, zeroed, in the state of a fresh one`, async () => {
      const bytes = await assembleWat('t.wat', WAT);
      const row = instantiateRow(benchRows(module, bytes, [strategy], { memoryPool: true }).rows, strategy);
      const fresh = instantiateRow(benchRows(module, bytes, [strategy]).rows, strategy);
      fresh.setup!();
      const freshBytes = ((fresh.run() as Instance).exports.get('m') as MemoryInst).bytes;
      const { given, buffers } = samplesOf(row, 3);
      expect(row.memoryPool!.stats()).toMatchObject({ hits: 2, misses: 1, bytesZeroed: 3 * SPAN, pooledBytes: 2 * PAGE_BYTES });
      expect(buffers[1]).toBe(buffers[0]);
      expect(buffers[2]).toBe(buffers[0]);
      // Each instance, as it was released, holds exactly what a fresh instantiation writes.
      for (const bytes of given) expect(bytes).toEqual(freshBytes);
      // What the pool holds for the next sample was zeroed inside the last timed call.
      expect(row.memoryPool!.take(2 * PAGE_BYTES)!.every((b) => b === 0)).toBe(true);
    });
  }

  it('makes the floor take its defined memory from its pool and give it back, zeroed where it wrote, in each timed call', async () => {
    const bytes = await assembleWat('t.wat', WAT);
    const floor = benchRows(module, bytes, ['cached'], { memoryPool: true }).rows.find((r) => r.strategy === 'floor')!;
    const freshFloor = benchRows(module, bytes, ['cached']).rows.find((r) => r.strategy === 'floor')!;
    const freshBytes = ((freshFloor.run() as unknown[]).find((part) => (part as MemoryInst).kind === 'memory') as MemoryInst).bytes;
    const { given, buffers } = samplesOf(floor, 3);
    expect(floor.memoryPool!.stats()).toMatchObject({ hits: 2, misses: 1, bytesZeroed: 3 * SPAN, pooledBytes: 2 * PAGE_BYTES });
    expect(buffers[2]).toBe(buffers[0]);
    for (const bytes of given) expect(bytes).toEqual(freshBytes);
    expect(floor.memoryPool!.take(2 * PAGE_BYTES)!.every((b) => b === 0)).toBe(true);
  });

  it('keeps the floor’s imported memories fresh and out of its pool', async () => {
    const bytes = await assembleWat('t.wat', '(module (import "m" "mem" (memory 1)) (data (i32.const 8) "hello"))');
    const floor = benchRows({ name: 't.wat', imports: { kind: 'stub-all' } }, bytes, ['cached'], { memoryPool: true }).rows.find((r) => r.strategy === 'floor')!;
    const memoryOf = () => {
      floor.setup!();
      return (floor.run() as unknown[]).find((part) => (part as MemoryInst).kind === 'memory') as MemoryInst;
    };
    const first = memoryOf();
    expect([...first.bytes.subarray(8, 13)]).toEqual([...new TextEncoder().encode('hello')]);
    expect(memoryOf()).not.toBe(first);
    expect(floor.memoryPool!.stats()).toMatchObject({ hits: 0, misses: 0, pooledBytes: 0 });
  });
});
