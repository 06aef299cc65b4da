// The counters chart: the deterministic operation counters of each strategy on chosen
// workloads. Where timings need statistics, these show the mechanism: a strategy is
// cheaper because it evaluates fewer constant ops, boxes fewer values, copies one image.
import type { TopLevelSpec } from 'vega-lite';
import type { Results } from '../results-file.ts';
import { CHART_CONFIG, seriesScale, VEGA_LITE_SCHEMA } from './chart-theme.ts';

export function countersChart(results: Results, workloads: readonly string[]): TopLevelSpec {
  const values = workloads.flatMap((workload) =>
    Object.entries(results.counters[workload] ?? {}).flatMap(([strategy, counters]) =>
      Object.entries(counters).map(([counter, value]) => ({ workload, series: strategy, counter, value })),
    ),
  );
  const all = [...new Set(values.map((v) => v.counter))];
  // A counter that is zero for every strategy here has nothing to draw (and no scale).
  const counters = all.filter((c) => values.some((v) => v.counter === c && v.value !== 0));
  const zero = all.filter((c) => !counters.includes(c));
  const scale = seriesScale(values.map((v) => v.series));
  const panel = (workload: string) => ({
    title: { text: workload, fontSize: 12, subtitle: '' },
    data: { values: values.filter((v) => v.workload === workload && counters.includes(v.counter)) },
    facet: { column: { field: 'counter', type: 'nominal', sort: counters, title: null } },
    spec: {
      width: 110,
      height: { step: 12 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'series', type: 'nominal', sort: scale.domain, title: null },
        x: {
          field: 'value',
          type: 'quantitative',
          title: null,
          // Whole counts with SI prefixes, and a bare 0 (d3 would print "0k" beside "5k").
          axis: { tickCount: 3, tickMinStep: 1, labelExpr: "datum.value === 0 ? '0' : format(datum.value, '~s')" },
        },
        color: { field: 'series', type: 'nominal', scale, title: 'strategy' },
        tooltip: [{ field: 'workload' }, { field: 'series', title: 'strategy' }, { field: 'counter' }, { field: 'value', format: ',' }],
      },
    },
    resolve: { scale: { x: 'independent' } },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Operation counters per instantiation',
      subtitle: [
        'Deterministic: the same on every run, compared exactly by the regression gate. Each panel has its own scale.',
        ...(zero.length > 0 ? [`Zero for every strategy here: ${zero.join(', ')}.`] : []),
      ],
    },
    vconcat: workloads.filter((w) => values.some((v) => v.workload === w)).map(panel),
  } as TopLevelSpec;
}
