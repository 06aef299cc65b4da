// How much faster each strategy is than a control strategy, per workload, with the
// interval the regression gate would give: the control's rows are the "base" and each
// strategy's the "head" of one comparison. Every process of a bench run measures every
// row of a module, so the two sides are paired by process, as `check --against` pairs two
// revisions.
import { compareResults, DEFAULT_COMPARE } from '../compare/compare-results.ts';
import type { Phase, ResultRow, Results } from '../results-file.ts';

export interface StrategyRatio {
  readonly workload: string;
  readonly strategy: string;
  /** The control's time over the strategy's: above 1 the strategy is faster. */
  readonly speedup: number;
  readonly ci: readonly [number, number];
  /** `same` where the interval lies inside the ±5 % band or holds 1. */
  readonly verdict: 'faster' | 'slower' | 'same';
}

/**
 * The speed-up of every strategy and reference row over `control` on `workloads`, each
 * interval at `confidence` on its own (error bars, as papers draw them; the gate's
 * verdicts are family-wise).
 */
export function ratiosAgainst(
  results: Results,
  control: string,
  phase: Phase,
  workloads: readonly string[],
  confidence: number,
): StrategyRatio[] {
  const wanted = new Set(workloads);
  const rows = results.rows.filter((r) => r.phase === phase && wanted.has(r.workload));
  const controls = new Map(rows.filter((r) => r.strategy === control).map((r) => [r.workload, r]));
  const others = rows.filter((r) => r.strategy !== control && r.strategy !== 'floor' && controls.has(r.workload));
  // The control row stands in as the base of each strategy's row on the same workload.
  const baseRows: ResultRow[] = others.map((r) => ({ ...controls.get(r.workload)!, strategy: r.strategy }));
  const side = (s: 'base' | 'head', chosen: readonly ResultRow[]): Results => ({
    ...results,
    rows: chosen,
    config: { ...results.config, pairing: { id: 'strategies', side: s, revision: s, commit: null } },
  });
  const report = compareResults(side('base', baseRows), side('head', others), { base: control, head: 'strategy' }, { ...DEFAULT_COMPARE, confidence, pointwise: true });
  return report.rows.map((r) => ({
    workload: r.workload,
    strategy: r.strategy,
    speedup: 1 / r.ratio,
    ci: [1 / r.ci[1], 1 / r.ci[0]],
    verdict: r.verdict === 'improved' ? 'faster' : r.verdict === 'regressed' ? 'slower' : 'same',
  }));
}
