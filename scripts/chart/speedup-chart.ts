// The speed-up chart: each strategy (and V8) against a control strategy, per workload,
// with its interval; a log axis, because the strategies differ by decades.
import type { TopLevelSpec } from 'vega-lite';
import type { Phase, Results } from '../results-file.ts';
import { CHART_CONFIG, seriesScale, VEGA_LITE_SCHEMA } from './chart-theme.ts';
import { decades } from './log-axis.ts';
import { ratiosAgainst } from './strategy-ratios.ts';
import { representativeWorkloads } from './workload-scale.ts';

/** Interval level of each error bar. */
export const SPEEDUP_CONFIDENCE = 0.95;

export function speedupChart(results: Results, control = 'val', phase: Phase = 'instantiate'): TopLevelSpec {
  const workloads = representativeWorkloads(results);
  const ratios = ratiosAgainst(results, control, phase, workloads, SPEEDUP_CONFIDENCE);
  const values = ratios.map((r) => ({
    workload: r.workload,
    series: r.strategy,
    speedup: r.speedup,
    lo: r.ci[0],
    hi: r.ci[1],
    verdict: r.verdict === 'same' ? `≈ ${control}` : `${r.verdict} than ${control}`,
  }));
  const scale = seriesScale(values.map((v) => v.series));
  const y = { field: 'workload', type: 'nominal', sort: workloads, title: null } as const;
  const yOffset = { field: 'series', type: 'nominal', sort: scale.domain } as const;
  const color = { field: 'series', type: 'nominal', scale, title: 'strategy' } as const;
  const x = {
    field: 'speedup',
    type: 'quantitative',
    scale: { type: 'log' },
    // Ticks and grid lines at the decades only: a log axis of several decades otherwise draws nine lines per decade.
    axis: { values: decades(values.flatMap((v) => [v.lo, v.hi])), format: '~g' },
    title: `speed-up over ${control} (×, log scale; right of 1 is faster)`,
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `${phase === 'instantiate' ? 'Instantiation' : 'Compilation'}: speed-up of each strategy over ${control}`,
      subtitle: [
        `Bars: ${Math.round(SPEEDUP_CONFIDENCE * 100)} % interval of each ratio of medians (paired by process; between-process variation included; not corrected for the ${values.length} bars).`,
        'Each generated family at its largest N. Dashed line: as fast as the control.',
      ],
    },
    data: { values },
    width: 520,
    height: { step: 7 },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { y, yOffset, color, x: { ...x, field: 'lo' }, x2: { field: 'hi' } },
      },
      {
        mark: { type: 'point', filled: true, size: 36, opacity: 1 },
        encoding: {
          y,
          yOffset,
          color,
          x,
          tooltip: [
            { field: 'workload' },
            { field: 'series', title: 'strategy' },
            { field: 'speedup', format: '.3~g', title: 'speed-up (×)' },
            { field: 'lo', format: '.3~g', title: 'interval low' },
            { field: 'hi', format: '.3~g', title: 'interval high' },
            { field: 'verdict' },
          ],
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#333333' }, encoding: { x: { datum: 1 } } },
    ],
  };
}

