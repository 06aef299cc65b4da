import { describe, expect, it } from 'vitest';
import {
  binomialUpperTail,
  chiSquareMedianRatio,
  incompleteBeta,
  logGamma,
  normalQuantileUpper,
  normalUpperTail,
  studentQuantileUpper,
  studentUpperTail,
} from './distributions.ts';
import { ResampledMedian } from './bootstrap.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';

describe('distribution functions', () => {
  it('gives the normal tail and its quantiles (published values)', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalQuantileUpper(0.005)).toBeCloseTo(2.575829, 4);
    expect(normalQuantileUpper(0.05)).toBeCloseTo(1.644854, 4);
    // Far in the tail, where a Bonferroni level over hundreds of rows lands.
    expect(normalQuantileUpper(0.01 / 800 / 2)).toBeCloseTo(4.3702, 2);
  });

  it('gives ln Γ of integers and halves', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 8);
  });

  it('gives the incomplete beta function and the binomial tail it is', () => {
    expect(incompleteBeta(0.5, 3, 3)).toBeCloseTo(0.5, 12);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    // P(X ≥ k) for X ~ Binomial(n, p), against the sum of the probability mass.
    for (const [n, p] of [[10, 0.3], [25, 0.5], [7, 0.9]] as const) {
      for (let k = 0; k <= n + 1; k++) {
        let direct = 0;
        for (let j = k; j <= n; j++) direct += Math.exp(logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1)) * p ** j * (1 - p) ** (n - j);
        expect(binomialUpperTail(k, n, p)).toBeCloseTo(direct, 10);
      }
    }
  });

  it("gives Student's t tail and quantiles (published values)", () => {
    expect(studentUpperTail(0, 3)).toBeCloseTo(0.5, 12);
    // t(1) is Cauchy: P(T > 1) = 1/4.
    expect(studentUpperTail(1, 1)).toBeCloseTo(0.25, 10);
    expect(studentQuantileUpper(0.025, 5)).toBeCloseTo(2.570582, 4);
    expect(studentQuantileUpper(0.005, 10)).toBeCloseTo(3.169273, 4);
    expect(studentQuantileUpper(0.005, 1e7)).toBeCloseTo(2.575829, 4);
  });

  it('gives the median of χ²/df', () => {
    expect(chiSquareMedianRatio(1)).toBeCloseTo(0.4549, 4);
    // Wilson–Hilferty above three degrees of freedom: within 0.2 % of the tabulated 9.341818.
    expect(chiSquareMedianRatio(10)).toBeCloseTo(9.341818 / 10, 2);
  });
});

describe('the median of a resample, drawn from its rank distribution', () => {
  it('matches resampling by brute force', () => {
    const random = new SeededRandom(3);
    const samples = Array.from({ length: 41 }, () => 1000 + random.int(1000));
    const drawn = new ResampledMedian(samples);
    const sorted = [...samples].sort((a, b) => a - b);
    const fast: number[] = [];
    const slow: number[] = [];
    for (let i = 0; i < 4000; i++) {
      fast.push(drawn.draw(random));
      const resample = Array.from({ length: samples.length }, () => sorted[random.int(sorted.length)]).sort((a, b) => a - b);
      slow.push(resample[samples.length >> 1]);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    // 4,000 draws each: the means agree within a few standard errors, the spreads within 10 %.
    expect(Math.abs(mean(fast) - mean(slow))).toBeLessThan(4 * (sd(slow) / Math.sqrt(4000)) * Math.SQRT2);
    expect(sd(fast) / sd(slow)).toBeGreaterThan(0.9);
    expect(sd(fast) / sd(slow)).toBeLessThan(1.1);
    // Every draw is one of the samples.
    expect(fast.every((v) => samples.includes(v))).toBe(true);
  });

  it('always draws the only value of a constant process', () => {
    const drawn = new ResampledMedian([7, 7, 7, 7]);
    const random = new SeededRandom(1);
    expect(new Set(Array.from({ length: 100 }, () => drawn.draw(random)))).toEqual(new Set([7]));
  });
});
