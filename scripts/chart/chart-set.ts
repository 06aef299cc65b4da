// Which charts a run gets, as named vega-lite specs: the speed-up, scaling, distribution
// and counters charts from the run itself, the compare chart with a base, the history
// chart with a series of runs. The workloads the distribution and counters charts focus
// on are the caller's, or chosen by a rule that names them in the report.
import type { TopLevelSpec } from 'vega-lite';
import type { CompareReport } from '../compare/compare-results.ts';
import type { HistoryReport } from '../history/history.ts';
import type { Results } from '../results-file.ts';
import { compareChart } from './compare-chart.ts';
import { countersChart } from './counters-chart.ts';
import { distributionChart } from './distribution-chart.ts';
import { historyChart } from './history-chart.ts';
import { scalingChart } from './scaling-chart.ts';
import { speedupChart } from './speedup-chart.ts';
import { itemCount } from './workload-scale.ts';

export interface NamedChart {
  /** File stem: `speedup` → speedup.svg, speedup.png, speedup.vl.json. */
  readonly name: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

export interface ChartInputs {
  readonly run: Results;
  readonly control: string;
  readonly focus: readonly string[];
  readonly compare?: CompareReport;
  readonly history?: HistoryReport;
}

export function chartSet(inputs: ChartInputs): NamedChart[] {
  const { run, control, focus } = inputs;
  const charts: NamedChart[] = [];
  const measured = new Set(run.rows.map((r) => r.strategy));
  if (measured.has(control) && measured.size > 1) charts.push({ name: 'speedup', title: `Speed-up over ${control}`, spec: speedupChart(run, control) });
  if (run.config.workloads.some((w) => itemCount(w) !== undefined)) charts.push({ name: 'scaling', title: 'Scaling with N', spec: scalingChart(run) });
  charts.push({ name: 'distribution', title: 'Samples by process', spec: distributionChart(run, focus) });
  if (focus.some((w) => run.counters[w] !== undefined)) charts.push({ name: 'counters', title: 'Operation counters', spec: countersChart(run, focus) });
  if (inputs.compare !== undefined) charts.push({ name: 'compare', title: 'Change per row', spec: compareChart(inputs.compare) });
  if (inputs.history !== undefined) charts.push({ name: 'history', title: 'History', spec: historyChart(inputs.history) });
  return charts;
}

export const FOCUS_RULE = 'the largest N of the first generated family, the workload with the noisiest strategy rows, the first real-world module';

/**
 * Without `--workload`: the largest N of the run's first generated family (the common
 * case), the workload whose strategy rows are noisiest (the one a reader needs to see),
 * and the run's first real-world module.
 */
export function defaultFocus(run: Results): string[] {
  const workloads = run.config.workloads;
  const firstFamily = workloads.find((w) => itemCount(w) !== undefined);
  const family = firstFamily?.replace(/\/\d+$/, '');
  const largest = family === undefined ? undefined : workloads.filter((w) => w.startsWith(`${family}/`)).reduce((a, b) => (itemCount(b)! > itemCount(a)! ? b : a));
  const width = (w: string) =>
    Math.max(0, ...run.rows.filter((r) => r.workload === w && r.phase === 'instantiate' && r.strategy !== 'v8' && r.strategy !== 'floor').map((r) => (r.summary.interval[1] - r.summary.interval[0]) / r.summary.median));
  const noisiest = workloads.reduce<string | undefined>((a, w) => (a === undefined || width(w) > width(a) ? w : a), undefined);
  const realWorld = workloads.find((w) => run.workloads[w]?.family === 'real-world');
  const chosen = [largest, noisiest, realWorld].filter((w): w is string => w !== undefined);
  return [...new Set(chosen)];
}
