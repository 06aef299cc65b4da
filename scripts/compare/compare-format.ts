// A comparison for people and tools: aligned text for a terminal (one line per row that
// needs a look, criterion-style), Markdown for a pull request (regressions first, the
// rest folded away, environment and commands at the bottom), the report as JSON, and
// github-action-benchmark's `customSmallerIsBetter` list for teams that chart with it.
import { formatDuration } from '../format.ts';
import type { CompareReport, CompareRow } from './compare-results.ts';
import type { Verdict } from './verdict.ts';

export type CompareFormat = 'text' | 'md' | 'json' | 'gab';
export const COMPARE_FORMATS: readonly CompareFormat[] = ['text', 'md', 'json', 'gab'];

export interface FormatContext {
  /** The commands that reproduce this comparison, printed at the bottom of the Markdown. */
  readonly commands: readonly string[];
  /** Charts to link from the Markdown, as paths relative to where it is read. */
  readonly charts?: readonly string[];
}

export function formatCompare(report: CompareReport, format: CompareFormat, context: FormatContext): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'gab':
      return `${JSON.stringify(gab(report), null, 2)}\n`;
    case 'md':
      return markdown(report, context);
    case 'text':
      return text(report);
  }
}

/** `+31.2%`: a ratio as a signed change. */
export function formatChange(ratio: number): string {
  const percent = (ratio - 1) * 100;
  const digits = Math.abs(percent) < 9.95 ? 1 : 0;
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(digits)}%`;
}

const rowName = (r: CompareRow) => `${r.workload} ${r.strategy} ${r.phase}`;
const intervalText = (r: CompareRow) => `[${formatChange(r.ci[0])}, ${formatChange(r.ci[1])}]`;

/** What each verdict says in words, as a person would. */
function verdictWords(r: CompareRow, threshold: number): string {
  const band = `±${(threshold * 100).toFixed(0)}%`;
  if (r.capped === 'one process') return `inconclusive: one process per side shows no process-to-process variation (samples alone say ${intervalText(r)}); measure with --processes 2 or more`;
  if (r.reference && (r.verdict === 'regressed' || r.verdict === 'improved')) {
    return `${r.verdict === 'regressed' ? 'slower' : 'faster'} by ${intervalText(r)}: the machine or V8 changed, not this code (not gated)`;
  }
  switch (r.verdict) {
    case 'regressed':
      return `regressed: slower, by ${intervalText(r)}`;
    case 'improved':
      return `improved: faster, by ${intervalText(r)}`;
    case 'unchanged':
      return `unchanged: within ${band}`;
    case 'inconclusive':
      return `inconclusive: cannot tell (could be ${intervalText(r)}; this data resolves ${formatMde(r.mde)})`;
  }
}

const formatMde = (mde: number) => `${(mde * 100).toFixed(mde < 0.0995 ? 1 : 0)}%`;

const ORDER: readonly Verdict[] = ['regressed', 'improved', 'inconclusive', 'unchanged'];

function sortedRows(report: CompareReport): CompareRow[] {
  return [...report.rows].sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict) || Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)));
}

function headline(report: CompareReport): string {
  const v = report.verdicts;
  const d = report.drift;
  const parts = [`${v.regressed} regressed`, `${v.improved} improved`, `${v.unchanged} unchanged`, `${v.inconclusive} inconclusive`];
  const references = d.regressed + d.improved + d.unchanged + d.inconclusive;
  const moved = d.regressed + d.improved;
  const drift = references === 0 ? '' : `; reference rows (v8, floor, not gated): ${moved === 0 ? 'none moved' : `${d.regressed} slower, ${d.improved} faster`} of ${references}`;
  return `${parts.join(', ')} of ${report.rows.length - references} engine rows${drift}`;
}

function method(report: CompareReport): string {
  const confidence = `${(report.confidence * 100).toFixed(report.confidence >= 0.999 ? 1 : 0)}%`;
  return (
    `ratio HEAD/BASE of the mean of per-process medians; ${confidence} family-wise intervals over ${report.rows.length} rows ` +
    `(Bonferroni, z = ${report.z.toFixed(2)}) from a hierarchical bootstrap (processes, then samples)` +
    `${report.paired ? ', paired: both sides measured in the same processes' : ''}; threshold ±${(report.threshold * 100).toFixed(0)}%`
  );
}

function side(label: string, s: CompareReport['base']): string {
  const commit = s.commit === null ? 'no commit' : `${s.commit.slice(0, 12)}${s.dirty ? ' (dirty)' : ''}`;
  return `${label} ${s.path} (${commit}, ${s.createdAt})`;
}

/** Warnings a reader must see before trusting any verdict. */
function cautions(report: CompareReport): string[] {
  const out: string[] = [];
  if (!report.environment.same) out.push(`DIFFERENT ENVIRONMENTS: verdicts compare machines or engines, not only code (${report.environment.differences.join('; ')})`);
  for (const [label, s] of [['BASE', report.base], ['HEAD', report.head]] as const) {
    for (const { strategy, percent } of s.slowdowns) out.push(`INJECTED SLOWDOWN in ${label}: ${strategy} does ${percent}% extra work per instantiation`);
  }
  for (const d of report.configDifferences) if (!d.startsWith('injected')) out.push(`configurations differ: ${d}`);
  const capped = report.rows.filter((r) => r.capped !== undefined).length;
  if (capped > 0) out.push(`ONE PROCESS: ${capped} rows were measured in one process per side, which cannot tell a change from process-to-process variation; they are inconclusive whatever their interval`);
  // Unpaired, a machine that got slower between the runs moves the engine's rows too.
  if (!report.paired && report.drift.regressed > 0) out.push(`THE MACHINE DRIFTED: ${report.drift.regressed} reference rows got slower between the runs, so a regression here may be the machine's; prefer instlab check --against`);
  if (report.onlyIn.base.length > 0) out.push(`${report.onlyIn.base.length} rows only in BASE (not compared)`);
  if (report.onlyIn.head.length > 0) out.push(`${report.onlyIn.head.length} rows only in HEAD (not compared)`);
  return out;
}

