// `--inject-slowdown NAME=PCT`: strategy NAME's instantiations do PCT % more work, so a
// regression detector can be tested end to end on a change of known size. The extra work
// is real CPU work (a dependent integer loop the JIT cannot remove), not a sleep, and is
// sized per row and process from that row's own warm call time: PCT % of a 2 µs row and of
// a 2 ms row are both PCT %.
import { UsageError } from '../bad-input.ts';

export interface Slowdown {
  readonly strategy: string;
  /** Extra work, in percent of the row's warm call time. */
  readonly percent: number;
}

/** What one process injected into one row: the figures the unit count follows from. */
export interface Injection {
  readonly percent: number;
  /** The row's warm call time, measured before sampling. */
  readonly warmNs: number;
  /** Time of one unit of injected work, measured in the same process. */
  readonly unitNs: number;
  /** Units done per call: max(1, round(percent / 100 × warmNs / unitNs)). */
  readonly units: number;
}

export function parseSlowdown(text: string, strategies: readonly string[]): Slowdown {
  const match = /^([a-z][a-z0-9-]*)=(\d+(?:\.\d+)?)$/.exec(text);
  if (match === null) throw new UsageError(`--inject-slowdown must be NAME=PCT (e.g. cached=10), not ${text}`);
  const percent = Number(match[2]);
  if (!strategies.includes(match[1])) throw new UsageError(`--inject-slowdown ${text}: ${match[1]} is not a measured strategy (${strategies.join(', ')})`);
  if (!(percent > 0 && percent <= 1000)) throw new UsageError(`--inject-slowdown ${text}: PCT must be in (0, 1000]`);
  return { strategy: match[1], percent };
}

/** Units of work per call that add `percent` % to a call of `warmNs` (at least one: an injection never vanishes). */
export function injectionUnits(percent: number, warmNs: number, unitNs: number): number {
  return Math.max(1, Math.round(((percent / 100) * warmNs) / unitNs));
}

/**
 * Steps of the dependent loop in one unit: some 12 ns here, so that even 2 % of a 1 µs
 * row is a handful of units (16 steps cost 25–50 ns, and one unit was the least an
 * injection did).
 */
const UNIT_STEPS = 4;

let sink = 0;

/** Does `units` units of work; returns how many it did (a deterministic count tests can read). */
export function injectWork(units: number): number {
  let x = sink | 1;
  let done = 0;
  for (; done < units; done++) {
    for (let i = 0; i < UNIT_STEPS; i++) x = Math.imul(x ^ (x >>> 13), 0x5bd1e995) + i;
  }
  // Kept in a module variable so the loop has an observable result and is not removed.
  sink = x;
  return done;
}

/** The time of one unit, warm: the median of several timed batches. */
export function measureUnitNs(now: () => number = () => Number(process.hrtime.bigint())): number {
  const batch = 2000;
  injectWork(batch * 5);
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const start = now();
    injectWork(batch);
    times.push((now() - start) / batch);
  }
  times.sort((a, b) => a - b);
  return times[4];
}
