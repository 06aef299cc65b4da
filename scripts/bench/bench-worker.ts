// One measuring process of `instlab bench`: reads its plan as JSON on stdin, measures
// every row with tinybench, and writes the raw samples (nanoseconds) as JSON on stdout.
// Progress events go to file descriptor 3 as JSON lines, when the parent opened it.
import { writeSync } from 'node:fs';
import { Bench } from 'tinybench';
import { benchRows, MEMORY_HEAVY_BYTES, type BenchRow } from './bench-rows.ts';
import { moduleBytes, type BenchModule } from './bench-modules.ts';
import { injectionUnits, injectWork, measureUnitNs, type Injection, type Slowdown } from './slowdown.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import type { GcPolicy, Phase } from '../results-file.ts';

export interface WorkerPlan {
  readonly modules: readonly BenchModule[];
  readonly strategies: readonly string[];
  /** Time to spend on one row, from which its sample count is set. */
  readonly budgetMs: number;
  readonly minIterations: number;
  readonly maxIterations: number;
  /** A fixed sample count per row, instead of one set from the budget. */
  readonly samples?: number;
  /** Orders the modules and rows: each process measures them in its own order. */
  readonly seed: number;
  readonly slowdowns: readonly Slowdown[];
}

export interface WorkerSamples {
  readonly workload: string;
  readonly strategy: string;
  readonly phase: Phase;
  readonly samples: number[];
  readonly gc: GcPolicy;
  /** With `between-samples`: a collection before every this many samples. */
  readonly gcEvery?: number;
  readonly injection?: Injection;
}

/**
 * When a row collects garbage. Every row starts from a collected heap. Instantiations
 * that allocate memories also collect between samples, before V8 would: it counts
 * `ArrayBuffer` backing stores as external memory and starts a major GC, inside whatever
 * call is running, once they grow by some tens of MB since the last one. A full
 * collection costs ~15 ms here, so rows collect every COLLECT_EVERY_BYTES of memory
 * allocated, not before every sample.
 */
function collectionPolicy(row: BenchRow, memoryBytes: number): { policy: GcPolicy; every?: number } {
  if (gc === undefined) return { policy: 'none' };
  if (row.phase !== 'instantiate' || memoryBytes < MEMORY_HEAVY_BYTES) return { policy: 'per-row' };
  return { policy: 'between-samples', every: Math.max(1, Math.floor(COLLECT_EVERY_BYTES / memoryBytes)) };
}

const COLLECT_EVERY_BYTES = 48 << 20;

export type ProgressEvent =
  | { readonly event: 'module'; readonly module: string; readonly rows: number }
  | { readonly event: 'row'; readonly module: string; readonly strategy: string; readonly phase: Phase }
  | { readonly event: 'module-done'; readonly module: string };

const PROGRESS_FD = 3;

const gc = (globalThis as { gc?: () => void }).gc;

function report(event: ProgressEvent): void {
  try {
    writeSync(PROGRESS_FD, `${JSON.stringify(event)}\n`);
  } catch {
    // No progress channel (the worker was started by hand): progress is optional.
  }
}

async function measure(plan: WorkerPlan): Promise<WorkerSamples[]> {
  const out: WorkerSamples[] = [];
  // A row measured right after another inherits its garbage and its JIT state, so the
  // order is shuffled per process rather than fixed for all of them.
  const random = new SeededRandom(plan.seed);
  const unitNs = plan.slowdowns.length > 0 ? measureUnitNs() : 0;
  for (const module of random.shuffle(plan.modules)) {
    const { rows, memoryBytes } = benchRows(module, await moduleBytes(module), plan.strategies);
    report({ event: 'module', module: module.name, rows: rows.length });
    for (const row of random.shuffle(rows)) {
      const gcPolicy = collectionPolicy(row, memoryBytes);
      const slowdown = row.phase === 'instantiate' ? plan.slowdowns.find((s) => s.strategy === row.strategy) : undefined;
      out.push(measureRow(module.name, row, plan, gcPolicy, slowdown, unitNs));
      report({ event: 'row', module: module.name, strategy: row.strategy, phase: row.phase });
    }
    report({ event: 'module-done', module: module.name });
  }
  return out;
}