function text(report: CompareReport): string {
  const out = [side('BASE', report.base), side('HEAD', report.head), ...cautions(report), ''];
  // Engine rows that need a look first, then the reference rows that moved.
  const sorted = sortedRows(report);
  const shown = [
    ...sorted.filter((r) => !r.reference && r.verdict !== 'unchanged'),
    ...sorted.filter((r) => r.reference && (r.verdict === 'regressed' || r.verdict === 'improved')),
  ];
  const table = shown.map((r) => [rowName(r), `${formatDuration(r.base)} → ${formatDuration(r.head)}`, formatChange(r.ratio), verdictWords(r, report.threshold)]);
  const widths = [0, 1, 2].map((c) => Math.max(0, ...table.map((row) => row[c].length)));
  for (const row of table) out.push(`${row[0].padEnd(widths[0])}  ${row[1].padStart(widths[1])}  ${row[2].padStart(widths[2])}  ${row[3]}`);
  if (shown.length > 0) out.push('');
  for (const c of report.counters) out.push(`counter ${c.workload} ${c.strategy} ${c.counter}: ${c.base} → ${c.head}`);
  if (report.counters.length > 0) out.push('');
  out.push(headline(report) + (report.counters.length > 0 ? `; ${report.counters.length} counter changes` : '; no counter changed'));
  out.push(method(report));
  return `${out.join('\n')}\n`;
}

function tableRows(rows: readonly CompareRow[]): string[] {
  const out = ['| row | base | head | change | 99% interval | verdict |', '| --- | ---: | ---: | ---: | ---: | --- |'];
  for (const r of rows) {
    out.push(`| \`${rowName(r)}\` | ${formatDuration(r.base)} | ${formatDuration(r.head)} | ${formatChange(r.ratio)} | ${intervalText(r)} | ${r.verdict} |`);
  }
  return out;
}

function markdown(report: CompareReport, context: FormatContext): string {
  const v = report.verdicts;
  const status = v.regressed > 0 ? `❌ ${v.regressed} regressed` : '✅ no regression';
  const out = [`## instlab compare: ${status}`, '', headline(report) + (report.counters.length > 0 ? `; ${report.counters.length} counter changes.` : '; no counter changed.'), ''];
  for (const c of cautions(report)) out.push(`> **${c}**`, '');
  const sorted = sortedRows(report);
  for (const [verdict, title] of [
    ['regressed', 'Regressions'],
    ['improved', 'Improvements'],
  ] as const) {
    const rows = sorted.filter((r) => !r.reference && r.verdict === verdict);
    if (rows.length > 0) out.push(`### ${title}`, '', ...tableRows(rows), '');
  }
  const drifted = sorted.filter((r) => r.reference && (r.verdict === 'regressed' || r.verdict === 'improved'));
  if (drifted.length > 0) out.push('### Reference rows that moved (the machine or V8, not gated)', '', ...tableRows(drifted), '');
  if (report.counters.length > 0) {
    out.push('### Counter changes (deterministic)', '', '| workload | strategy | counter | base | head |', '| --- | --- | --- | ---: | ---: |');
    for (const c of report.counters) out.push(`| \`${c.workload}\` | ${c.strategy} | ${c.counter} | ${c.base} | ${c.head} |`);
    out.push('');
  }
  for (const chart of context.charts ?? []) out.push(`![${chart}](${chart})`, '');
  const rest = sorted.filter((r) => r.verdict !== 'regressed' && r.verdict !== 'improved');
  if (rest.length > 0) {
    const references = rest.filter((r) => r.reference).length;
    const counts = `${v.inconclusive} inconclusive, ${v.unchanged} unchanged${references === 0 ? '' : `; ${references} reference rows, not gated`}`;
    out.push(`<details><summary>${rest.length} other rows (${counts})</summary>`, '', ...tableRows(rest), '', '</details>', '');
  }
  out.push('<details><summary>Method, environment and commands</summary>', '');
  out.push(`- ${method(report)}`);
  out.push(`- inconclusive: the interval holds 1 and reaches beyond the threshold; "resolves" is the change this data detects with 80% power`);
  out.push(`- ${side('BASE', report.base)}`, `- ${side('HEAD', report.head)}`);
  out.push(report.environment.same ? '- environment: the same on both sides' : `- environment differences: ${report.environment.differences.join('; ')}`);
  out.push('', '```sh', ...context.commands, '```', '', '</details>');
  return `${out.join('\n')}\n`;
}

/** github-action-benchmark's `customSmallerIsBetter`: one entry per row, HEAD's figure. */
function gab(report: CompareReport): { name: string; unit: string; value: number; range: string; extra: string }[] {
  return report.rows.map((r) => ({
    name: rowName(r),
    unit: 'ns',
    value: Math.round(r.head),
    range: `${formatChange(r.ci[0])}..${formatChange(r.ci[1])}`,
    extra: `${r.verdict}; base ${Math.round(r.base)} ns; ratio ${r.ratio.toFixed(4)}`,
  }));
}
