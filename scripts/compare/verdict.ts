// The verdict on one row's change HEAD/BASE, from its ratio's confidence interval and a
// practical threshold band [1/(1+t), 1+t] (criterion.rs's rule, with its "no change"
// split in two as sightglass's users asked for):
//   unchanged     the whole interval lies inside the band: any change is too small to matter;
//   regressed     the interval lies above 1 and reaches beyond the band;
//   improved      the interval lies below 1 and reaches beyond the band;
//   inconclusive  the interval holds 1 and reaches beyond the band: these data can neither
//                 show a change nor rule out one that matters (more samples or processes).

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive';

export interface RatioInterval {
  readonly ratio: number;
  readonly ci: readonly [number, number];
  /** The smallest relative change these data detect with 80 % power at the row's level. */
  readonly mde: number;
}

/** z for the power term of the detectable change: 80 % power. */
const POWER_Z = 0.8416212335729143;

/** The interval of exp(logRatio ± z·se): the bootstrap's standard error on the log scale, where a ratio's error is symmetric. */
export function ratioInterval(logRatio: number, standardError: number, z: number): RatioInterval {
  return {
    ratio: Math.exp(logRatio),
    ci: [Math.exp(logRatio - z * standardError), Math.exp(logRatio + z * standardError)],
    mde: Math.exp((z + POWER_Z) * standardError) - 1,
  };
}

export function verdictOf(ci: readonly [number, number], threshold: number): Verdict {
  const [lo, hi] = ci;
  if (lo >= 1 / (1 + threshold) && hi <= 1 + threshold) return 'unchanged';
  if (lo > 1) return 'regressed';
  if (hi < 1) return 'improved';
  return 'inconclusive';
}
