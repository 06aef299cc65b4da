import { describe, expect, it } from 'vitest';
import { medianConfidenceInterval, quantile, sortedNumbers, summarize, summarizeProcesses } from './statistics.ts';

describe('statistics', () => {
  it('sorts numerically, not as strings', () => {
    expect(sortedNumbers([10, 9, 100, 1])).toEqual([1, 9, 10, 100]);
  });

  it('interpolates quantiles between ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.1)).toBe(14);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('summarizes known samples', () => {
    const summary = summarize([5, 1, 3, 2, 4, 100]);
    expect(summary).toMatchObject({ n: 6, min: 1, max: 100, median: 3.5, mean: 115 / 6 });
    // |x - 3.5| = 1.5, 2.5, 0.5, 1.5, 0.5, 96.5 → sorted 0.5 0.5 1.5 1.5 2.5 96.5
    expect(summary.mad).toBe(1.5);
  });

  it('gives the order-statistic interval of the median', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    // ranks 50 ± 9.8 → indices 40 and 59 (values 41 and 60)
    expect(medianConfidenceInterval(hundred)).toEqual([41, 60]);
    expect(medianConfidenceInterval([3])).toEqual([3, 3]);
  });

  it('gives the coefficient of variation with the sample standard deviation', () => {
    // mean 5, sample variance ((−3)² + (−1)² + 1² + 3²) / 3 = 20/3
    expect(summarize([2, 4, 6, 8]).cv).toBeCloseTo(Math.sqrt(20 / 3) / 5, 12);
    expect(summarize([7, 7, 7]).cv).toBe(0);
  });

  it('widens a row\'s interval to cover every process median', () => {
    const tight = Array.from({ length: 50 }, (_, i) => 100 + (i % 5));
    const shifted = tight.map((v) => v + 50);
    const summary = summarizeProcesses([tight, shifted]);
    expect(summary.processMedians).toEqual([102, 152]);
    expect(summary.interval[0]).toBeLessThanOrEqual(102);
    expect(summary.interval[1]).toBeGreaterThanOrEqual(152);
    expect(summary.n).toBe(100);
  });
});
