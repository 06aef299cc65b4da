// The distribution chart: the samples of every strategy on chosen workloads, one strip
// per measuring process, with each process's median marked. Pooled samples would hide
// what decides an interval here: processes that settle at different levels.
import type { TopLevelSpec } from 'vega-lite';
import type { Phase, Results } from '../results-file.ts';
import { quantile, sortedNumbers } from '../statistics.ts';
import { CHART_CONFIG, seriesScale, VEGA_LITE_SCHEMA } from './chart-theme.ts';
import { DECADE_LABEL, decades } from './log-axis.ts';

/** Samples drawn per process: evenly spaced quantiles of its samples, so the strip keeps its shape at any sample count. */
export const SAMPLES_PER_PROCESS = 150;

export function distributionChart(results: Results, workloads: readonly string[], phase: Phase = 'instantiate'): TopLevelSpec {
  const wanted = new Set(workloads);
  const values = results.rows.flatMap((row) => {
    if (row.phase !== phase || !wanted.has(row.workload)) return [];
    return row.samples.flatMap((samples, p) => {
      const sorted = sortedNumbers(samples);
      const base = { workload: row.workload, series: row.strategy, process: `process ${p + 1}` };
      const shown = thinned(sorted).map((t) => ({ ...base, kind: 'sample', us: t / 1000 }));
      return [...shown, { ...base, kind: 'median', us: quantile(sorted, 0.5) / 1000, samples: sorted.length }];
    });
  });
  const scale = seriesScale(values.map((v) => v.series));
  const y = { field: 'series', type: 'nominal', sort: scale.domain, title: null } as const;
  const processes = Math.max(0, ...results.rows.map((r) => r.samples.length));
  // An explicit order: the two layers filter different rows, and vega-lite would otherwise sort each its own way.
  const yOffset = { field: 'process', type: 'nominal', sort: Array.from({ length: processes }, (_, p) => `process ${p + 1}`) } as const;
  const x = {
    field: 'us',
    type: 'quantitative',
    scale: { type: 'log' },
    title: `${phase} time per call (µs, log scale)`,
    // The decades of every panel: vega leaves out the ones outside a panel's own domain.
    axis: { values: decades(values.map((v) => v.us)), labelExpr: DECADE_LABEL },
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `Samples by process: ${phase === 'instantiate' ? 'instantiation' : 'compilation'}`,
      subtitle: [
        `One strip per measuring process (${processes} per row), at most ${SAMPLES_PER_PROCESS} of its samples as evenly spaced quantiles;`,
        'black ticks: each process median. Strips that sit apart are between-process variation, which the intervals account for.',
      ],
    },
    data: { values },
    facet: { row: { field: 'workload', type: 'nominal', sort: [...workloads], title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' } } },
    spec: {
      width: 560,
      height: { step: 6 },
      layer: [
        {
          transform: [{ filter: "datum.kind === 'sample'" }],
          mark: { type: 'circle', size: 9, opacity: 0.45 },
          encoding: { x, y, yOffset, color: { field: 'series', type: 'nominal', scale, title: 'strategy' } },
        },
        {
          transform: [{ filter: "datum.kind === 'median'" }],
          mark: { type: 'tick', color: '#000000', thickness: 2, size: 8 },
          encoding: {
            x,
            y,
            yOffset,
            tooltip: [
              { field: 'workload' },
              { field: 'series', title: 'strategy' },
              { field: 'process' },
              { field: 'us', format: '.4~g', title: 'median (µs)' },
              { field: 'samples' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

function thinned(sorted: readonly number[]): number[] {
  if (sorted.length <= SAMPLES_PER_PROCESS) return [...sorted];
  return Array.from({ length: SAMPLES_PER_PROCESS }, (_, i) => quantile(sorted, i / (SAMPLES_PER_PROCESS - 1)));
}
