// The scaling chart: instantiation time against N for each generated family, log–log,
// one line per strategy plus `v8` and `floor`, so a reader sees how cost grows with the
// work a module asks for, and where a strategy meets the floor of copying a ready image.
import type { TopLevelSpec } from 'vega-lite';
import type { Phase, Results } from '../results-file.ts';
import { CHART_CONFIG, seriesScale, VEGA_LITE_SCHEMA } from './chart-theme.ts';
import { DECADE_LABEL, DECADES_ONLY, decades } from './log-axis.ts';
import { familyOf, itemCount } from './workload-scale.ts';

export function scalingChart(results: Results, phase: Phase = 'instantiate'): TopLevelSpec {
  const values = results.rows.flatMap((row) => {
    const n = itemCount(row.workload);
    if (row.phase !== phase || n === undefined) return [];
    const [lo, hi] = row.summary.interval;
    return [{ family: familyOf(results, row.workload), n, series: row.strategy, median: row.summary.median / 1000, lo: lo / 1000, hi: hi / 1000 }];
  });
  const families = [...new Set(results.config.workloads.filter((w) => itemCount(w) !== undefined).map((w) => familyOf(results, w)))];
  const scale = seriesScale(values.map((v) => v.series));
  const color = { field: 'series', type: 'nominal', scale, title: 'strategy' } as const;
  const x = { field: 'n', type: 'quantitative', scale: { type: 'log' }, title: 'N (items initialized, log scale)', axis: { values: decades(values.map((v) => v.n)), labelExpr: DECADE_LABEL } } as const;
  // Each panel has its own y scale, so no fixed tick values: only the decades are labeled and gridded.
  const y = { field: 'median', type: 'quantitative', scale: { type: 'log' }, title: `${phase} time (µs, log scale)`, axis: DECADES_ONLY } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `${phase === 'instantiate' ? 'Instantiation' : 'Compilation'} time against N, per workload family`,
      subtitle: 'Points: median; bars: the summary interval (pooled median widened to every process median). Both axes logarithmic.',
    },
    data: { values },
    facet: { field: 'family', type: 'nominal', sort: families, title: null, header: { labelFontSize: 12 } },
    columns: columnsFor(families.length),
    spec: {
      width: 190,
      height: 150,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color, detail: { field: 'series' } } },
        { mark: { type: 'rule' }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
        {
          mark: { type: 'point', filled: true, size: 22 },
          encoding: {
            x,
            y,
            color,
            tooltip: [
              { field: 'family' },
              { field: 'n', title: 'N' },
              { field: 'series', title: 'strategy' },
              { field: 'median', format: '.3~g', title: 'median (µs)' },
              { field: 'lo', format: '.3~g', title: 'interval low (µs)' },
              { field: 'hi', format: '.3~g', title: 'interval high (µs)' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** 3, 4 or 5 panels a row, whichever leaves the fewest empty cells (4 on a tie): an empty cell still gets an axis. */
function columnsFor(panels: number): number {
  const empty = (c: number) => (c - (panels % c)) % c;
  return [4, 5, 3].reduce((best, c) => (empty(c) < empty(best) ? c : best));
}
