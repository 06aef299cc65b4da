// `instlab history DIR|FILE... [--metric WORKLOAD:STRATEGY:PHASE]`: results files ordered
// by the commit date of what they measured (the run's own date where git cannot tell),
// a series per row (the mean of its processes' medians, on a log scale so that a step
// is relative), and the change points E-divisive means finds in each.
import { spawnSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInput, UsageError } from '../bad-input.ts';
import { formatDuration } from '../format.ts';
import { readResults, type Results } from '../results-file.ts';
import { quantile, sortedNumbers } from '../statistics.ts';
import { changePoints, DEFAULT_DETECTOR } from './e-divisive.ts';

export interface HistoryOptions {
  readonly metric?: string;
  readonly format?: string;
  readonly significance?: string;
}

export interface HistoryRun {
  readonly path: string;
  readonly commit: string | null;
  /** ISO date the series is ordered by: the commit's date, else the run's. */
  readonly date: string;
}

export interface HistorySeries {
  readonly workload: string;
  readonly strategy: string;
  readonly phase: string;
  /** Per run in order, nanoseconds; null where the run has no such row. */
  readonly values: readonly (number | null)[];
  readonly changes: readonly {
    /** Index into runs of the first run after the change. */
    readonly run: number;
    readonly before: number;
    readonly after: number;
    readonly ratio: number;
    readonly pValue: number;
  }[];
}

export interface HistoryReport {
  readonly schema: 'instlab.history/1';
  readonly significance: number;
  readonly runs: readonly HistoryRun[];
  readonly series: readonly HistorySeries[];
}

export async function historyCommand(inputs: readonly string[], options: HistoryOptions): Promise<number> {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${format}`);
  const significance = options.significance === undefined ? DEFAULT_DETECTOR.significance : /^0?\.\d+$/.test(options.significance) ? Number(options.significance) : NaN;
  if (!(significance > 0 && significance < 0.5)) {
    throw new UsageError(`--significance is a fraction between 0 and 0.5 (e.g. 0.01), not ${options.significance}`);
  }
  const metric = options.metric === undefined ? undefined : parseMetric(options.metric);
  const report = historyOf(await loadHistory(inputs), metric, significance);
  if (metric !== undefined && report.series.length === 0) throw new BadInput(`no results file has the row ${options.metric}`);
  process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : text(report));
  return 0;
}

/** The results files of folders and files given, each read and validated. */
export async function loadHistory(inputs: readonly string[]): Promise<{ path: string; results: Results }[]> {
  const loaded: { path: string; results: Results }[] = [];
  for (const path of await resultFiles(inputs)) loaded.push({ path, results: await readResults(path) });
  return loaded;
}

export function parseMetric(text: string): { workload: string; strategy: string; phase: string } {
  // The workload may hold ':' (a file path), so strategy and phase are taken from the end.
  const parts = text.split(':');
  const phase = parts.pop();
  const strategy = parts.pop();
  if (parts.length === 0 || (phase !== 'compile' && phase !== 'instantiate') || !strategy) {
    throw new UsageError(`--metric is WORKLOAD:STRATEGY:PHASE (phase compile or instantiate), not ${text}`);
  }
  return { workload: parts.join(':'), strategy, phase };
}

async function resultFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let isFolder = false;
    try {
      isFolder = (await stat(input)).isDirectory();
    } catch {
      throw new BadInput(`${input}: no such file or folder`);
    }
    if (isFolder) out.push(...(await readdir(input)).filter((f) => f.endsWith('.json')).sort().map((f) => join(input, f)));
    else out.push(input);
  }
  if (out.length < 2) throw new BadInput(`history needs at least two results files (found ${out.length} in ${inputs.join(', ')})`);
  return out;
}

export function historyOf(
  loaded: readonly { path: string; results: Results }[],
  metric: { workload: string; strategy: string; phase: string } | undefined,
  significance: number,
): HistoryReport {
  const runs = loaded.map(({ path, results }) => ({ path, results, commit: results.environment.git.commit, date: commitDate(results) }));
  runs.sort((a, b) => a.date.localeCompare(b.date) || a.results.createdAt.localeCompare(b.results.createdAt));
  const keys = new Map<string, { workload: string; strategy: string; phase: string }>();
  for (const { results } of runs) {
    for (const r of results.rows) {
      if (metric !== undefined && (r.workload !== metric.workload || r.strategy !== metric.strategy || r.phase !== metric.phase)) continue;
      keys.set(`${r.workload} ${r.strategy} ${r.phase}`, { workload: r.workload, strategy: r.strategy, phase: r.phase });
    }
  }
  const series: HistorySeries[] = [];
  for (const key of keys.values()) {
    const values = runs.map(({ results }) => {
      const row = results.rows.find((r) => r.workload === key.workload && r.strategy === key.strategy && r.phase === key.phase);
      if (row === undefined) return null;
      const medians = row.samples.map((s) => quantile(sortedNumbers(s), 0.5));
      return medians.reduce((a, b) => a + b, 0) / medians.length;
    });
    // Runs without the row are left out of the detection and mapped back to run indices.
    const present = values.flatMap((v, i) => (v === null ? [] : [{ v, i }]));
    const found = changePoints(
      present.map((p) => Math.log(p.v)),
      { ...DEFAULT_DETECTOR, significance },
    );
    series.push({
      ...key,
      values,
      changes: found.map((c) => ({
        run: present[c.index].i,
        before: Math.exp(c.before),
        after: Math.exp(c.after),
        ratio: Math.exp(c.after - c.before),
        pValue: c.pValue,
      })),
    });
  }
  return { schema: 'instlab.history/1', significance, runs: runs.map(({ path, commit, date }) => ({ path, commit, date })), series };
}

const dates = new Map<string, string | null>();

/** The commit date of what a run measured, from git where the commit is known here. */
function commitDate(results: Results): string {
  const commit = results.environment.git.commit;
  if (commit !== null) {
    if (!dates.has(commit)) {
      const shown = spawnSync('git', ['show', '-s', '--format=%cI', commit], { encoding: 'utf8', cwd: new URL('../..', import.meta.url) });
      dates.set(commit, shown.status === 0 && shown.stdout.trim() !== '' ? new Date(shown.stdout.trim()).toISOString() : null);
    }
    const date = dates.get(commit);
    if (date != null) return date;
  }
  return results.createdAt;
}

function text(report: HistoryReport): string {
  const out = [`${report.runs.length} runs, from ${report.runs[0].date} to ${report.runs[report.runs.length - 1].date}`];
  const changed = report.series.filter((s) => s.changes.length > 0);
  if (changed.length > 0) out.push('', 'row                                                   run  commit        before → after            change   p');
  for (const s of changed) {
    for (const c of s.changes) {
      const run = report.runs[c.run];
      const name = `${s.workload} ${s.strategy} ${s.phase}`;
      const change = `${c.ratio >= 1 ? '+' : '−'}${(Math.abs(c.ratio - 1) * 100).toFixed(1)}%`;
      out.push(
        `${name.padEnd(52)}  ${String(c.run + 1).padStart(3)}  ${(run.commit ?? 'no commit').slice(0, 12).padEnd(12)}  ` +
          `${`${formatDuration(c.before)} → ${formatDuration(c.after)}`.padEnd(24)}  ${change.padStart(7)}  ${c.pValue.toFixed(3)}`,
      );
    }
  }
  out.push(
    '',
    `${changed.length} of ${report.series.length} rows have a change point (E-divisive means on log times, permutation test, significance ${report.significance}; ` +
      `run numbers count from 1 in commit-date order)`,
  );
  return `${out.join('\n')}\n`;
}
