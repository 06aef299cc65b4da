import { describe, expect, it } from 'vitest';
import { judge } from './calibrate.ts';
import { syntheticResults, type SyntheticRow } from '../compare/test-kit.ts';

const rows = (shift: number): SyntheticRow[] => [
  ...Array.from({ length: 6 }, (_, i) => ({ workload: `w/${i}`, strategy: 'cached', median: 4000 + 500 * i, shift })),
  ...Array.from({ length: 6 }, (_, i) => ({ workload: `w/${i}`, strategy: 'raw', median: 9000 + 700 * i })),
];
const options = { processes: 12, samples: 100, withinSd: 0.05, betweenSd: 0.01, seed: 1 };

describe('calibration by resampling processes', () => {
  it('counts a false positive only on clean rows, and a detection only on injected ones', () => {
    const base = syntheticResults(rows(1), options);
    const slowed = syntheticResults(rows(1.5), { ...options, seed: 2 });
    const head = { ...slowed, config: { ...slowed.config, slowdowns: [{ strategy: 'cached', percent: 50 }] } };
    const mode = judge('baseline', base, head, 3, 40, 7, 0);
    expect(mode.falsePositiveRate).toBe(0);
    expect(mode.detection).toHaveLength(1);
    expect(mode.detection[0]).toMatchObject({ slowdown: 0.5, rate: 1, comparisons: 40 * 6 });
    expect(mode.detection[0].measured).toBeCloseTo(0.5, 1);
    expect(mode.rowsPerComparison).toBe(12);
  });

  it('misses what is below the noise, and says so in its rate', () => {
    const base = syntheticResults(rows(1), { ...options, betweenSd: 0.2 });
    const slowed = syntheticResults(rows(1.02), { ...options, betweenSd: 0.2, seed: 3 });
    const head = { ...slowed, config: { ...slowed.config, slowdowns: [{ strategy: 'cached', percent: 2 }] } };
    const mode = judge('baseline', base, head, 2, 40, 7, 0);
    expect(mode.detection[0].rate).toBeLessThan(0.2);
    expect(mode.falsePositiveRate).toBeLessThanOrEqual(0.05);
  });
});
