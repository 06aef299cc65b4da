// `instlab bench`: measures compile and instantiate for each module × strategy, with the
// `v8` and `floor` reference rows, in several fresh processes (each with its own JIT and
// heap history, so one process's luck does not decide a row), stores every raw sample,
// per-row summaries and the deterministic counters as a results file, and prints a
// summary table.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { InstantiationCounters } from '../../runtime/instance/counters.ts';
import { compile } from '../../runtime/module/compile.ts';
import { strategies as allStrategies } from '../../variants/registry.ts';
import { findWorkload } from '../../workloads/registry.ts';
import { BadInput, wholeNumber, UsageError } from '../bad-input.ts';
import { RESULTS_SCHEMA, checkWritable, writeResults, type ResultRow, type Results, type ResultsConfig, type Unavailable, type WorkloadInfo } from '../results-file.ts';
import { summarizeProcesses } from '../statistics.ts';
import { requireStrategy } from '../strategies.ts';
import {
  checkInstantiates,
  expectedCostMs,
  fileModules,
  moduleBytes,
  parseShard,
  selectWorkloads,
  shardModules,
  v8Unavailable,
  type BenchModule,
} from './bench-modules.ts';
import { currentEnvironment } from './environment.ts';
import { progressReporter } from './progress.ts';
import { runWorker, WORKER_ENV, workerCommand } from './run-worker.ts';
import { compiledModuleMemory } from './compiled-memory.ts';
import { parseSlowdown, type Injection } from './slowdown.ts';
import { formatSummary, type SummaryFormat } from './summary-format.ts';
import { summarizeResults } from './summary.ts';
import type { WorkerPlan, WorkerSamples } from './bench-worker.ts';

export interface BenchOptions {
  readonly quick?: boolean;
  readonly workload?: readonly string[];
  readonly strategy?: readonly string[];
  readonly out?: string;
  readonly processes?: string;
  readonly samples?: string;
  readonly seed?: string;
  readonly injectSlowdown?: readonly string[];
  readonly shard?: string;
  readonly imports?: string;
  readonly stubImports?: boolean;
  readonly format?: string;
  readonly pin?: string;
  /** Instantiate rows of ours and the floor take memories from a pool and give them back in each timed call. */
  readonly memoryPool?: boolean;
  /** Also draw the run's charts (instlab chart). */
  readonly chart?: boolean;
}

const FORMATS: readonly SummaryFormat[] = ['text', 'md', 'json'];

/** Rows per module: compile and instantiate per strategy, `v8` compile and instantiate, `floor`. */
export const rowsPerModule = (strategies: number) => 2 * strategies + 3;

