// Warming a row up until its time per call has settled, and sizing an injected slowdown
// in that settled state. V8 optimizes a hot function on a background thread and installs
// the code when it is ready: a row of 25 µs calls was seen to drop to 6 µs only after some
// hundred calls past a fixed warm-up, so that some processes sampled both tiers and their
// medians landed anywhere between. Rounds of calls are therefore repeated until the
// round's median stops falling, and only then does sampling (and the size of an injected
// slowdown, a share of the settled time) start.
import type { BenchRow } from './bench-rows.ts';
import { injectionUnits, injectWork, type Injection } from './slowdown.ts';
import { median } from '../statistics.ts';

/** V8's collector, exposed by `--expose-gc` in the measuring processes (absent elsewhere). */
export const gc = (globalThis as { gc?: () => void }).gc;

export interface WarmSide {
  readonly row: BenchRow;
  readonly run: () => unknown;
}

/** A round whose median is within this share of the best round's does not count as faster. */
const SETTLED = 0.03;
/** Rounds in a row without getting faster before a side counts as settled. */
const SETTLED_ROUNDS = 2;
const MAX_ROUNDS = 40;

function timeCall(side: WarmSide): number {
  side.row.setup?.();
  const start = performance.now();
  side.run();
  return performance.now() - start;
}

function roundMedian(side: WarmSide, calls: number): number {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) times.push(timeCall(side));
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/**
 * Warms up every side (in alternating rounds, so that they settle under the same
 * conditions) until none got faster for two rounds, or `limitMs` of calls are spent
 * (one sampling budget; `--quick` over every workload took 3 min 48 s with three, and
 * 4 min 15 s with one in the next run, when most of its time went to collections).
 * Returns each side's settled time per call in milliseconds.
 */
export function warmUp(sides: readonly WarmSide[], budgetMs: number, limitMs: number = budgetMs): number[] {
  // The first call pays one-time work (a strategy's per-module preparation, first JIT).
  const first = sides.map((side) => Math.max(timeCall(side), 0.0005));
  // A round is about a twentieth of the budget, and at least 3 calls.
  const calls = first.map((ms) => Math.round(Math.min(200, Math.max(3, budgetMs / 20 / ms))));
  const best = sides.map(() => Infinity);
  const calm = sides.map(() => 0);
  const last = sides.map(() => Infinity);
  let spent = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    for (let s = 0; s < sides.length; s++) {
      const start = performance.now();
      const median = roundMedian(sides[s], calls[s]);
      spent += performance.now() - start;
      last[s] = median;
      if (median < best[s] * (1 - SETTLED)) calm[s] = 0;
      else calm[s]++;
      best[s] = Math.min(best[s], median);
    }
    if (calm.every((c) => c >= SETTLED_ROUNDS) || spent >= limitMs) break;
  }
  return last.map((ms) => Math.max(ms, 0.0005));
}

/**
 * The row with `percent` % of work added to each call, sized in place: after a
 * collection, as sampling starts, calls of the row are each followed by a probe of work
 * about as long as the row, and the two parts are timed apart. The row's part gives its
 * warm time; the probe's, what a unit costs right after the row's code ran, which is what
 * the slowdown will cost. A unit timed alone cost 0.3–3× that here (long batches run
 * faster, single short calls slower); and the difference of two medians, with and without
 * the probe, which this replaced, drowned in the row's own noise: on a 250 µs row it put
 * a unit at 17–89 ns across six processes, whose paired ratios then came out at 0.68–2.35
 * for a requested 1.30 (one check, with a fuzz run beside it).
 */
