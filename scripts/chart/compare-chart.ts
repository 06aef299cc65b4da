// The compare chart: HEAD/BASE per row with its interval, colored by verdict, over the
// practical threshold band, so a reviewer sees at once which rows moved, by how much,
// and which the data cannot decide.
import type { TopLevelSpec } from 'vega-lite';
import type { CompareReport, CompareRow } from '../compare/compare-results.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, VERDICT_COLORS, VERDICT_ORDER } from './chart-theme.ts';
import { DECADE_LABEL, decades } from './log-axis.ts';

/** Rows drawn at most; beyond it the chart keeps every regressed and improved row, then the largest changes. */
export const COMPARE_ROWS_SHOWN = 50;

export function compareChart(report: CompareReport): TopLevelSpec {
  const shown = rowsToShow(report.rows);
  const values = shown.map((r) => ({
    row: `${r.workload} · ${r.strategy} · ${r.phase}`,
    ratio: r.ratio,
    lo: r.ci[0],
    hi: r.ci[1],
    verdict: r.verdict,
    mde: r.mde,
  }));
  const order = [...values].sort((a, b) => b.ratio - a.ratio).map((v) => v.row);
  const t = report.threshold;
  const y = { field: 'row', type: 'nominal', sort: order, title: null } as const;
  const color = { field: 'verdict', type: 'nominal', scale: { domain: [...VERDICT_ORDER], range: VERDICT_COLORS }, title: 'verdict' } as const;
  const ends = values.flatMap((v) => [v.lo, v.hi]);
  // Intervals spanning decades get a tick per decade; narrow ones keep vega's finer ticks.
  const wide = Math.max(...ends) / Math.min(...ends) > 20;
  const x = {
    field: 'ratio',
    type: 'quantitative',
    scale: { type: 'log' },
    title: 'HEAD / BASE (log scale; right of 1 is slower)',
    ...(wide ? { axis: { values: decades(ends), labelExpr: DECADE_LABEL } } : {}),
  } as const;
  const counts = VERDICT_ORDER.map((v) => `${report.verdicts[v]} ${v}`).join(', ');
  const omitted = report.rows.length - shown.length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Change per row: HEAD over BASE',
      subtitle: [
        `${report.rows.length} rows: ${counts}. Bars: ${Math.round(report.confidence * 100)} % family-wise intervals${report.paired ? ' (paired run)' : ''}; grey band: ±${Math.round(t * 100)} % threshold.`,
        omitted > 0 ? `${shown.length} rows shown: every regressed and improved row, then the largest changes; ${omitted} more in the compare report.` : 'Every compared row is shown.',
      ],
    },
    data: { values },
    width: 460,
    height: { step: 16 },
    layer: [
      { mark: { type: 'rect', color: '#cccccc', opacity: 0.35 }, encoding: { x: { datum: 1 / (1 + t), type: 'quantitative' }, x2: { datum: 1 + t } } },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#333333' }, encoding: { x: { datum: 1, type: 'quantitative' } } },
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, color, x: { ...x, field: 'lo' }, x2: { field: 'hi' } } },
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 1 },
        encoding: {
          y,
          color,
          x,
          tooltip: [
            { field: 'row' },
            { field: 'ratio', format: '.3f' },
            { field: 'lo', format: '.3f', title: 'interval low' },
            { field: 'hi', format: '.3f', title: 'interval high' },
            { field: 'verdict' },
            { field: 'mde', format: '.1%', title: 'smallest detectable change' },
          ],
        },
      },
    ],
  };
}

function rowsToShow(rows: readonly CompareRow[]): CompareRow[] {
  if (rows.length <= COMPARE_ROWS_SHOWN) return [...rows];
  const decided = rows.filter((r) => r.verdict === 'regressed' || r.verdict === 'improved');
  const rest = rows.filter((r) => r.verdict !== 'regressed' && r.verdict !== 'improved');
  rest.sort((a, b) => Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)));
  return [...decided, ...rest].slice(0, Math.max(COMPARE_ROWS_SHOWN, decided.length));
}
