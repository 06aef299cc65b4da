// One measuring process of `instlab bench`: reads its plan as JSON on stdin, measures
// every row with tinybench, and writes the raw samples (nanoseconds) as JSON on stdout.
// Progress events go to file descriptor 3 as JSON lines, when the parent opened it.
import { writeSync } from 'node:fs';
import { Bench } from 'tinybench';
import { benchRows, MEMORY_HEAVY_BYTES, type BenchRow } from './bench-rows.ts';
import { moduleBytes, type BenchModule } from './bench-modules.ts';
import { measureUnitNs, type Injection, type Slowdown } from './slowdown.ts';
import { median } from '../statistics.ts';
import { gc, injectInto, warmUp } from './warm-up.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import { helpersReady } from '../../runtime/validation/parallel-bodies.ts';
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
  /** Instantiate rows of ours and the floor take their memories from a pool per row (bench-rows.ts). */
  readonly memoryPool: boolean;
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
 * When a row collects garbage: between samples, every so many, outside the timed calls.
 * A row's garbage left alone makes V8 start marking its old generation concurrently, and
 * while it marks every allocation and pointer write pays for it: a 3 µs `cached`
 * instantiation of globals-i32/1000 ran at 12–17 µs for stretches of hundreds of calls,
 * in a different pattern in every process, and at 3.2 µs throughout with a collection
 * every 100 calls. Instantiations that allocate memories collect sooner, before V8
 * would: it counts `ArrayBuffer` backing stores as external memory and starts a major GC
 * inside whatever call is running once they grow by some tens of MB.
 */
export function collectionPolicy(row: BenchRow, memoryBytes: number): { policy: GcPolicy; every?: number } {
  if (gc === undefined) return { policy: 'none' };
  // Compile rows collect as any row does. They once collected after every sample, when a
  // compile of esbuild-wasm left 66 MB of garbage; it leaves some 2 MB now (the compact
  // module representation), and a full collection deoptimizes the decoder's and the
  // validator's code (V8: "embedded weak objects cleared"), so that the next compiles ran
  // 2–3× slower (brotli-wasm 8.6 against 2.7 ms on one thread) while V8's own compile,
  // native code, did not: every sample measured that state, not a warm process.
  const byMemory = row.phase === 'instantiate' && memoryBytes >= MEMORY_HEAVY_BYTES ? Math.floor(COLLECT_EVERY_BYTES / memoryBytes) : COLLECT_EVERY_SAMPLES;
  return { policy: 'between-samples', every: Math.max(1, Math.min(COLLECT_EVERY_SAMPLES, byMemory)) };
}

const COLLECT_EVERY_BYTES = 48 << 20;
const COLLECT_EVERY_SAMPLES = 100;

/**
 * The hook before each sample: the row's setup, and every `every` samples a collection
 * followed by one untimed call, since the first call after a collection runs on cold
 * caches and fresh pages (some 20× a warm call).
 */
export function beforeSample(setup: (() => void) | undefined, run: () => unknown, every: number | undefined): (() => void) | undefined {
  if (every === undefined) return setup;
  let sample = 0;
  return () => {
    if (sample++ % every === 0) {
      gc!();
      setup?.();
      run();
    }
    setup?.();
  };
}

export type ProgressEvent =
  | { readonly event: 'module'; readonly module: string; readonly rows: number }
  | { readonly event: 'row'; readonly module: string; readonly strategy: string; readonly phase: Phase }
  | { readonly event: 'module-done'; readonly module: string };

const PROGRESS_FD = 3;


export function report(event: ProgressEvent): void {
  try {
    writeSync(PROGRESS_FD, `${JSON.stringify(event)}\n`);
  } catch {
    // No progress channel (the worker was started by hand): progress is optional.
  }
}

