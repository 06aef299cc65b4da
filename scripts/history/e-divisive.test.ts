import { describe, expect, it } from 'vitest';
import { bestSplit, changePoints } from './e-divisive.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';

function noise(n: number, seed: number, sd = 0.02): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => sd * ((random.u32() / 4294967296) * 2 - 1) * Math.sqrt(3));
}

describe('E-divisive means', () => {
  it('splits a clean step where it is', () => {
    const values = [...Array(10).fill(1), ...Array(8).fill(2)];
    expect(bestSplit(values, 3)?.tau).toBe(10);
  });

  it('finds a 10 % step in noisy log times, at its run, and nothing else', () => {
    const values = noise(40, 1).map((v, i) => v + (i >= 25 ? Math.log(1.1) : 0));
    const found = changePoints(values);
    expect(found.map((c) => c.index)).toEqual([25]);
    expect(Math.exp(found[0].after - found[0].before)).toBeCloseTo(1.1, 1);
    expect(found[0].pValue).toBeLessThan(0.01);
  });

  it('finds two steps', () => {
    const values = noise(45, 2).map((v, i) => v + (i >= 15 ? 0.2 : 0) - (i >= 30 ? 0.4 : 0));
    expect(changePoints(values).map((c) => c.index)).toEqual([15, 30]);
  });

  it('finds no change in noise alone', () => {
    for (const seed of [3, 4, 5]) expect(changePoints(noise(40, seed))).toEqual([]);
  });

  it('is reproducible for its seed', () => {
    const values = noise(30, 6).map((v, i) => v + (i >= 12 ? 0.05 : 0));
    expect(changePoints(values)).toEqual(changePoints(values));
  });
});
