// How much a row's statistic moves from one measuring process to the next, which the
// gate must not underrate: a check has two or three processes per side, and two process
// medians that happen to agree say little about the next two. Each row's between-process
// variance of log medians (or, paired, of log per-process ratios) is therefore moderated
// toward the typical variance of its group (same phase, same side, every row of the
// comparison), as limma does for genes measured a few times each (Smyth 2004):
//   s²_mod = (ν·s² + ν₀·s₀²) / (ν + ν₀),  with ν + ν₀ degrees of freedom,
// where ν = processes − 1 and the prior s₀² is the median of the group's variances over
// the χ²_ν median ratio (a median, so that one wild row does not set every row's width).
import { chiSquareMedianRatio } from './distributions.ts';

/** How many rows' worth of trust the group's variance gets in each row. */
export const PRIOR_DF = 4;

export interface ModeratedVariance {
  readonly variance: number;
  readonly df: number;
}

/** Sample variance of `values` (n − 1 in the denominator), or undefined for fewer than two. */
export function sampleVariance(values: readonly number[]): number | undefined {
  if (values.length < 2) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
}

/** The group's prior s₀²: the median row variance, scaled up from a median of χ²_ν/ν to a mean. */
export function priorVariance(rows: readonly (readonly number[])[]): number | undefined {
  const variances: { v: number; df: number }[] = [];
  for (const values of rows) {
    const v = sampleVariance(values);
    if (v !== undefined) variances.push({ v, df: values.length - 1 });
  }
  if (variances.length === 0) return undefined;
  variances.sort((a, b) => a.v - b.v);
  const middle = variances[variances.length >> 1];
  return middle.v / chiSquareMedianRatio(middle.df);
}

export function moderate(values: readonly number[], prior: number | undefined): ModeratedVariance | undefined {
  const own = sampleVariance(values);
  const df = values.length - 1;
  if (prior === undefined) return own === undefined ? undefined : { variance: own, df };
  if (own === undefined) return { variance: prior, df: PRIOR_DF };
  return { variance: (df * own + PRIOR_DF * prior) / (df + PRIOR_DF), df: df + PRIOR_DF };
}
