// Compares two results files row by row (workload × strategy × phase present in both):
// the ratio HEAD/BASE of the rows' statistics with a family-wise confidence interval from
// a hierarchical bootstrap, a verdict per row, every counter that changed, and what
// differs between the two environments and configurations.
import { environmentDifferences } from '../bench/environment.ts';
import type { InstantiationCounters } from '../../runtime/instance/counters.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import { REFERENCE_STRATEGIES, type Phase, type ResultRow, type Results } from '../results-file.ts';
import { bootstrapRatio, ResampledMedian, rowStatistic } from './bootstrap.ts';
import { ratioInterval, verdictOf, type Verdict } from './verdict.ts';
import { normalQuantileUpper, studentQuantileUpper } from './distributions.ts';
import { moderate, priorVariance } from './process-variance.ts';

export const COMPARE_SCHEMA = 'instlab.compare/1';

export interface CompareOptions {
  /** The practical threshold as a fraction: 0.05 for 5 %. */
  readonly threshold: number;
  /** Family-wise confidence over all rows compared: 0.99. */
  readonly confidence: number;
  readonly replicates: number;
  readonly seed: number;
  /** Each row's interval at `confidence` on its own, not family-wise: error bars for a chart, never a gate's verdicts. */
  readonly pointwise?: boolean;
}

export const DEFAULT_COMPARE: CompareOptions = { threshold: 0.05, confidence: 0.99, replicates: 2000, seed: 1 };

export interface CompareRow {
  readonly workload: string;
  readonly strategy: string;
  readonly phase: Phase;
  /** Nanoseconds: the mean of the processes' medians on each side. */
  readonly base: number;
  readonly head: number;
  readonly ratio: number;
  readonly ci: readonly [number, number];
  readonly verdict: Verdict;
  readonly mde: number;
  readonly processes: { readonly base: number; readonly head: number };
  /** A `v8` or `floor` row: its change is drift of the machine or of V8, never a regression of this code. */
  readonly reference: boolean;
  /**
   * Set when the data cannot support a verdict other than `inconclusive`, whatever the
   * interval says: one process on a side (one pair, paired) shows no process-to-process
   * variation, which on this machine class is 13–30 % of a small row's time.
   */
  readonly capped?: 'one process';
}

export interface CounterChange {
  readonly workload: string;
  readonly strategy: string;
  readonly counter: string;
  readonly base: number;
  readonly head: number;
}

export interface SideInfo {
  readonly path: string;
  readonly commit: string | null;
  readonly dirty: boolean | null;
  readonly createdAt: string;
  readonly slowdowns: Results['config']['slowdowns'];
}

export interface CompareReport {
  readonly schema: typeof COMPARE_SCHEMA;
  readonly base: SideInfo;
  readonly head: SideInfo;
  readonly threshold: number;
  readonly confidence: number;
  /** Both sides measured in the same processes (`instlab check --against`). */
  readonly paired: boolean;
  /** The two-sided normal quantile of the family-wise level (rows with few processes use Student's t, wider). */
  readonly z: number;
  readonly rows: readonly CompareRow[];
  readonly counters: readonly CounterChange[];
  readonly environment: { readonly same: boolean; readonly differences: readonly string[] };
  /** Configuration differences that change what the timings mean (samples, budgets, slowdowns, the memory pool). */
  readonly configDifferences: readonly string[];
  /** Rows measured on one side only. */
  readonly onlyIn: { readonly base: readonly string[]; readonly head: readonly string[] };
  /** Verdicts of the engine's rows: what the gate's exit code follows. */
  readonly verdicts: Readonly<Record<Verdict, number>>;
  /** Verdicts of the reference rows (`v8`, `floor`): a regressed one says the machine got slower. */
  readonly drift: Readonly<Record<Verdict, number>>;
}

const rowKey = (r: Pick<ResultRow, 'workload' | 'strategy' | 'phase'>) => `${r.workload} ${r.strategy} ${r.phase}`;

