// `instlab calibrate [--quick] [--json]`: how often the gate cries wolf and how often it
// catches a real slowdown, measured on this machine for both modes.
//
// Each mode measures a representative subset of the workloads once with many processes
// (no injection) and once with known slowdowns injected, one size per strategy (2, 5,
// 10, 20 %). Comparisons are then drawn by resampling processes: each takes a random
// set of k processes per side, k being what a real check uses (2 quick, 3 full), so one
// minute of measuring yields hundreds of comparisons. A false positive is a comparison in
// which any engine row that nothing was injected into is called regressed or improved (the
// gated rows: `v8` and `floor` are reported as drift, never fail a check; family-
// wise, as the gate's correction promises); a detection is an injected row called
// regressed. The comparisons share processes, so they are not independent: the rates are
// estimates of what a check on this machine does, with the counts stated beside them.
import { wholeNumber, UsageError } from '../bad-input.ts';
import { quantile, sortedNumbers } from '../statistics.ts';
import { planBench, runBench, type BenchOptions } from '../bench/bench.ts';
import { measurePaired } from '../check/paired-run.ts';
import { ENTRY, PROJECT } from '../check/worktree.ts';
import { compareResults, DEFAULT_COMPARE } from '../compare/compare-results.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import { writeResults, type Results } from '../results-file.ts';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** The subset: one workload per mechanism (globals, extended-const, tables, data, GC, a real module), mid-sized. */
export const CALIBRATION_WORKLOADS = [
  'globals-i32/1000',
  'globals-extconst/100',
  'elem-funcref/1000',
  'data-segments/100',
  'gc-struct-globals/100',
  'real-world/web-tree-sitter',
];

/** One injected slowdown per strategy; `raw` stays clean beside the reference rows. */
export const INJECTED: readonly { strategy: string; percent: number }[] = [
  { strategy: 'cached', percent: 2 },
  { strategy: 'compiled', percent: 5 },
  { strategy: 'fast-path', percent: 10 },
  { strategy: 'val', percent: 20 },
];

export interface CalibrationMode {
  readonly mode: 'baseline' | 'paired';
  readonly falsePositiveRate: number;
  readonly comparisons: number;
  readonly detection: readonly {
    readonly slowdown: number;
    readonly rate: number;
    readonly comparisons: number;
    /** The slowdown the injected rows showed, from every process at once (mean of per-row ratios). */
    readonly measured: number;
  }[];
  /** Median over comparisons of the median interval width (hi/lo − 1) of the clean rows. */
  readonly medianWidth: number;
  /** Processes per side in each comparison, and measured per run. */
  readonly processesPerSide: number;
  readonly processesMeasured: number;
  readonly rowsPerComparison: number;
  readonly seconds: number;
}

export interface Calibration {
  readonly schema: 'instlab.calibration/1';
  readonly date: string;
  readonly quick: boolean;
  readonly workloads: readonly string[];
  readonly threshold: number;
  readonly confidence: number;
  readonly modes: readonly CalibrationMode[];
}

export interface CalibrateOptions {
  readonly quick?: boolean;
  readonly json?: boolean;
  readonly comparisons?: string;
  readonly processes?: string;
  readonly seed?: string;
  readonly perSide?: string;
  readonly keep?: string;
}

