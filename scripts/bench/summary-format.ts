// The bench summary for people: a table per phase as aligned text for a terminal or as
// Markdown for a pull request, and the notes under it (noise, floor violations, missing
// V8 rows, injected slowdowns). Both read the plain data of summary.ts; JSON is that data.
import { formatBytes, formatDuration } from '../format.ts';
import type { BenchSummary, Comparison, PhaseSummary, SummaryCell } from './summary.ts';

export type SummaryFormat = 'text' | 'md' | 'json';

export function formatSummary(summary: BenchSummary, format: SummaryFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(summary, null, 2)}\n`;
    case 'md':
      return markdown(summary);
    case 'text':
      return text(summary);
  }
}

/** `1.23 ms ±4%`: the median, and the wider side of its interval in percent of it. */
export function formatCell(cell: SummaryCell | undefined): string {
  if (cell === undefined) return '—';
  const spread = Math.max(cell.median - cell.interval[0], cell.interval[1] - cell.median) / cell.median;
  const flags = `${cell.noisy ? ' ~' : ''}${cell.belowFloor ? ' !' : ''}`;
  return `${formatDuration(cell.median)} ±${formatPercent(spread)}${flags}`;
}

function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return percent < 9.95 ? `${percent.toFixed(1)}%` : `${percent.toFixed(0)}%`;
}

export function formatComparison(comparison: Comparison | undefined): string {
  if (comparison === undefined) return '—';
  const { strategy, speedup, verdict } = comparison;
  if (verdict === 'same') return `${strategy} ≈`;
  const factor = verdict === 'faster' ? speedup : 1 / speedup;
  return `${strategy} ${factor >= 10 ? factor.toFixed(0) : factor.toFixed(2)}× ${verdict}`;
}

/** A phase's table as cells, header first: what the text, Markdown and HTML reports lay out. */
export function summaryTable(phase: PhaseSummary): string[][] {
  // What a compiled module keeps in memory, where it was measured (results files from before it have none).
  const kept = phase.lines.some((line) => line.keptBytes !== undefined);
  const header = ['workload', ...phase.columns, 'best vs v8', ...(kept ? ['module keeps'] : [])];
  const body = phase.lines.map((line) => [
    line.workload,
    ...phase.columns.map((c) => formatCell(line.cells[c])),
    formatComparison(line.bestVsV8),
    ...(kept ? [line.keptBytes === undefined ? '' : formatBytes(line.keptBytes)] : []),
  ]);
  return [header, ...body];
}

function text(summary: BenchSummary): string {
  const out: string[] = [];
  for (const phase of summary.phases) {
    if (phase.lines.every((line) => Object.keys(line.cells).length === 0)) continue;
    const table = summaryTable(phase);
    const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
    out.push('', `${phase.phase} — median ±95% interval`);
    for (const [i, row] of table.entries()) {
      out.push(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd());
      if (i === 0) out.push(widths.map((w) => '─'.repeat(w)).join('  '));
    }
  }
  out.push('', ...notes(summary));
  return `${out.join('\n')}\n`;
}

function markdown(summary: BenchSummary): string {
  const out: string[] = [];
  for (const phase of summary.phases) {
    if (phase.lines.every((line) => Object.keys(line.cells).length === 0)) continue;
    const [header, ...body] = summaryTable(phase);
    out.push(`### ${phase.phase} (median ±95% interval)`, '');
    out.push(`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
    for (const row of body) out.push(`| ${row.map((cell, i) => (i === 0 ? `\`${cell}\`` : cell)).join(' | ')} |`);
    out.push('');
  }
  out.push(...notes(summary).map((note) => `- ${note}`));
  return `${out.join('\n')}\n`;
}

/** What a reader must know to trust the table, one line each. */
export function notes(summary: BenchSummary): string[] {
  const lines: string[] = [];
  for (const { strategy, percent } of summary.slowdowns) {
    lines.push(`INJECTED SLOWDOWN: ${strategy} instantiations do ${percent}% extra work; these figures do not measure the code as it is`);
  }
  const limit = `±${(summary.noiseLimit * 100).toFixed(0)}%`;
  lines.push(
    summary.noisyRows === 0
      ? `noise: every row's interval is within ${limit} of its median`
      : `noise: ${summary.noisyRows} of ${summary.rows} rows have an interval wider than ${limit} of the median (marked ~)`,
  );
  lines.push(
    summary.floorViolations.length === 0
      ? 'floor: no row lies below its floor'
      : `floor violations (marked !): ${summary.floorViolations.map((v) => `${v.workload} ${v.strategy}`).join(', ')}`,
  );
  for (const { workload, strategy, reason } of summary.unavailable) lines.push(`${strategy} unavailable for ${workload}: ${reason}`);
  // Pooled figures include the release and reuse memory: a reader must not take them for fresh instantiations.
  const pool = summary.memoryPool ? ' · memory pool on (instantiate + release; v8 unchanged)' : '';
  lines.push(`≈: the intervals overlap (no difference shown) · ${summary.processes} process${summary.processes === 1 ? '' : 'es'} · seed ${summary.seed}${pool}`);
  return lines;
}
