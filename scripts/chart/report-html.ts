// One self-contained report.html: every chart live (vega-embed, with tooltips), the
// summary tables and the environment, with vega, vega-lite, vega-embed, the specs and
// the font inlined, so it opens offline, from a CI artifact or an e-mail, and draws its
// labels with the metrics the SVG and PNG files were laid out with.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results } from '../results-file.ts';
import { summarizeResults } from '../bench/summary.ts';
import { notes, summaryTable } from '../bench/summary-format.ts';
import { FONT_FAMILY } from './chart-theme.ts';
import type { NamedChart } from './chart-set.ts';
import { FONT_FILES } from './text-metrics.ts';

/** The browser builds, in the order they need each other, beside each package's entry point (the packages export no other path). */
const LIBRARIES: readonly [string, string][] = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
];

function browserBuild([pkg, file]: readonly [string, string]): string {
  return readFileSync(join(dirname(fileURLToPath(import.meta.resolve(pkg))), file), 'utf8');
}

export interface ReportInputs {
  readonly runPath: string;
  readonly run: Results;
  readonly charts: readonly NamedChart[];
  readonly basePath?: string;
  readonly historyPaths?: readonly string[];
  /** The workloads of the distribution and counters charts, and why those. */
  readonly focus: { readonly workloads: readonly string[]; readonly chosenBy: string };
}

export function reportHtml(inputs: ReportInputs): string {
  const { run, charts } = inputs;
  const summary = summarizeResults(run);
  const specs = Object.fromEntries(charts.map((c) => [c.name, c.spec]));
  const scripts = LIBRARIES.map((lib) => `<script>${browserBuild(lib)}</script>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>instlab report: ${escape(inputs.runPath)}</title>
<style>
${fontFace('normal', FONT_FILES.regular)}
${fontFace('bold', FONT_FILES.bold)}
body { font-family: "${FONT_FAMILY}", sans-serif; margin: 24px auto; max-width: 1800px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; } h3 { font-size: 15px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { overflow-x: auto; }
.links { font-size: 12px; }
</style>
</head>
<body>
<h1>Instantiation report</h1>
<p>Run <code>${escape(inputs.runPath)}</code>${inputs.basePath === undefined ? '' : `, compared with <code>${escape(inputs.basePath)}</code>`}${
    inputs.historyPaths === undefined ? '' : `, history over ${inputs.historyPaths.length} runs`
  }.</p>
${environmentTable(run)}
<p>Distribution and counters charts: ${inputs.focus.workloads.map((w) => `<code>${escape(w)}</code>`).join(', ')} (${escape(inputs.focus.chosenBy)}).</p>
${charts.map((c) => `<section><h2>${escape(c.title)}</h2><div class="chart" id="chart-${c.name}"></div><p class="links"><a href="${c.name}.svg">SVG</a> · <a href="${c.name}.png">PNG</a> · <a href="${c.name}.vl.json">vega-lite spec</a></p></section>`).join('\n')}
<section><h2>Summary</h2>
${summary.phases
  .filter((phase) => phase.lines.some((line) => Object.keys(line.cells).length > 0))
  .map((phase) => `<h3>${phase.phase}: median ±95% interval</h3>\n${htmlTable(summaryTable(phase))}`)
  .join('\n')}
<ul>${notes(summary).map((n) => `<li>${escape(n)}</li>`).join('')}</ul>
</section>
<script type="application/json" id="specs">${JSON.stringify(specs).replace(/</g, '\\u003c')}</script>
${scripts}
<script>
// The page reports what it drew, so a browser test (or a reader's console) can check it.
window.instlabReport = { rendered: [], failed: [] };
const specs = JSON.parse(document.getElementById('specs').textContent);
document.fonts.load('11px "${FONT_FAMILY}"').then(() => document.fonts.load('bold 11px "${FONT_FAMILY}"')).then(() =>
  Promise.all(Object.entries(specs).map(([name, spec]) =>
    vegaEmbed('#chart-' + name, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
      .then(() => window.instlabReport.rendered.push(name), (error) => window.instlabReport.failed.push(name + ': ' + error)))))
  .then(() => { window.instlabReport.done = true; });
</script>
</body>
</html>
`;
}

function fontFace(weight: string, path: string): string {
  return `@font-face { font-family: "${FONT_FAMILY}"; font-weight: ${weight}; src: url(data:font/ttf;base64,${readFileSync(path).toString('base64')}) format("truetype"); }`;
}

function environmentTable(run: Results): string {
  const e = run.environment;
  const rows: [string, string][] = [
    ['created', run.createdAt],
    ['commit', `${e.git.commit ?? 'unknown'}${e.git.dirty ? ' (dirty)' : ''}`],
    ['Node / V8', `${e.node} / ${e.v8}`],
    ['CPU', `${e.cpu} (${e.cores} cores)`],
    ['OS', e.os],
    ['flags', e.flags.join(' ') || 'none'],
    ['processes × samples', `${run.config.processes} × ${run.config.samples ?? `time budget ${run.config.budgetMs} ms`}`],
    ['seed', String(run.config.seed)],
    ['injected slowdowns', run.config.slowdowns.map((s) => `${s.strategy}=${s.percent}%`).join(', ') || 'none'],
    ['memory pool', run.config.memoryPool === true ? 'on (instantiate + release; v8 unchanged)' : 'off'],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table>`;
}

function htmlTable([header, ...body]: string[][]): string {
  const head = `<tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>`;
  const rows = body.map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<td><code>${escape(cell)}</code></td>` : `<td class="num">${escape(cell)}</td>`)).join('')}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
