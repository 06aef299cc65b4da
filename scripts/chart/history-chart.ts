// The history chart: chosen rows across results files in commit-date order, with the
// change points `instlab history` finds marked where the new level starts.
import type { TopLevelSpec } from 'vega-lite';
import type { HistoryReport, HistorySeries } from '../history/history.ts';
import { CHART_CONFIG, seriesScale, VEGA_LITE_SCHEMA } from './chart-theme.ts';

/** Rows drawn at most, the largest changes first. */
export const HISTORY_SERIES_SHOWN = 6;

export function historyChart(report: HistoryReport): TopLevelSpec {
  const shown = seriesToShow(report.series);
  const label = (s: HistorySeries) => `${s.workload} · ${s.strategy} · ${s.phase}`;
  const runLabel = (i: number) => `${i + 1} · ${(report.runs[i].commit ?? 'no commit').slice(0, 7)}`;
  const runs = report.runs.map((_, i) => runLabel(i));
  const points = shown.flatMap((s) =>
    s.values.flatMap((v, i) =>
      v === null ? [] : [{ kind: 'run', row: label(s), series: s.strategy, run: runLabel(i), date: report.runs[i].date, us: v / 1000 }],
    ),
  );
  const changes = shown.flatMap((s) =>
    s.changes.map((c) => ({
      kind: 'change',
      row: label(s),
      run: runLabel(c.run),
      text: `${c.ratio >= 1 ? '+' : '−'}${(Math.abs(c.ratio - 1) * 100).toFixed(0)} %`,
      pValue: c.pValue,
    })),
  );
  const scale = seriesScale(points.map((p) => p.series));
  // Every run on the axis, also where a row is missing from some.
  const x = { field: 'run', type: 'ordinal', sort: runs, scale: { domain: runs }, title: 'run (commit-date order) · commit', axis: { labelAngle: -40 } } as const;
  const withChanges = report.series.filter((s) => s.changes.length > 0).length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'History: median time per run',
      subtitle: [
        `${report.runs.length} runs; ${withChanges} of ${report.series.length} rows have a change point (E-divisive means, significance ${report.significance}).`,
        `Red rules: the first run at a new level, labeled with the change. ${shown.length} rows shown: ${
          withChanges > 0 ? 'the largest changes first' : 'no change point, so the rows in the most runs with the widest range'
        }.`,
      ],
    },
    data: { values: [...points, ...changes] },
    facet: { row: { field: 'row', type: 'nominal', sort: shown.map(label), title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' } } },
    spec: {
      width: Math.max(360, 28 * report.runs.length),
      height: 130,
      layer: [
        { transform: [{ filter: "datum.kind === 'change'" }], mark: { type: 'rule', color: '#D55E00', strokeWidth: 2 }, encoding: { x } },
        {
          transform: [{ filter: "datum.kind === 'change'" }],
          mark: { type: 'text', color: '#D55E00', align: 'left', dx: 4, baseline: 'top', y: 2, fontWeight: 'bold' },
          encoding: { x, text: { field: 'text' } },
        },
        {
          transform: [{ filter: "datum.kind === 'run'" }],
          mark: { type: 'line', point: { filled: true, size: 30 } },
          encoding: {
            x,
            y: { field: 'us', type: 'quantitative', scale: { zero: false }, title: 'median (µs)' },
            color: { field: 'series', type: 'nominal', scale, title: 'strategy' },
            tooltip: [{ field: 'row' }, { field: 'run' }, { field: 'date' }, { field: 'us', format: '.4~g', title: 'median (µs)' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** The rows with the largest change points; without any, the rows in the most runs with the widest range. */
function seriesToShow(series: readonly HistorySeries[]): HistorySeries[] {
  const size = (s: HistorySeries) => Math.max(0, ...s.changes.map((c) => Math.abs(Math.log(c.ratio))));
  const changed = series.filter((s) => s.changes.length > 0).sort((a, b) => size(b) - size(a));
  if (changed.length > 0) return changed.slice(0, HISTORY_SERIES_SHOWN);
  const present = (s: HistorySeries) => s.values.filter((v) => v !== null) as number[];
  const range = (s: HistorySeries) => Math.log(Math.max(...present(s)) / Math.min(...present(s)));
  return [...series].sort((a, b) => present(b).length - present(a).length || range(b) - range(a)).slice(0, HISTORY_SERIES_SHOWN);
}
