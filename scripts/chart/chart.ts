// `instlab chart RUN.json [--base BASE.json] [--history DIR...] [--out DIR]`: every chart
// of a run as SVG, PNG and vega-lite spec, and one report.html with all of them. Files
// are written atomically; the folder defaults to results/charts/<run name>/.
import { mkdir } from 'node:fs/promises';
import { writeFileAtomically } from '../atomic-file.ts';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { BadInput } from '../bad-input.ts';
import { compareResults, DEFAULT_COMPARE } from '../compare/compare-results.ts';
import { DEFAULT_DETECTOR } from '../history/e-divisive.ts';
import { historyOf, loadHistory, parseMetric } from '../history/history.ts';
import { readResults, type Results } from '../results-file.ts';
import { chartSet, defaultFocus, FOCUS_RULE, type NamedChart } from './chart-set.ts';
import { clippedLabels } from './label-layout.ts';
import { rasterize, renderSvg } from './render.ts';
import { reportHtml } from './report-html.ts';

export interface ChartOptions {
  readonly base?: string;
  readonly history?: readonly string[];
  readonly metric?: string;
  readonly workload?: readonly string[];
  readonly control?: string;
  readonly out?: string;
}

export interface WrittenCharts {
  readonly folder: string;
  readonly report: string;
  readonly charts: readonly NamedChart[];
}

const CHARTS_ROOT = join('results', 'charts');

export async function chartCommand(runPath: string, options: ChartOptions): Promise<number> {
  const written = await writeCharts(runPath, await readResults(runPath), options);
  const shown = (path: string) => {
    const inside = relative(process.cwd(), path);
    return inside.startsWith('..') || isAbsolute(inside) ? resolve(path) : inside;
  };
  process.stdout.write(
    `${written.charts.map((c) => `${shown(join(written.folder, c.name))}.{svg,png,vl.json}  ${c.title}`).join('\n')}\nreport: ${shown(written.report)}\n`,
  );
  return 0;
}

/** Writes every chart of `run` (and the report); `bench --chart` and `check --chart` call this too. */
export async function writeCharts(runPath: string, run: Results, options: ChartOptions): Promise<WrittenCharts> {
  const control = options.control ?? 'val';
  const given = options.workload !== undefined && options.workload.length > 0;
  const focus = given ? [...options.workload!] : defaultFocus(run);
  for (const w of focus) if (!run.config.workloads.includes(w)) throw new BadInput(`--workload ${w}: not in ${runPath} (it has ${run.config.workloads.length} workloads)`);
  const compare = options.base === undefined ? undefined : compareResults(await readResults(options.base), run, { base: options.base, head: runPath }, DEFAULT_COMPARE);
  const metric = options.metric === undefined ? undefined : parseMetric(options.metric);
  const history = options.history === undefined || options.history.length === 0 ? undefined : historyOf(await loadHistory(options.history), metric, DEFAULT_DETECTOR.significance);
  const charts = chartSet({ run, control, focus, compare, history });
  const folder = options.out ?? join(CHARTS_ROOT, basename(runPath).replace(/\.json$/, ''));
  await makeFolder(folder);
  for (const chart of charts) {
    const { svg, view, warnings } = await renderSvg(chart.spec);
    for (const warning of warnings) process.stderr.write(`${chart.name} chart: ${warning}\n`);
    for (const label of clippedLabels(view, svg)) process.stderr.write(`${chart.name} chart: label cut off: ${label.text}\n`);
    await writeFileAtomically(join(folder, `${chart.name}.svg`), svg);
    await writeFileAtomically(join(folder, `${chart.name}.png`), rasterize(svg).png);
    await writeFileAtomically(join(folder, `${chart.name}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
  }
  const report = join(folder, 'report.html');
  await writeFileAtomically(report, reportHtml({
      runPath,
      run,
      charts,
      basePath: options.base,
      historyPaths: options.history,
      focus: { workloads: focus, chosenBy: given ? 'given with --workload' : FOCUS_RULE },
    }));
  return { folder, report, charts };
}

async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw new BadInput(`${folder}: cannot make the charts folder: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}
