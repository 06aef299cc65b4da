// The charts as a reader gets them: specs that vega-lite's own schema accepts and that
// compile without warnings, SVGs that are byte-identical across renders, PNGs with real
// glyphs where the labels are, labels inside the drawing, and the statistics and
// selections each chart states in its subtitle.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { TopLevelSpec } from 'vega-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareResults, DEFAULT_COMPARE } from '../compare/compare-results.ts';
import { syntheticResults } from '../compare/test-kit.ts';
import { historyOf } from '../history/history.ts';
import { readResults, type Results } from '../results-file.ts';
import { chartSet, defaultFocus, type NamedChart } from './chart-set.ts';
import { seriesScale } from './chart-theme.ts';
import { compareChart, COMPARE_ROWS_SHOWN } from './compare-chart.ts';
import { countersChart } from './counters-chart.ts';
import { clippedLabels, textBoxes } from './label-layout.ts';
import { PNG_SCALE, rasterize, renderSvg } from './render.ts';
import { decades } from './log-axis.ts';
import { ratiosAgainst } from './strategy-ratios.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

/** Twelve runs whose cached instantiate row steps up by 30 % after the sixth (fewer cannot reach p < 0.01 in a permutation test). */
function historyRuns(): { path: string; results: Results }[] {
  return Array.from({ length: 12 }, (_, i) => {
    const results = syntheticResults(
      [
        { workload: 'globals-i32/1000', strategy: 'cached', median: 20_000, shift: i >= 6 ? 1.3 : 1 },
        { workload: 'globals-i32/1000', strategy: 'val', median: 900_000 },
      ],
      { processes: 3, samples: 40, withinSd: 0.02, betweenSd: 0.01, seed: 100 + i },
    );
    return { path: `run-${i}.json`, results: { ...results, createdAt: `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z` } };
  });
}

let base: Results;
let head: Results;
let charts: NamedChart[];

beforeAll(async () => {
  base = await readResults(join(FIXTURES, 'small-base.json'));
  head = await readResults(join(FIXTURES, 'small-head.json'));
  const compare = compareResults(base, head, { base: 'base', head: 'head' });
  const history = historyOf(historyRuns(), undefined, 0.01);
  charts = chartSet({ run: head, control: 'val', focus: defaultFocus(head), compare, history });
});

