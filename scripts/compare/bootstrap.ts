// A seeded hierarchical bootstrap of one row's ratio HEAD/BASE: resample the measuring
// processes with replacement, then each chosen process's samples with replacement, and
// take the row's statistic (the mean of its processes' medians) on each side. Processes
// differ more than samples within one do (each has its own JIT, heap and placement
// history), and resampling only pooled samples would hide that.
//
// The inner resampling is done exactly but cheaply: the median of n samples drawn with
// replacement from a sorted sample x is always one of the x[k], and its rank follows
// P(rank ≤ k) = P(Binomial(n, (k+1)/n) ≥ m) for the m-th smallest. Drawing that rank
// replaces drawing and sorting n values, so a replicate costs O(processes · log n).
import { binomialUpperTail } from './distributions.ts';
import { quantile, sortedNumbers } from '../statistics.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';

/** One process's samples, ready for drawing medians of resamples. */
export class ResampledMedian {
  readonly sorted: readonly number[];
  readonly median: number;
  /** Ranks below `first` are never drawn (probability below 1e-12); `cdf[i]` is P(rank ≤ first + i). */
  private readonly first: number;
  private readonly cdf: Float64Array;

  constructor(samples: readonly number[]) {
    if (samples.length === 0) throw new RangeError('a process without samples');
    this.sorted = sortedNumbers(samples);
    this.median = quantile(this.sorted, 0.5);
    const n = this.sorted.length;
    const m = (n >> 1) + 1; // the upper median's order: the m-th smallest
    const at = (k: number) => binomialUpperTail(m, n, (k + 1) / n);
    let first = m - 1;
    while (first > 0 && at(first - 1) > 1e-12) first--;
    let last = m - 1;
    while (last < n - 1 && at(last) < 1 - 1e-12) last++;
    this.first = first;
    this.cdf = new Float64Array(last - first + 1);
    for (let k = first; k <= last; k++) this.cdf[k - first] = k === n - 1 ? 1 : at(k);
    this.cdf[this.cdf.length - 1] = 1;
  }

  /** The median of one resample of this process's samples. */
  draw(random: SeededRandom): number {
    const u = random.u32() / 4294967296;
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return this.sorted[this.first + lo];
  }
}

/** A row's statistic on one side: the mean of its processes' medians. */
export function rowStatistic(processes: readonly ResampledMedian[]): number {
  return processes.reduce((sum, p) => sum + p.median, 0) / processes.length;
}

export interface BootstrapResult {
  /** ln(head / base) of the statistics of the data as measured. */
  readonly logRatio: number;
  /** Standard deviation of ln(ratio) over the replicates. */
  readonly standardError: number;
}

/**
 * Independent sides (two separate runs): every replicate resamples the processes of each
 * side on its own. Paired sides (both measured in the same processes, index p of one
 * beside index p of the other) resample process indices once for both, and the
 * statistic is the geometric mean of the per-process ratios, so whatever a process's
 * machine state did to both sides cancels.
 */
export function bootstrapRatio(
  base: readonly ResampledMedian[],
  head: readonly ResampledMedian[],
  paired: boolean,
  replicates: number,
  random: SeededRandom,
): BootstrapResult {
  if (paired && base.length !== head.length) throw new RangeError('paired sides need the same processes');
  const logRatio = paired ? meanLogRatio(base, head) : Math.log(rowStatistic(head) / rowStatistic(base));
  let sum = 0;
  let sumSquares = 0;
  for (let r = 0; r < replicates; r++) {
    let value: number;
    if (paired) {
      let total = 0;
      for (let i = 0; i < base.length; i++) {
        const p = random.int(base.length);
        total += Math.log(head[p].draw(random) / base[p].draw(random));
      }
      value = total / base.length;
    } else {
      value = Math.log(resampledStatistic(head, random) / resampledStatistic(base, random));
    }
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / replicates;
  const variance = Math.max(0, (sumSquares - replicates * mean * mean) / (replicates - 1));
  return { logRatio, standardError: Math.sqrt(variance) };
}

function resampledStatistic(processes: readonly ResampledMedian[], random: SeededRandom): number {
  let total = 0;
  for (let i = 0; i < processes.length; i++) total += processes[random.int(processes.length)].draw(random);
  return total / processes.length;
}

function meanLogRatio(base: readonly ResampledMedian[], head: readonly ResampledMedian[]): number {
  let total = 0;
  for (let p = 0; p < base.length; p++) total += Math.log(head[p].median / base[p].median);
  return total / base.length;
}
