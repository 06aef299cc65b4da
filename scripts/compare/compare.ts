// `instlab compare BASE.json HEAD.json`: a verdict per row of two results files. Exit 1
// when any engine row regressed (the reference rows `v8` and `floor` are reported as the
// machine's drift, never gated), 2 for unusable input (the CLI maps BadInput), else 0.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInput, wholeNumber, UsageError } from '../bad-input.ts';
import { invocation } from '../format.ts';
import { readResults, type Results } from '../results-file.ts';
import { compareResults, DEFAULT_COMPARE, type CompareOptions, type CompareReport } from './compare-results.ts';
import { COMPARE_FORMATS, formatCompare, type CompareFormat } from './compare-format.ts';

export interface CompareFlags {
  readonly threshold?: string;
  readonly confidence?: string;
  readonly format?: string;
  readonly seed?: string;
}

export interface ParsedCompareFlags {
  readonly options: CompareOptions;
  readonly format: CompareFormat;
}

export function parseCompareFlags(flags: CompareFlags): ParsedCompareFlags {
  const format = (flags.format ?? 'text') as CompareFormat;
  if (!COMPARE_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${COMPARE_FORMATS.join(', ')}, not ${flags.format}`);
  const threshold = flags.threshold === undefined ? DEFAULT_COMPARE.threshold * 100 : decimal(flags.threshold);
  if (!(threshold > 0 && threshold < 100)) throw new UsageError(`--threshold is a percentage above 0 and below 100, not ${flags.threshold}`);
  const confidence = flags.confidence === undefined ? DEFAULT_COMPARE.confidence : decimal(flags.confidence);
  if (!(confidence >= 0.5 && confidence < 1)) throw new UsageError(`--confidence is a fraction from 0.5 to below 1 (e.g. 0.99), not ${flags.confidence}`);
  const seed = wholeNumber('--seed', flags.seed, DEFAULT_COMPARE.seed, 0, 2 ** 32 - 1);
  return { options: { ...DEFAULT_COMPARE, threshold: threshold / 100, confidence, seed }, format };
}

/** A plain decimal: `5`, `2.5`, `0.99` (no hex, exponents or trailing text). */
function decimal(text: string): number {
  return /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
}

export async function compareCommand(basePath: string, headPath: string, flags: CompareFlags & { readonly charts?: string }): Promise<number> {
  const { options, format } = parseCompareFlags(flags);
  const base = await readResults(basePath);
  const head = await readResults(headPath);
  const report = compareFiles(base, head, { base: basePath, head: headPath }, options);
  const charts = flags.charts === undefined ? undefined : [await drawnChart(flags.charts, 'compare.png')];
  process.stdout.write(formatCompare(report, format, { commands: [invocation()], charts }));
  return exitStatus(report);
}

/** A chart that `instlab chart` wrote into `folder`: a Markdown link to a missing file would show as broken. */
async function drawnChart(folder: string, file: string): Promise<string> {
  const path = join(folder, file);
  try {
    await access(path);
  } catch {
    throw new BadInput(`--charts ${folder}: no ${file} there (draw it with instlab chart HEAD.json --base BASE.json --out ${folder})`);
  }
  return path;
}

/** Two results files that share no row cannot be compared: that is bad input, not "no regression". */
export function compareFiles(base: Results, head: Results, paths: { base: string; head: string }, options: CompareOptions): CompareReport {
  const report = compareResults(base, head, paths, options);
  if (report.rows.length === 0) throw new BadInput(`${paths.head}: no row in common with ${paths.base} (different workloads or strategies)`);
  return report;
}

export function exitStatus(report: CompareReport): number {
  return report.verdicts.regressed > 0 ? 1 : 0;
}