export function injectInto(side: WarmSide, percent: number, unitNs: number): SizedInjection {
  gc?.();
  side.row.setup?.();
  side.run();
  const measured = side.run;
  const first = roundMedian(side, 15) * 1e6;
  // About the row's own time: long enough for the timer, short enough to keep caches as the row leaves them.
  const probe = injectionUnits(100, first, unitNs);
  const plain: number[] = [];
  const perUnit: number[] = [];
  const calls = Math.round(Math.min(255, Math.max(31, 5 / (first / 1e6))));
  const timer = timerCost();
  for (let i = 0; i < calls; i++) {
    side.row.setup?.();
    const start = performance.now();
    measured();
    const between = performance.now();
    injectWork(probe);
    const end = performance.now();
    plain.push(between - start - timer);
    perUnit.push((end - between - timer) / probe);
  }
  const warmNs = Math.max(median(plain) * 1e6, MIN_NS);
  return new SizedInjection(measured, percent, warmNs, Math.max(median(perUnit) * 1e6, MIN_NS), timer);
}

/** No time measured here is taken as less than this: with the timer's cost taken out, its jitter can leave a tiny part near zero or below. */
const MIN_NS = 0.5;

/** What one `performance.now()` reading adds to an interval, in ms: the median of back-to-back pairs. */
function timerCost(): number {
  const gaps: number[] = [];
  for (let i = 0; i < 63; i++) {
    const a = performance.now();
    gaps.push(performance.now() - a);
  }
  return median(gaps);
}

/**
 * One call in this many (a power of two) times its injected part. Timing every call put
 * two timer readings (some 37 ns each here) into every sample beside the work asked for:
 * a 2 % injection into rows of 1.6–2.5 µs then came out at +11–14 % (paired quick
 * calibration, seed 20261204).
 */
const TIMED_EVERY = 8;

/**
 * An injection whose size follows the row's uninjected time as sampling measures it, and
 * the cost of its own work as the calls meet it. The time at sizing can be far from the
 * time sampled: in one paired check, six rows of `compiled` and `cached` were sized at
 * 5–7× the median their base side then sampled (the row was still in a slower tier), and
 * got 5–7× the work asked for. And a unit's cost moves with the machine: beside two fuzz
 * runs, sizing put it at 25–243 ns in the processes of one check, which then injected as
 * little as a tenth of what was asked. So calls time their own injected part, and
 * `resize`, called between batches with the best estimate of the uninjected time, sizes
 * the next batch by what a unit cost in this one.
 *
 * Only one call in `TIMED_EVERY` is timed, and the timer's own cost is taken out of what
 * it measures, so that the injected part is the work and (nearly) nothing else.
 */
export class SizedInjection {
  private units: number;
  private warmNs: number;
  private unitNs: number;
  private readonly percent: number;
  /** Per-unit cost of the timed calls' injected part since the last resize, in ms. */
  private readonly costs = new Float64Array(4096);
  private counted = 0;
  private calls = 0;
  /** The row's call and then its injected work; returns the units done (a count tests can read). */
  readonly run: () => number;

  constructor(measured: () => unknown, percent: number, warmNs: number, unitNs: number, timerMs: number) {
    this.percent = percent;
    this.warmNs = warmNs;
    this.unitNs = unitNs;
    this.units = injectionUnits(percent, warmNs, unitNs);
    this.run = () => {
      measured();
      if ((++this.calls & (TIMED_EVERY - 1)) !== 0) return injectWork(this.units);
      const start = performance.now();
      const done = injectWork(this.units);
      const cost = (performance.now() - start - timerMs) / this.units;
      if (this.counted < this.costs.length) this.costs[this.counted++] = cost;
      return done;
    };
  }

  /** Work per call now, in nanoseconds (what a sample of the injected row holds beside the row). */
  get addedNs(): number {
    return this.units * this.unitNs;
  }

  resize(uninjectedNs: number): void {
    if (this.counted > 0) {
      this.unitNs = Math.max(median(Array.from(this.costs.subarray(0, this.counted))) * 1e6, MIN_NS);
      this.counted = 0;
    }
    if (!(uninjectedNs > 0)) return;
    this.warmNs = uninjectedNs;
    this.units = injectionUnits(this.percent, uninjectedNs, this.unitNs);
  }

  get injection(): Injection {
    return { percent: this.percent, warmNs: this.warmNs, unitNs: this.unitNs, units: this.units };
  }
}
