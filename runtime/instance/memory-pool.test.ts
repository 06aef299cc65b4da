// The memory pool: a released instance's memories serve the next instantiation of the
// same size, zeroed where they were written, so a pooled instance is indistinguishable
// from a fresh one under every strategy.
import { describe, expect, it } from 'vitest';
import { compile as assemble } from 'watr';
import { compile } from '../module/compile.ts';
import { describeInstance } from '../embedder/instance-state.ts';
import { instantiate } from './instantiate.ts';
import { MemoryPool, noteMemoryWrite } from './memory-pool.ts';
import { releaseInstance } from './release-instance.ts';
import { PAGE_BYTES, Store } from './store.ts';
import { strategies } from '../../variants/registry.ts';
import type { Strategy } from './initializer.ts';
import type { MemoryInst } from './store.ts';

// 3 pages is a plain buffer, 40 pages (2.5 MiB) a resizable one (store.ts).
const first = (pages: number) =>
  compile(assemble(`(module (memory (export "m") ${pages}) (data (i32.const 10) "first") (data (i32.const 70000) "far away"))`));
const second = (pages: number) => compile(assemble(`(module (memory (export "m") ${pages}) (data (i32.const 12) "2nd"))`));

function memoryOf(store: Store, compiled: ReturnType<typeof compile>, strategy: Strategy) {
  const instance = instantiate(store, compiled, () => undefined, { strategy });
  return { instance, memory: instance.exports.get('m') as MemoryInst };
}

describe('a memory pool', () => {
  it('is the only reason writes are tracked: a store without one leaves memories untracked', () => {
    const memory = new Store().createMemory({ addressType: 'i32', limits: { min: 1 }, shared: false });
    noteMemoryWrite(memory, 0, 10);
    expect(memory.written).toBeUndefined();
  });

  for (const strategy of strategies) {
    for (const pages of [3, 40]) {
      it(`gives the next instance of ${pages} pages a memory zeroed where the last one wrote (${strategy.name})`, () => {
        const pool = new MemoryPool();
        const store = new Store({ memoryPool: pool });
        const { instance, memory } = memoryOf(store, first(pages), strategy);
        const reused = memory.bytes;
        expect(memory.written).toEqual({ start: 10, end: 70008 });
        releaseInstance(instance);
        expect(memory.bytes).toHaveLength(0);
        const pooled = memoryOf(store, second(pages), strategy);
        expect(pooled.memory.bytes).toBe(reused);
        expect(pool.stats()).toMatchObject({ hits: 1, misses: 1, bytesZeroed: 70008 - 10 });
        const fresh = memoryOf(new Store(), second(pages), strategy);
        expect(describeInstance(pooled.instance)).toEqual(describeInstance(fresh.instance));
        expect(Array.from(pooled.memory.bytes.subarray(8, 18))).toEqual([0, 0, 0, 0, 0x32, 0x6e, 0x64, 0, 0, 0]);
      });
    }
  }

  it('zeroes what the host wrote and noted', () => {
    const pool = new MemoryPool();
    const store = new Store({ memoryPool: pool });
    const memory = store.createMemory({ addressType: 'i32', limits: { min: 1 }, shared: false });
    memory.bytes.fill(9, 100, 200);
    noteMemoryWrite(memory, 100, 200);
    const buffer = memory.bytes;
    expect(pool.give(memory)).toBe(true);
    const again = store.createMemory({ addressType: 'i32', limits: { min: 1 }, shared: false });
    expect(again.bytes).toBe(buffer);
    expect(pool.stats().hits).toBe(1);
    expect(again.bytes.every((b) => b === 0)).toBe(true);
    expect(pool.stats().bytesZeroed).toBe(100);
  });

  it('serves a memory only to the same size, and keeps at most its byte limit', () => {
    const pool = new MemoryPool({ maxBytes: 2 * PAGE_BYTES });
    const store = new Store({ memoryPool: pool });
    const one = store.createMemory({ addressType: 'i32', limits: { min: 1 }, shared: false });
    const two = store.createMemory({ addressType: 'i32', limits: { min: 2 }, shared: false });
    const three = store.createMemory({ addressType: 'i32', limits: { min: 1 }, shared: false });
    expect(pool.give(two)).toBe(true);
    expect(pool.give(one)).toBe(false);
    expect(pool.give(three)).toBe(false);
    expect(store.createMemory({ addressType: 'i32', limits: { min: 1 }, shared: false }).bytes).toHaveLength(PAGE_BYTES);
    expect(pool.stats()).toMatchObject({ hits: 0, misses: 4, pooledBytes: 2 * PAGE_BYTES });
    expect(store.createMemory({ addressType: 'i32', limits: { min: 2 }, shared: false }).bytes).toHaveLength(2 * PAGE_BYTES);
    expect(pool.stats()).toMatchObject({ hits: 1, pooledBytes: 0 });
  });

  it('takes back only the instance’s own memories, not an imported one', () => {
    const pool = new MemoryPool();
    const store = new Store({ memoryPool: pool });
    const host = store.createMemory({ addressType: 'i32', limits: { min: 1 }, shared: false });
    const compiled = compile(assemble('(module (import "m" "mem" (memory 1)) (data (i32.const 0) "x"))'));
    const instance = instantiate(store, compiled, () => host, { strategy: strategies[0] });
    releaseInstance(instance);
    expect(host.bytes[0]).toBe(0x78);
    expect(pool.stats().pooledBytes).toBe(0);
  });
});