function measureRow(
  module: string,
  row: BenchRow,
  plan: WorkerPlan,
  gcPolicy: { policy: GcPolicy; every?: number },
  slowdown: Slowdown | undefined,
  unitNs: number,
): WorkerSamples {
  const once = warmCallMs(row, plan.budgetMs);
  let injection: Injection | undefined;
  let run = row.run;
  if (slowdown !== undefined) {
    const warmNs = once * 1e6;
    const units = injectionUnits(slowdown.percent, warmNs, unitNs);
    injection = { percent: slowdown.percent, warmNs, unitNs, units };
    const measured = row.run;
    run = () => {
      measured();
      injectWork(units);
    };
  }
  // A collection before every sample is paid outside the timed call but inside the run's
  // wall time, so it counts against the row's budget.
  const perCall = once + (gcPolicy.every === undefined ? 0 : collectionMs() / gcPolicy.every);
  const iterations = plan.samples ?? Math.round(Math.min(plan.maxIterations, Math.max(plan.minIterations, plan.budgetMs / perCall)));
  // Warm-up gets a quarter of the budget again: enough calls for V8 to optimize the
  // row's code (generated initializers included) before samples count. A slow row is
  // warm after its calibration calls already.
  const warmupIterations = Math.round(Math.min(500, Math.max(1, plan.budgetMs / 4 / once)));
  const setup = row.setup;
  const every = gcPolicy.every;
  let sample = 0;
  const beforeEach =
    every === undefined
      ? setup
      : () => {
          setup?.();
          if (sample++ % every === 0) gc!();
        };
  gc?.();
  const bench = new Bench({
    time: 0,
    iterations,
    warmup: true,
    warmupTime: 0,
    warmupIterations,
    retainSamples: true,
    throws: true,
    timestampProvider: 'hrtimeNow',
  });
  bench.add(`${row.strategy} ${row.phase}`, run, beforeEach === undefined ? {} : { beforeEach });
  const [task] = bench.runSync();
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${module} ${row.strategy} ${row.phase}: ${result.state}`);
  const samples = (result.latency.samples ?? []).map((ms) => Math.round(ms * 1e6));
  return {
    workload: module,
    strategy: row.strategy,
    phase: row.phase,
    samples,
    gc: gcPolicy.policy,
    ...(every === undefined ? {} : { gcEvery: every }),
    ...(injection === undefined ? {} : { injection }),
  };
}

/**
 * How long one call takes once warm, from calls outside the measurement: it sets how
 * many samples fit the budget (fast rows get many, slow ones still finish) and the size
 * of an injected slowdown. The first call is left out: it pays one-time work (a
 * strategy's per-module preparation, first JIT); the median of the rest resists a GC
 * pause landing in one of them.
 */
function warmCallMs(row: BenchRow, budgetMs: number): number {
  row.setup?.();
  row.run();
  const times: number[] = [];
  let elapsed = 0;
  while (times.length < 3 || (elapsed < budgetMs / 10 && times.length < 1000)) {
    row.setup?.();
    const start = performance.now();
    row.run();
    const time = performance.now() - start;
    times.push(time);
    elapsed += time;
  }
  times.sort((a, b) => a - b);
  return Math.max(times[times.length >> 1], 0.0005);
}

/** The time of one full collection now (the median of three). */
function collectionMs(): number {
  const times = [0, 1, 2].map(() => {
    const start = performance.now();
    gc!();
    return performance.now() - start;
  });
  return times.sort((a, b) => a - b)[1];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (import.meta.main) {
  const plan = JSON.parse(await readStdin()) as WorkerPlan;
  process.stdout.write(JSON.stringify(await measure(plan)));
}