describe('chart specs', () => {
  it('a run with a base and a history gets all six charts', () => {
    expect(charts.map((c) => c.name)).toEqual(['speedup', 'scaling', 'distribution', 'counters', 'compare', 'history']);
  });

  it('every spec validates against the vega-lite JSON schema that ships with vega-lite', () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('vega-lite-schema.json', import.meta.resolve('vega-lite'))), 'utf8'));
    // The schema's only format is the $schema URI, which ajv would warn about once per use.
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    for (const chart of charts) {
      expect(validate(chart.spec), `${chart.name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    // The schema is not a rubber stamp: a mark it does not know fails.
    expect(validate({ ...charts[0].spec, layer: undefined, mark: 'pie-slice' })).toBe(false);
  });

  it('every spec compiles without a vega-lite warning, and no label is cut off', async () => {
    for (const chart of charts) {
      const { svg, view, warnings } = await renderSvg(chart.spec);
      expect(warnings, chart.name).toEqual([]);
      expect(textBoxes(view).length, chart.name).toBeGreaterThan(5);
      expect(clippedLabels(view, svg), chart.name).toEqual([]);
    }
  });

  it('the label check sees a label pushed outside the drawing and one cut short by its limit', async () => {
    const spec: TopLevelSpec = {
      data: { values: [{ a: 'a label far longer than its limit allows', b: 1 }] },
      mark: 'point',
      encoding: { y: { field: 'a', type: 'nominal', axis: { labelLimit: 40 } }, x: { field: 'b', type: 'quantitative' } },
      title: { text: 'off the edge', dx: -400 },
      // A fixed size: vega's default autosize would grow the drawing to take the title in.
      autosize: { type: 'none' },
      width: 200,
      height: 60,
    };
    const { svg, view } = await renderSvg(spec);
    const cut = clippedLabels(view, svg).map((b) => [b.text, b.truncated]);
    expect(cut).toContainEqual(['a label far longer than its limit allows', true]);
    expect(cut).toContainEqual(['off the edge', false]);
  });
});

describe('rendering', () => {
  it('renders every chart to byte-identical SVG twice, whatever was rendered in between', async () => {
    const first = await Promise.all(charts.map(async (c) => (await renderSvg(c.spec)).svg));
    const second: string[] = [];
    for (const chart of [...charts].reverse()) second.unshift((await renderSvg(chart.spec)).svg);
    expect(second).toEqual(first);
    expect(first.join('')).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('draws the title and the axis labels as glyphs in the PNG, on a white background elsewhere', async () => {
    const { svg, view } = await renderSvg(charts[0].spec);
    const image = rasterize(svg);
    expect(image.png.subarray(1, 4).toString()).toBe('PNG');
    const inkIn = (b: { x1: number; y1: number; x2: number; y2: number }) => {
      let ink = 0;
      let all = 0;
      for (let y = Math.floor(b.y1 * PNG_SCALE); y < Math.ceil(b.y2 * PNG_SCALE); y++) {
        for (let x = Math.floor(b.x1 * PNG_SCALE); x < Math.ceil(b.x2 * PNG_SCALE); x++) {
          const i = (y * image.width + x) * 4;
          all++;
          // Not background: any channel clearly below white.
          if (image.pixels[i] < 200 || image.pixels[i + 1] < 200 || image.pixels[i + 2] < 200) ink++;
        }
      }
      return ink / all;
    };
    const boxes = textBoxes(view);
    const title = boxes.find((b) => b.text.startsWith('Instantiation: speed-up'))!;
    expect(inkIn(title)).toBeGreaterThan(0.05);
    const label = boxes.find((b) => b.text === 'globals-i32/10000')!;
    expect(inkIn(label)).toBeGreaterThan(0.05);
    // The band between the title and the subtitle's first line is background.
    expect(inkIn({ x1: title.x2 + 40, y1: title.y1, x2: title.x2 + 80, y2: title.y2 })).toBe(0);
  });
});

describe('what the charts state', () => {
  it('speed-up: a strategy exactly twice as fast as the control in every process is 2× with an interval around 2', () => {
    const results = syntheticResults(
      [
        { workload: 'w/1', strategy: 'val', median: 100_000 },
        { workload: 'w/1', strategy: 'cached', median: 50_000 },
        { workload: 'w/1', strategy: 'raw', median: 100_000 },
      ],
      { processes: 5, samples: 60, withinSd: 0.03, betweenSd: 0, seed: 3 },
    );
    const [cached, raw] = ['cached', 'raw'].map((s) => ratiosAgainst(results, 'val', 'instantiate', ['w/1'], 0.95).find((r) => r.strategy === s)!);
    expect(cached.speedup).toBeCloseTo(2, 1);
    expect(cached.ci[0]).toBeLessThan(2);
    expect(cached.ci[1]).toBeGreaterThan(2);
    expect(cached.verdict).toBe('faster');
    expect(raw.verdict).toBe('same');
  });

  it('speed-up error bars are pointwise: narrower than the family-wise intervals of the same rows, and around the true ratio', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [
      { workload: `w/${i}`, strategy: 'val', median: 100_000 },
      { workload: `w/${i}`, strategy: 'cached', median: 25_000 },
    ]).flat();
    const results = syntheticResults(rows, { processes: 4, samples: 50, withinSd: 0.05, betweenSd: 0.05, seed: 11 });
    const pointwise = ratiosAgainst(results, 'val', 'instantiate', results.config.workloads, 0.95);
    const familyWise = compareResults(
      { ...results, rows: results.rows.filter((r) => r.strategy === 'val').map((r) => ({ ...r, strategy: 'cached' })), config: { ...results.config, pairing: { id: 'x', side: 'base', revision: 'a', commit: null } } },
      { ...results, rows: results.rows.filter((r) => r.strategy === 'cached'), config: { ...results.config, pairing: { id: 'x', side: 'head', revision: 'b', commit: null } } },
      { base: 'a', head: 'b' },
      { ...DEFAULT_COMPARE, confidence: 0.95 },
    );
    for (const [i, r] of pointwise.entries()) {
      const wide = familyWise.rows[i];
      expect(r.ci[1] - r.ci[0]).toBeLessThan(1 / wide.ci[0] - 1 / wide.ci[1]);
    }
    const covering = pointwise.filter((r) => r.ci[0] <= 4 && 4 <= r.ci[1]).length;
    expect(covering).toBeGreaterThanOrEqual(26);
  });

  it('speed-up axis: ticks at the powers of ten that span the intervals', () => {
    expect(decades([0.05, 3, 0.2])).toEqual([0.01, 0.1, 1, 10]);
    expect(decades([1, 1])).toEqual([1]);
    expect(decades([])).toEqual([1]);
  });

  it('every chart gives a strategy the same color, whichever strategies it shows', () => {
    const all = seriesScale(['raw', 'val', 'fast-path', 'cached', 'compiled', 'v8', 'floor']);
    const some = seriesScale(['v8', 'cached']);
    expect(some.domain).toEqual(['cached', 'v8']);
    expect(some.range).toEqual([all.range[all.domain.indexOf('cached')], all.range[all.domain.indexOf('v8')]]);
    expect(new Set(all.range).size).toBe(all.range.length);
  });

  it('compare: with more rows than fit, every regressed and improved row is kept', () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({ workload: `w/${i}`, strategy: 'cached', median: 10_000, shift: i % 40 === 0 ? 2 : 1 }));
    const a = syntheticResults(rows.map((r) => ({ ...r, shift: 1 })), { processes: 6, samples: 50, withinSd: 0.01, betweenSd: 0.005, seed: 1 });
    const b = syntheticResults(rows, { processes: 6, samples: 50, withinSd: 0.01, betweenSd: 0.005, seed: 2 });
    const report = compareResults(a, b, { base: 'a', head: 'b' });
    const regressed = report.rows.filter((r) => r.verdict === 'regressed').map((r) => `${r.workload} · cached · instantiate`);
    expect(regressed).toEqual(['w/0 · cached · instantiate', 'w/40 · cached · instantiate', 'w/80 · cached · instantiate']);
    const values = (compareChart(report).data as { values: { row: string }[] }).values.map((v) => v.row);
    expect(values).toHaveLength(COMPARE_ROWS_SHOWN);
    for (const row of regressed) expect(values).toContain(row);
  });

  it('counters: leaves out the counters that are zero everywhere and names them', () => {
    const spec = countersChart(head, ['globals-i32/1000']);
    const panels = (spec as { vconcat: { data: { values: { counter: string }[] } }[] }).vconcat;
    const drawn = new Set(panels.flatMap((p) => p.data.values.map((v) => v.counter)));
    expect(drawn.size).toBeGreaterThan(0);
    const zero = Object.entries(head.counters['globals-i32/1000'].cached).filter(([, v]) => v === 0).map(([k]) => k);
    const everywhereZero = zero.filter((c) => Object.values(head.counters['globals-i32/1000']).every((counters) => (counters as unknown as Record<string, number>)[c] === 0));
    expect(everywhereZero.length).toBeGreaterThan(0);
    for (const c of everywhereZero) expect(drawn.has(c)).toBe(false);
    expect(JSON.stringify(spec.title)).toContain(everywhereZero.join(', '));
  });

  it('history: marks the change point where the new level starts', () => {
    const spec = chartSet({ run: head, control: 'val', focus: ['globals-i32/1000'], history: historyOf(historyRuns(), undefined, 0.01) }).find((c) => c.name === 'history')!;
    const changes = (spec.spec.data as { values: { kind: string; run?: string; row: string }[] }).values.filter((v) => v.kind === 'change');
    expect(changes).toEqual([expect.objectContaining({ row: 'globals-i32/1000 · cached · instantiate', run: '7 · no comm' })]);
  });
});

describe('instlab chart', () => {
  const out = mkdtempSync(join(tmpdir(), 'instlab-chart-'));
  const instlab = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: out });

  it('writes SVG, PNG and spec per chart and a report, the same bytes on a second run', () => {
    const args = ['chart', join(FIXTURES, 'small-head.json'), '--base', join(FIXTURES, 'small-base.json'), '--workload', 'globals-i32/1000'];
    const first = instlab(...args, '--out', join(out, 'a'));
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/report: .*report\.html/);
    const files = readdirSync(join(out, 'a')).sort();
    expect(files).toEqual(['compare', 'counters', 'distribution', 'report', 'scaling', 'speedup'].flatMap((n) => (n === 'report' ? ['report.html'] : [`${n}.png`, `${n}.svg`, `${n}.vl.json`])).sort());
    instlab(...args, '--out', join(out, 'b'));
    for (const file of files) expect(readFileSync(join(out, 'b', file)).equals(readFileSync(join(out, 'a', file))), file).toBe(true);
  });

  it('bench --chart draws the run it measured into results/charts/<run>/ and says where', () => {
    const run = instlab('bench', '--workload', 'wasmtime/empty', '--strategy', 'val', '--strategy', 'cached', '--processes', '2', '--samples', '8', '--seed', '5', '--chart', '--out', 'measured.json');
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^charts: results\/charts\/measured\/report\.html$/m);
    expect(readdirSync(join(out, 'results', 'charts', 'measured'))).toContain('speedup.svg');
  });

  it('compare --charts links the compare chart from the Markdown, and refuses a folder without one', () => {
    const [b, h] = ['small-base.json', 'small-head.json'].map((f) => join(FIXTURES, f));
    expect(instlab('chart', h, '--base', b, '--out', 'drawn').status).toBe(0);
    const linked = instlab('compare', b, h, '--format', 'md', '--charts', 'drawn');
    expect(linked.stdout).toContain('![drawn/compare.png](drawn/compare.png)');
    const refused = instlab('compare', b, h, '--format', 'md', '--charts', 'nothing-here');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('no compare.png');
  });

  it('refuses a workload the run does not have, and a missing base, with exit 2 and one line', () => {
    const unknown = instlab('chart', join(FIXTURES, 'small-head.json'), '--workload', 'nope/1', '--out', join(out, 'c'));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('nope/1');
    const missing = instlab('chart', join(FIXTURES, 'small-head.json'), '--base', join(out, 'missing.json'), '--out', join(out, 'c'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('missing.json');
  });
});
