// Change points in a series of runs by E-divisive means (Matteson & James 2014, the
// detector behind MongoDB's and Apache Otava's performance CI), with α = 1: the split
// τ of a segment that maximizes the scaled energy distance between its two sides,
//   Q(τ) = m·k/(m+k) · [ 2/(m·k)·Σ|xᵢ−yⱼ| − Σ_{i<j}|xᵢ−xⱼ|/C(m,2) − Σ_{i<j}|yᵢ−yⱼ|/C(k,2) ],
// kept when a permutation test finds so large a Q unlikely under no change (p below the
// significance level), then searched again on each side (bisection). Distribution-free:
// it finds a step in the middle of the series whatever the noise's shape.
import { SeededRandom } from '../../runtime/random/seeded-random.ts';

export interface ChangePoint {
  /** The first index after the change. */
  readonly index: number;
  readonly pValue: number;
  /** Means of the segments on either side (between the neighbouring change points). */
  readonly before: number;
  readonly after: number;
}

export interface DetectorOptions {
  readonly significance: number;
  /** Upper bound on permutations per test (fewer when the answer is already clear). */
  readonly permutations: number;
  /** Fewest points on either side of a change. */
  readonly minSize: number;
  readonly seed: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = { significance: 0.01, permutations: 999, minSize: 3, seed: 1 };

/** Best split of `values` and its Q, or undefined when the segment is too short to split. */
export function bestSplit(values: readonly number[], minSize: number): { tau: number; q: number } | undefined {
  const n = values.length;
  if (n < 2 * minSize) return undefined;
  // prefix[i][j] = Σ_{a<i, b<j} |values[a] − values[b]|: any block of the distance matrix in O(1).
  const w = n + 1;
  const prefix = new Float64Array(w * w);
  for (let i = 1; i <= n; i++) {
    let row = 0;
    for (let j = 1; j <= n; j++) {
      row += Math.abs(values[i - 1] - values[j - 1]);
      prefix[i * w + j] = prefix[(i - 1) * w + j] + row;
    }
  }
  const block = (a: number, b: number, c: number, d: number) => prefix[b * w + d] - prefix[a * w + d] - prefix[b * w + c] + prefix[a * w + c];
  let best: { tau: number; q: number } | undefined;
  for (let tau = minSize; tau <= n - minSize; tau++) {
    const m = tau;
    const k = n - tau;
    const between = block(0, tau, tau, n);
    const left = block(0, tau, 0, tau) / 2;
    const right = block(tau, n, tau, n) / 2;
    const energy = (2 * between) / (m * k) - left / ((m * (m - 1)) / 2) - right / ((k * (k - 1)) / 2);
    const q = ((m * k) / (m + k)) * energy;
    if (best === undefined || q > best.q) best = { tau, q };
  }
  return best;
}

/** Change points of `values`, in increasing index order. */
export function changePoints(values: readonly number[], options: DetectorOptions = DEFAULT_DETECTOR): ChangePoint[] {
  const random = new SeededRandom(options.seed);
  const found: { index: number; pValue: number }[] = [];
  const search = (start: number, end: number) => {
    const segment = values.slice(start, end);
    const split = bestSplit(segment, options.minSize);
    if (split === undefined || split.q <= 0) return;
    const pValue = permutationP(segment, split.q, options, random);
    if (pValue >= options.significance) return;
    found.push({ index: start + split.tau, pValue });
    search(start, start + split.tau);
    search(start + split.tau, end);
  };
  search(0, values.length);
  found.sort((a, b) => a.index - b.index);
  const bounds = [0, ...found.map((f) => f.index), values.length];
  const mean = (a: number, b: number) => values.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
  return found.map((f, i) => ({ ...f, before: mean(bounds[i], bounds[i + 1]), after: mean(bounds[i + 1], bounds[i + 2]) }));
}

/**
 * The permutation p-value (r + 1)/(R + 1) of the best split's Q: how often a shuffled
 * series splits at least as well. It stops early once the count of such shuffles shows
 * that p will not fall below the level, so an unchanged row costs a few dozen shuffles.
 */
function permutationP(segment: readonly number[], q: number, options: DetectorOptions, random: SeededRandom): number {
  const limit = Math.ceil(options.significance * (options.permutations + 1));
  let atLeast = 0;
  let r = 0;
  for (; r < options.permutations; r++) {
    const shuffled = random.shuffle(segment);
    if ((bestSplit(shuffled, options.minSize)?.q ?? -Infinity) >= q) atLeast++;
    if (atLeast >= limit) return (atLeast + 1) / (r + 2);
  }
  return (atLeast + 1) / (r + 1);
}