export function compareResults(
  base: Results,
  head: Results,
  paths: { readonly base: string; readonly head: string },
  options: CompareOptions = DEFAULT_COMPARE,
): CompareReport {
  const headRows = new Map(head.rows.map((r) => [rowKey(r), r]));
  const baseRows = new Map(base.rows.map((r) => [rowKey(r), r]));
  const common = base.rows.filter((r) => headRows.has(rowKey(r)));
  const paired = isPaired(base, head);
  const family = options.pointwise === true ? 1 : Math.max(1, common.length);
  const alpha = (1 - options.confidence) / family;
  // Every row's processes, sorted once: the bootstrap draws from them, and their medians
  // give the between-process variances and the priors.
  const prepared = common.map((b): PreparedRow => {
    const h = headRows.get(rowKey(b))!;
    const baseSide = b.samples.map((s) => new ResampledMedian(s));
    const headSide = h.samples.map((s) => new ResampledMedian(s));
    const logBase = baseSide.map((p) => Math.log(p.median));
    const logHead = headSide.map((p) => Math.log(p.median));
    const pairedRow = paired && baseSide.length === headSide.length;
    return { b, baseSide, headSide, logBase, logHead, logRatios: pairedRow ? logHead.map((v, p) => v - logBase[p]) : undefined };
  });
  // The priors: one per phase and side (paired: per phase, of the per-process ratios).
  const priors = new Map<string, number | undefined>();
  for (const phase of new Set(common.map((r) => r.phase))) {
    const rows = prepared.filter((r) => r.b.phase === phase);
    priors.set(`${phase} base`, priorVariance(rows.map((r) => r.logBase)));
    priors.set(`${phase} head`, priorVariance(rows.map((r) => r.logHead)));
    priors.set(`${phase} paired`, priorVariance(rows.flatMap((r) => (r.logRatios === undefined ? [] : [r.logRatios]))));
  }
  // One generator for the whole comparison, in row order: the same files and seed give the same intervals.
  const random = new SeededRandom(options.seed);
  const rows = prepared.map((row): CompareRow => {
    const { b, baseSide, headSide } = row;
    const boot = bootstrapRatio(baseSide, headSide, row.logRatios !== undefined, options.replicates, random);
    const model = processError(row, priors);
    // The wider of the two: the bootstrap sees sampling noise within processes, the model
    // a between-process spread that a few processes can hide.
    const standardError = Math.max(boot.standardError, model.standardError);
    const z = model.df === undefined ? normalQuantileUpper(alpha / 2) : studentQuantileUpper(alpha / 2, model.df);
    const interval = ratioInterval(boot.logRatio, standardError, z);
    const onePair = row.logRatios !== undefined ? row.logRatios.length < 2 : baseSide.length < 2 || headSide.length < 2;
    const verdict = verdictOf(interval.ci, options.threshold);
    return {
      workload: b.workload,
      strategy: b.strategy,
      phase: b.phase,
      base: rowStatistic(baseSide),
      head: rowStatistic(headSide),
      ...interval,
      verdict: onePair ? 'inconclusive' : verdict,
      processes: { base: baseSide.length, head: headSide.length },
      reference: REFERENCE_STRATEGIES.has(b.strategy),
      ...(onePair ? { capped: 'one process' as const } : {}),
    };
  });
  const z = normalQuantileUpper(alpha / 2);
  const differences = environmentDifferences(base.environment, head.environment).filter((d) => !d.startsWith('git commit'));
  const verdicts: Record<Verdict, number> = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 };
  const drift: Record<Verdict, number> = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 };
  for (const row of rows) (row.reference ? drift : verdicts)[row.verdict]++;
  return {
    schema: COMPARE_SCHEMA,
    base: sideInfo(base, paths.base),
    head: sideInfo(head, paths.head),
    threshold: options.threshold,
    confidence: options.confidence,
    paired,
    z,
    rows,
    counters: counterChanges(base.counters, head.counters),
    environment: { same: differences.length === 0, differences },
    configDifferences: configDifferences(base, head),
    onlyIn: {
      base: base.rows.filter((r) => !headRows.has(rowKey(r))).map(rowKey),
      head: head.rows.filter((r) => !baseRows.has(rowKey(r))).map(rowKey),
    },
    verdicts,
    drift,
  };
}

