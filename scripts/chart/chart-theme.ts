// What every chart shares: one fixed color per strategy (the Okabe–Ito palette, which
// stays distinguishable under the common color-vision deficiencies), the verdict colors,
// the font that both vega's text measurement and the PNG rasterizer use, and a config
// that makes the charts read like figures in a paper.
import type { Config } from 'vega-lite';

/** The CLI's names, in the order every legend lists them. */
export const SERIES_ORDER = ['raw', 'val', 'fast-path', 'cached', 'compiled', 'v8', 'floor'] as const;

const SERIES_COLOR: Readonly<Record<string, string>> = {
  raw: '#E69F00',
  val: '#56B4E9',
  'fast-path': '#009E73',
  cached: '#0072B2',
  compiled: '#CC79A7',
  v8: '#D55E00',
  floor: '#555555',
};

/** A strategy outside the palette (a future one) still gets a color, after the fixed ones. */
const SPARE_COLORS = ['#F0E442', '#999999', '#882255'];

/** The series in legend order and their colors, for a scale's domain and range. */
export function seriesScale(present: Iterable<string>): { domain: string[]; range: string[] } {
  const names = new Set(present);
  const known = SERIES_ORDER.filter((s) => names.has(s));
  const other = [...names].filter((s) => !(SERIES_ORDER as readonly string[]).includes(s)).sort();
  const domain = [...known, ...other];
  return { domain, range: domain.map((s, i) => SERIES_COLOR[s] ?? SPARE_COLORS[(i - known.length) % SPARE_COLORS.length]) };
}

export const VERDICT_ORDER = ['regressed', 'inconclusive', 'unchanged', 'improved'] as const;
export const VERDICT_COLORS = ['#D55E00', '#E69F00', '#999999', '#009E73'];

export const FONT_FAMILY = 'DejaVu Sans';

export const CHART_CONFIG: Config = {
  font: FONT_FAMILY,
  background: '#ffffff',
  padding: 8,
  title: { fontSize: 15, fontWeight: 'bold', subtitleFontSize: 11, subtitleColor: '#444444', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 360, gridColor: '#e4e4e4' },
  // Tick labels along x may collide on log scales; a nominal y axis shows every label.
  axisX: { labelOverlap: 'greedy', labelSeparation: 6 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', orient: 'right' },
  view: { stroke: '#bbbbbb' },
};

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
