import { describe, expect, it } from 'vitest';
import { expectedCostMs, parseShard, shardModules } from './bench-modules.ts';
import { processSeed } from './bench.ts';

const modules = [
  { name: 'a', cost: 100 },
  { name: 'b', cost: 10 },
  { name: 'c', cost: 60 },
  { name: 'd', cost: 50 },
  { name: 'e', cost: 1 },
];
const cost = (m: { cost: number }) => m.cost;

describe('bench shards', () => {
  it('partitions the matrix: every module in exactly one shard, the same on every call', () => {
    const shards = [1, 2, 3].map((index) => shardModules(modules, cost, { index, count: 3 }).map((m) => m.name));
    expect(shards.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([1, 2, 3].map((index) => shardModules(modules, cost, { index, count: 3 }).map((m) => m.name))).toEqual(shards);
  });

  it('balances by expected cost, not by count', () => {
    const [one, two] = [1, 2].map((index) => shardModules(modules, cost, { index, count: 2 }));
    // Longest first, each to the lighter shard: a → 1, c → 2, d → 2 (60 < 100), b → 1
    // (100 < 110), e → 1 (a tie goes to the lower shard): 111 against 110.
    expect(one.map((m) => m.name)).toEqual(['a', 'b', 'e']);
    expect(two.map((m) => m.name)).toEqual(['c', 'd']);
  });

  it('expects a large module to cost more than a small one with the same rows', () => {
    expect(expectedCostMs(14_000_000, 13, 20, 13)).toBeGreaterThan(10 * expectedCostMs(1000, 13, 20, 13));
    expect(expectedCostMs(1000, 13, 20, 13)).toBe(13 * 25);
  });

  it('reads I/N and refuses anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const text of ['0/3', '4/3', '1/0', '1-3', '1/3.5', ' 1/3']) expect(() => parseShard(text)).toThrow(/--shard/);
  });

  it('gives each process its own seed, the same for the same run seed', () => {
    const seeds = [0, 1, 2, 3].map((p) => processSeed(7, p));
    expect(new Set(seeds).size).toBe(4);
    expect([0, 1, 2, 3].map((p) => processSeed(7, p))).toEqual(seeds);
    expect(processSeed(8, 0)).not.toBe(seeds[0]);
  });
});