interface PreparedRow {
  readonly b: ResultRow;
  readonly baseSide: readonly ResampledMedian[];
  readonly headSide: readonly ResampledMedian[];
  /** ln of each process's median, per side. */
  readonly logBase: readonly number[];
  readonly logHead: readonly number[];
  /** ln(head/base) per process, when the sides were measured in the same processes. */
  readonly logRatios: readonly number[] | undefined;
}

/**
 * The standard error of a row's log ratio from its moderated between-process variances,
 * with the degrees of freedom of its t quantile (undefined: nothing to moderate with).
 */
function processError(row: PreparedRow, priors: ReadonlyMap<string, number | undefined>): { standardError: number; df: number | undefined } {
  const phase = row.b.phase;
  if (row.logRatios !== undefined) {
    const m = moderate(row.logRatios, priors.get(`${phase} paired`));
    return m === undefined ? { standardError: 0, df: undefined } : { standardError: Math.sqrt(m.variance / row.logRatios.length), df: m.df };
  }
  const mb = moderate(row.logBase, priors.get(`${phase} base`));
  const mh = moderate(row.logHead, priors.get(`${phase} head`));
  if (mb === undefined || mh === undefined) return { standardError: 0, df: undefined };
  // Welch–Satterthwaite would need per-side trust; the smaller df is the cautious choice.
  return { standardError: Math.sqrt(mb.variance / row.logBase.length + mh.variance / row.logHead.length), df: Math.min(mb.df, mh.df) };
}

/** Two halves of one `check --against` run: the same pairing id, one base and one head. */
function isPaired(base: Results, head: Results): boolean {
  const a = base.config.pairing;
  const b = head.config.pairing;
  return a != null && b != null && a.id === b.id && a.side === 'base' && b.side === 'head';
}

function sideInfo(results: Results, path: string): SideInfo {
  return {
    path,
    commit: results.config.pairing?.commit ?? results.environment.git.commit,
    dirty: results.config.pairing === undefined ? results.environment.git.dirty : null,
    createdAt: results.createdAt,
    slowdowns: results.config.slowdowns,
  };
}

type CounterTable = Results['counters'];

/** Every counter that differs, for workload × strategy pairs counted on both sides. */
export function counterChanges(base: CounterTable, head: CounterTable): CounterChange[] {
  const changes: CounterChange[] = [];
  for (const [workload, byStrategy] of Object.entries(base)) {
    const other = head[workload];
    if (other === undefined) continue;
    for (const [strategy, counters] of Object.entries(byStrategy)) {
      const next = other[strategy];
      if (next === undefined) continue;
      for (const counter of Object.keys(counters) as (keyof InstantiationCounters)[]) {
        if (counters[counter] !== next[counter]) changes.push({ workload, strategy, counter, base: counters[counter], head: next[counter] });
      }
    }
  }
  return changes;
}

function configDifferences(base: Results, head: Results): string[] {
  const out: string[] = [];
  const a = base.config;
  const b = head.config;
  const fields: [string, unknown, unknown][] = [
    ['quick', a.quick, b.quick],
    ['processes', a.processes, b.processes],
    ['samples', a.samples, b.samples],
    ['budgetMs', a.budgetMs, b.budgetMs],
  ];
  for (const [name, x, y] of fields) if (x !== y) out.push(`${name}: ${String(x)} vs ${String(y)}`);
  const slowdowns = (r: Results) => r.config.slowdowns.map((s) => `${s.strategy}=${s.percent}%`).join(', ') || 'none';
  if (slowdowns(base) !== slowdowns(head)) out.push(`injected slowdowns: ${slowdowns(base)} vs ${slowdowns(head)}`);
  // A pooled row includes the release and reuses its memory: against a fresh one it measures a different thing.
  const pool = (r: Results) => (r.config.memoryPool === true ? 'on' : 'off');
  if (pool(base) !== pool(head)) out.push(`memory pool: ${pool(base)} vs ${pool(head)}`);
  return out;
}