export async function benchCommand(files: readonly string[], options: BenchOptions): Promise<number> {
  const format = (options.format ?? 'text') as SummaryFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${options.format}`);
  const { results, out } = await runBench(files, options);
  process.stdout.write(formatSummary(summarizeResults(results), format));
  process.stderr.write(`results: ${out}\n`);
  if (options.chart === true) {
    const { writeCharts } = await import('../chart/chart.ts');
    process.stderr.write(`charts: ${(await writeCharts(out, results, {})).report}\n`);
  }
  return 0;
}

/** Everything a run is set to measure, checked before any process starts. */
export interface PlannedBench {
  readonly config: Omit<ResultsConfig, 'merged' | 'pairing'>;
  readonly pin: string | null;
  readonly out: string;
  readonly plan: Omit<WorkerPlan, 'seed'>;
  readonly prepared: PreparedModules;
  readonly cost: (m: BenchModule) => number;
}

/** Measures, writes the results file and returns it (the summary is the caller's to print). */
export async function runBench(files: readonly string[], options: BenchOptions): Promise<{ results: Results; out: string }> {
  const planned = await planBench(files, options);
  const { config, plan, pin, cost } = planned;
  process.stderr.write(
    `bench: ${plan.modules.length} modules × ${config.strategies.length} strategies, ${config.processes} processes, seed ${config.seed}` +
      `${config.shard === null ? '' : `, shard ${config.shard.index}/${config.shard.count}`}${memoryPool(config)} (replay with --seed ${config.seed})\n`,
  );
  const measured = await measureInProcesses(plan, config.seed, config.processes, cost, pin);
  const results = resultsOf(planned, measured, planned.prepared.counters, currentEnvironment(workerCommand(pin).flags, WORKER_ENV, pin));
  await writeResults(planned.out, results);
  return { results, out: planned.out };
}

const memoryPool = (config: Pick<ResultsConfig, 'memoryPool'>) => (config.memoryPool === true ? ', memory pool on' : '');

export async function planBench(files: readonly string[], options: BenchOptions): Promise<PlannedBench> {
  const quick = options.quick === true;
  const strategies = (options.strategy ?? allStrategies.map((s) => s.name)).map((name) => requireStrategy(name).name);
  const processes = wholeNumber('--processes', options.processes, quick ? 2 : 3, 1, 1000);
  const samples = options.samples === undefined ? null : wholeNumber('--samples', options.samples, 0, 1, 100_000);
  const seed = wholeNumber('--seed', options.seed, Date.now() % 2 ** 31, 0, 2 ** 32 - 1);
  const slowdowns = (options.injectSlowdown ?? []).map((text) => parseSlowdown(text, strategies));
  const memoryPool = options.memoryPool === true;
  if (new Set(slowdowns.map((s) => s.strategy)).size < slowdowns.length) throw new UsageError('--inject-slowdown names a strategy twice');
  const shard = options.shard === undefined ? null : parseShard(options.shard);
  const pin = options.pin === undefined ? null : checkPin(options.pin);
  // The process id keeps two runs started in the same millisecond from taking one name.
  const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const out = options.out ?? fileURLToPath(new URL(`../../results/runs/${stamp}.json`, import.meta.url));
  // Checked before measuring: minutes of samples must not be lost to a bad --out.
  await checkWritable(out);

  const budgetMs = quick ? 20 : 100;
  const minIterations = quick ? 8 : 15;
  const maxIterations = quick ? 400 : 3000;
  const all = [...selectWorkloads(options.workload ?? [], files), ...(await fileModules(files, options))];
  const prepared = await prepareModules(all, strategies);
  const cost = (m: BenchModule) => expectedCostMs(prepared.infos[m.name].bytes, rowsPerModule(strategies.length), budgetMs, minIterations + 5);
  const modules = shard === null ? all : shardModules(all, cost, shard);
  if (modules.length === 0) throw new BadInput(`shard ${shard!.index}/${shard!.count} has no modules (only ${all.length} selected)`);
  const names = new Set(modules.map((m) => m.name));
  const only = <T>(table: Record<string, T>) => Object.fromEntries(Object.entries(table).filter(([name]) => names.has(name)));
  return {
    config: { quick, processes, samples, budgetMs, minIterations, maxIterations, workloads: modules.map((m) => m.name), strategies, seed, shard, slowdowns, memoryPool },
    pin,
    out,
    plan: { modules, strategies, budgetMs, minIterations, maxIterations, ...(samples === null ? {} : { samples }), slowdowns, memoryPool },
    prepared: { infos: only(prepared.infos), counters: only(prepared.counters), unavailable: prepared.unavailable.filter((u) => names.has(u.workload)) },
    cost,
  };
}

/** The results file of a planned run from its measured rows. */
export function resultsOf(
  planned: PlannedBench,
  rows: ResultRow[],
  counters: Results['counters'],
  environment: Results['environment'],
  extra: Pick<ResultsConfig, 'pairing'> & { slowdowns?: ResultsConfig['slowdowns'] } = {},
): Results {
  return {
    schema: RESULTS_SCHEMA,
    createdAt: new Date().toISOString(),
    environment,
    config: { ...planned.config, merged: null, ...extra },
    workloads: planned.prepared.infos,
    rows,
    counters,
    unavailable: planned.prepared.unavailable,
  };
}

function checkPin(cpus: string): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(cpus)) throw new BadInput(`--pin takes a CPU list such as 1 or 0-1, not ${cpus}`);
  return cpus;
}

export interface PreparedModules {
  readonly infos: Record<string, WorkloadInfo>;
  readonly counters: Record<string, Record<string, InstantiationCounters>>;
  readonly unavailable: Unavailable[];
}

/**
 * Loads every module, compiles and instantiates it once per strategy (which also takes
 * the counters), measures the memory a compiled module keeps, and asks V8 whether it can
 * instantiate it: a module that cannot be measured is reported before any process starts.
 */
async function prepareModules(modules: readonly BenchModule[], strategies: readonly string[]): Promise<PreparedModules> {
  const prepared: PreparedModules = { infos: {}, counters: {}, unavailable: [] };
  for (const module of modules) {
    const bytes = await moduleBytes(module);
    const workload = findWorkload(module.name);
    prepared.infos[module.name] = {
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      family: workload?.family ?? 'file',
      tags: workload?.tags ?? [],
      ...(module.file === undefined ? {} : { file: module.name }),
      compiledMemory: compiledModuleMemory(bytes),
    };
    const counters: Record<string, InstantiationCounters> = {};
    for (const name of strategies) {
      try {
        counters[name] = checkInstantiates(module, bytes, requireStrategy(name)).counters;
      } catch (error) {
        throw new BadInput(`${module.name}: cannot be measured with ${name}: ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`, {
          cause: error,
        });
      }
    }
    prepared.counters[module.name] = counters;
    const reason = v8Unavailable(compile(bytes), bytes, module);
    if (reason !== undefined) prepared.unavailable.push({ workload: module.name, strategy: 'v8', reason });
  }
  return prepared;
}

/**
 * Runs the processes one after another (never side by side: they would share the cores
 * they measure), each with its own seed from the run's seed, and gathers each row's
 * samples per process.
 */
async function measureInProcesses(
  plan: Omit<WorkerPlan, 'seed'>,
  seed: number,
  processes: number,
  cost: (m: BenchModule) => number,
  pin: string | null,
): Promise<ResultRow[]> {
  const rows = new ProcessRows();
  await runProcesses<WorkerSamples[]>({
    processes,
    pin,
    costOf: new Map(plan.modules.map((m) => [m.name, cost(m)])),
    rows: processes * plan.modules.length * rowsPerModule(plan.strategies.length),
    plan: (p) => ({ ...plan, seed: processSeed(seed, p) }),
    take: (samples) => samples.forEach((s) => rows.add(s)),
  });
  return rows.rows();
}

/**
 * Starts `processes` measuring processes of `script` one after another, drawing the
 * progress (cost per module from `costOf`) from their events, and hands each one's
 * output to `take`.
 */
export async function runProcesses<Out>(run: {
  readonly processes: number;
  readonly pin: string | null;
  readonly script?: string;
  readonly costOf: ReadonlyMap<string, number>;
  readonly rows: number;
  readonly plan: (process: number) => object;
  readonly take: (output: Out) => void;
}): Promise<void> {
  const total = run.processes * [...run.costOf.values()].reduce((a, b) => a + b, 0);
  const progress = progressReporter(total, run.rows);
  try {
    for (let p = 0; p < run.processes; p++) {
      let rows = 0;
      const step = (module: string) => ({ process: p + 1, processes: run.processes, module, rows });
      const output = await runWorker<Out>(
        run.plan(p),
        run.pin,
        (event) => {
          if (event.event === 'module') {
            rows = event.rows;
            progress.begin(step(event.module));
          } else if (event.event === 'row') progress.row(run.costOf.get(event.module)! / Math.max(1, rows));
          else progress.end(step(event.module));
        },
        run.script,
      );
      run.take(output);
    }
  } finally {
    progress.stop();
  }
}

/** Each row's samples gathered from the processes in the order they ran, then summarized. */
export class ProcessRows {
  private readonly byRow = new Map<string, { row: Omit<ResultRow, 'summary' | 'samples' | 'injections'>; samples: number[][]; injections: Injection[] }>();

  add(measured: WorkerSamples): void {
    const key = `${measured.workload}\0${measured.strategy}\0${measured.phase}`;
    let entry = this.byRow.get(key);
    if (entry === undefined) {
      const { workload, strategy, phase, gc, gcEvery } = measured;
      entry = { row: { workload, strategy, phase, gc, ...(gcEvery === undefined ? {} : { gcEvery }) }, samples: [], injections: [] };
      this.byRow.set(key, entry);
    }
    entry.samples.push(measured.samples);
    if (measured.injection !== undefined) entry.injections.push(measured.injection);
  }

  rows(): ResultRow[] {
    return [...this.byRow.values()].map(({ row, samples, injections }) => ({
      ...row,
      samples,
      summary: summarizeProcesses(samples),
      ...(injections.length === 0 ? {} : { injections }),
    }));
  }
}

/** Process p's seed: the run's seed mixed with p, so each process has its own order and the run replays exactly. */
export function processSeed(seed: number, p: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(p + 1, 0xc2b2ae35)) >>> 0;
}