async function measure(plan: WorkerPlan): Promise<WorkerSamples[]> {
  // Compile rows measure compile as a process that has compiled before: its body-validating
  // helper threads loaded (the first compile of a fresh process starts them and runs alone).
  await helpersReady();

  const out: WorkerSamples[] = [];
  // A row measured right after another inherits its garbage and its JIT state, so the
  // order is shuffled per process rather than fixed for all of them.
  const random = new SeededRandom(plan.seed);
  const unitNs = plan.slowdowns.length > 0 ? measureUnitNs() : 0;
  for (const module of random.shuffle(plan.modules)) {
    const bytes = await moduleBytes(module);
    const { rows, memoryBytes } = benchRows(module, bytes, plan.strategies, { memoryPool: plan.memoryPool });
    report({ event: 'module', module: module.name, rows: rows.length });
    const collection = collectionMs();
    for (const row of random.shuffle(rows)) {
      const gcPolicy = collectionPolicy(row, memoryBytes);
      const slowdown = row.phase === 'instantiate' ? plan.slowdowns.find((s) => s.strategy === row.strategy) : undefined;
      out.push(measureRow(module.name, row, plan, { ...gcPolicy, collectionMs: collection }, slowdown, unitNs));
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
  gcPolicy: { policy: GcPolicy; every?: number; collectionMs: number },
  slowdown: Slowdown | undefined,
  unitNs: number,
): WorkerSamples {
  const [once] = warmUp([{ row, run: row.run }], plan.budgetMs);
  const sized = slowdown === undefined ? undefined : injectInto({ row, run: row.run }, slowdown.percent, unitNs);
  const run = sized?.run ?? row.run;
  const every = gcPolicy.every;
  const iterations = sampleCount(plan, once, every, gcPolicy.collectionMs);
  // The first sample's hook collects, so sampling starts on a clean heap.
  const beforeEach = beforeSample(row.setup, run, every);
  let samples: number[];
  if (sized === undefined) {
    samples = takeSamples(module, row, run, beforeEach, iterations);
  } else {
    // In batches, the injection resized after each from the row's own time: a sample less the work it was given.
    samples = [];
    const uninjected: number[] = [];
    const batch = Math.max(1, Math.ceil(iterations / INJECTED_BATCHES));
    for (let done = 0; done < iterations; done += batch) {
      const added = sized.addedNs;
      const taken = takeSamples(module, row, run, beforeEach, Math.min(batch, iterations - done));
      samples.push(...taken);
      uninjected.push(...taken.map((ns) => ns - added));
      sized.resize(median(uninjected));
    }
  }
  return {
    workload: module,
    strategy: row.strategy,
    phase: row.phase,
    samples,
    gc: gcPolicy.policy,
    ...(every === undefined ? {} : { gcEvery: every }),
    ...(sized === undefined ? {} : { injection: sized.injection }),
  };
}

/** Batches of an injected row's samples, between which its injection is resized. */
const INJECTED_BATCHES = 4;

/**
 * Samples per row and process: as many as fit the budget at the row's warm time, within
 * bounds, or the fixed count. A collection between samples is paid outside the timed call
 * but inside the run's wall time, so it counts against the budget (`collectionMs`, the
 * cost of one, measured once per module).
 */
export function sampleCount(plan: WorkerPlan, warmMs: number, collectEvery: number | undefined, collectionMs: number): number {
  const perCall = warmMs + (collectEvery === undefined ? 0 : collectionMs / collectEvery);
  return plan.samples ?? Math.round(Math.min(plan.maxIterations, Math.max(plan.minIterations, plan.budgetMs / perCall)));
}

/** `iterations` timed calls of `run` (nanoseconds), the row already warm (warm-up.ts). */
export function takeSamples(module: string, row: BenchRow, run: () => unknown, beforeEach: (() => void) | undefined, iterations: number): number[] {
  const bench = new Bench({ time: 0, iterations, warmup: false, retainSamples: true, throws: true, timestampProvider: 'hrtimeNow' });
  bench.add(`${row.strategy} ${row.phase}`, run, beforeEach === undefined ? {} : { beforeEach });
  const [task] = bench.runSync();
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${module} ${row.strategy} ${row.phase}: ${result.state}`);
  return (result.latency.samples ?? []).map((ms) => Math.round(ms * 1e6));
}

/**
 * The time of one full collection now (the median of three), 0 without a collector.
 * Measured once per module, not per row: three full collections per row were most of a
 * quick run's time (a CPU profile of one process: 71 % in the collector).
 */
export function collectionMs(): number {
  if (gc === undefined) return 0;
  const times = [0, 1, 2].map(() => {
    const start = performance.now();
    gc!();
    return performance.now() - start;
  });
  return times.sort((a, b) => a - b)[1];
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (import.meta.main) {
  const plan = JSON.parse(await readStdin()) as WorkerPlan;
  process.stdout.write(JSON.stringify(await measure(plan)));
}
