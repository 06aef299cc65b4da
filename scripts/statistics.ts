// Summary statistics of timing samples. Sorting is numeric (a lexicographic `sort()` on
// numbers is a classic benchmark-tool bug), and the median's confidence interval comes
// from order statistics, which assume nothing about the distribution's shape.

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  /** 95% confidence interval of the median. */
  readonly medianCi95: readonly [number, number];
  /** Median absolute deviation from the median. */
  readonly mad: number;
  /** Coefficient of variation: standard deviation over mean. */
  readonly cv: number;
}

export function sortedNumbers(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The median of unsorted values (type 7: the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  return quantile(sortedNumbers(values), 0.5);
}

/** Linear interpolation between closest ranks (the common "type 7" definition). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no samples');
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/**
 * The distribution-free 95% interval of the median: the ranks n/2 ± 1.96·√n/2 (normal
 * approximation of the binomial), clamped to the sample.
 */
export function medianConfidenceInterval(sorted: readonly number[]): [number, number] {
  const n = sorted.length;
  const half = (1.96 * Math.sqrt(n)) / 2;
  const lower = Math.max(0, Math.floor(n / 2 - half));
  const upper = Math.min(n - 1, Math.ceil(n / 2 + half) - 1);
  return [sorted[lower], sorted[Math.max(lower, upper)]];
}

export function summarize(values: readonly number[]): Summary {
  const sorted = sortedNumbers(values);
  const median = quantile(sorted, 0.5);
  const deviations = sortedNumbers(sorted.map((v) => Math.abs(v - median)));
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  const variance = sorted.length < 2 ? 0 : sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (sorted.length - 1);
  return {
    n: sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean,
    median,
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    medianCi95: medianConfidenceInterval(sorted),
    mad: quantile(deviations, 0.5),
    cv: mean === 0 ? 0 : Math.sqrt(variance) / mean,
  };
}

/**
 * The summary of a row measured in several processes. Its `interval` is the pooled
 * median's 95% interval widened to cover the median of every process: pooled samples
 * alone hide how much one process differs from the next (each has its own JIT and heap
 * history), and with a handful of processes their range is the plainest honest bound.
 */
export function summarizeProcesses(samples: readonly (readonly number[])[]): Summary & {
  processMedians: number[];
  interval: [number, number];
} {
  const pooled = summarize(samples.flat());
  const processMedians = samples.map((s) => quantile(sortedNumbers(s), 0.5));
  const interval: [number, number] = [
    Math.min(pooled.medianCi95[0], ...processMedians),
    Math.max(pooled.medianCi95[1], ...processMedians),
  ];
  return { ...pooled, processMedians, interval };
}