export async function calibrateCommand(options: CalibrateOptions): Promise<number> {
  const quick = options.quick === true;
  const comparisons = wholeNumber('--comparisons', options.comparisons, quick ? 200 : 300, 1, 100_000);
  const measured = wholeNumber('--processes', options.processes, quick ? 10 : 12, 1, 1000);
  const seed = wholeNumber('--seed', options.seed, Date.now() % 2 ** 31, 0, 2 ** 31);
  const perSide = wholeNumber('--per-side', options.perSide, quick ? 2 : 3, 1, 1000);
  if (measured < 2 * perSide) throw new UsageError(`--processes must be at least ${2 * perSide} (two disjoint sets of ${perSide})`);
  const folder = options.keep ?? (await mkdtemp(join(tmpdir(), 'instlab-calibrate-')));
  try {
    const bench: BenchOptions = { quick, workload: CALIBRATION_WORKLOADS, processes: String(measured), seed: String(seed) };
    const injected = INJECTED.map((i) => `${i.strategy}=${i.percent}`);
    const modes: CalibrationMode[] = [];

    let started = Date.now();
    const clean = (await runBench([], { ...bench, out: join(folder, 'clean.json') })).results;
    const slowed = (await runBench([], { ...bench, seed: String(seed + 1), injectSlowdown: injected, out: join(folder, 'slowed.json') })).results;
    modes.push(judge('baseline', clean, slowed, perSide, comparisons, seed, (Date.now() - started) / 1000));

    started = Date.now();
    const planned = await planBench([], { ...bench, seed: String(seed + 2), injectSlowdown: injected, out: join(folder, 'paired.json') });
    const self = { entry: join(PROJECT, ENTRY), commit: null, revision: 'HEAD (A/A)' };
    const paired = await measurePaired(planned, self);
    if (options.keep !== undefined) {
      await writeResults(join(folder, 'paired.base.json'), paired.base);
      await writeResults(join(folder, 'paired.json'), paired.head);
    }
    modes.push(judge('paired', paired.base, paired.head, perSide, comparisons, seed, (Date.now() - started) / 1000));

    const calibration: Calibration = {
      schema: 'instlab.calibration/1',
      date: new Date().toISOString(),
      quick,
      workloads: CALIBRATION_WORKLOADS,
      threshold: DEFAULT_COMPARE.threshold,
      confidence: DEFAULT_COMPARE.confidence,
      modes,
    };
    process.stdout.write(options.json === true ? `${JSON.stringify(calibration, null, 2)}\n` : text(calibration));
    return 0;
  } finally {
    if (options.keep === undefined) await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Draws `count` comparisons of BASE-side against HEAD-side process sets. Independent
 * runs draw the two sets from their own run; a paired run draws one set of process
 * indices for both sides, as a paired check has.
 */
export function judge(
  mode: 'baseline' | 'paired',
  base: Results,
  head: Results,
  perSide: number,
  count: number,
  seed: number,
  seconds: number,
): CalibrationMode {
  const random = new SeededRandom(seed);
  const injected = new Map(head.config.slowdowns.map((s) => [s.strategy, s.percent]));
  const isInjected = (strategy: string, phase: string) => phase === 'instantiate' && injected.has(strategy);
  let falsePositives = 0;
  const caught = new Map<number, { hits: number; total: number }>([...injected.values()].map((p) => [p, { hits: 0, total: 0 }]));
  let rows = 0;
  const widths: number[] = [];
  for (let c = 0; c < count; c++) {
    const baseSet = pick(random, base.config.processes, perSide);
    const headSet = mode === 'paired' ? baseSet : pick(random, head.config.processes, perSide);
    const report = compareResults(subset(base, baseSet), subset(head, headSet), { base: 'base', head: 'head' }, { ...DEFAULT_COMPARE, replicates: 500, seed: c + 1 });
    rows = report.rows.length;
    if (report.rows.some((r) => !r.reference && !isInjected(r.strategy, r.phase) && (r.verdict === 'regressed' || r.verdict === 'improved'))) falsePositives++;
    const clean = report.rows.filter((r) => !isInjected(r.strategy, r.phase)).map((r) => r.ci[1] / r.ci[0] - 1);
    widths.push(median(clean));
    for (const r of report.rows) {
      if (!isInjected(r.strategy, r.phase)) continue;
      const tally = caught.get(injected.get(r.strategy)!)!;
      tally.total++;
      if (r.verdict === 'regressed') tally.hits++;
    }
  }
  // The size the injections really had: every process of both sides compared at once.
  const all = compareResults(base, head, { base: 'base', head: 'head' }, { ...DEFAULT_COMPARE, replicates: 200 });
  const measured = (percent: number) =>
    Math.exp(median(all.rows.filter((r) => isInjected(r.strategy, r.phase) && injected.get(r.strategy) === percent).map((r) => Math.log(r.ratio)))) - 1;
  return {
    mode,
    falsePositiveRate: falsePositives / count,
    comparisons: count,
    detection: [...caught.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([percent, t]) => ({ slowdown: percent / 100, rate: t.hits / t.total, comparisons: t.total, measured: measured(percent) })),
    medianWidth: median(widths),
    processesPerSide: perSide,
    processesMeasured: base.config.processes,
    rowsPerComparison: rows,
    seconds,
  };
}

const median = (values: readonly number[]) => (values.length === 0 ? NaN : quantile(sortedNumbers(values), 0.5));

function pick(random: SeededRandom, n: number, k: number): number[] {
  return random.shuffle([...Array(n).keys()]).slice(0, k).sort((a, b) => a - b);
}

/** The same results with only the given processes' samples (an in-memory view for comparing). */
function subset(results: Results, processes: readonly number[]): Results {
  return {
    ...results,
    config: { ...results.config, processes: processes.length },
    rows: results.rows.map((r) => ({ ...r, samples: processes.map((p) => r.samples[p]) })),
  };
}

function text(c: Calibration): string {
  const out = [
    `calibration ${c.date}${c.quick ? ' (quick)' : ''}: ${c.workloads.length} workloads (${c.workloads.join(', ')})`,
    `threshold ±${c.threshold * 100}%, ${c.confidence * 100}% family-wise`,
    '',
  ];
  for (const m of c.modes) {
    out.push(
      `${m.mode}: ${m.processesPerSide} processes per side, drawn from ${m.processesMeasured} measured per side; ${m.rowsPerComparison} rows per comparison; ${m.seconds.toFixed(0)} s of measuring`,
    );
    out.push(`  false positives (any clean row regressed or improved): ${(m.falsePositiveRate * 100).toFixed(1)}% of ${m.comparisons} comparisons`);
    out.push(`  median interval width of a clean row: ${(m.medianWidth * 100).toFixed(0)}% (hi/lo − 1)`);
    for (const d of m.detection) {
      out.push(
        `  ${(d.slowdown * 100).toFixed(0).padStart(2)}% slowdown (measured ${(d.measured * 100).toFixed(0)}% over all processes) detected: ` +
          `${(d.rate * 100).toFixed(1)}% of ${d.comparisons} row comparisons`,
      );
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}
