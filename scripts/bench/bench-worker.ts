// One measuring process of `instlab bench`: reads its plan as JSON on stdin, measures
// every row with tinybench, and writes the raw samples (nanoseconds) as JSON on stdout.
// Progress goes to stderr.
import { Bench } from 'tinybench';
import { findWorkload } from '../../workloads/registry.ts';
import { workloadBytes } from '../../workloads/workload-bytes.ts';
import { benchRows, type BenchRow } from './bench-rows.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import type { Phase } from '../results-file.ts';

export interface WorkerPlan {
  readonly workloads: readonly string[];
  readonly strategies: readonly string[];
  /** Time to spend on one row, from which its iteration count is set. */
  readonly budgetMs: number;
  readonly minIterations: number;
  readonly maxIterations: number;
  /** Orders the rows: each process measures them in its own order. */
  readonly seed: number;
}

export interface WorkerSamples {
  readonly workload: string;
  readonly strategy: string;
  readonly phase: Phase;
  readonly samples: number[];
}

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(plan: WorkerPlan): Promise<WorkerSamples[]> {
  const out: WorkerSamples[] = [];
  // A row measured right after another inherits its garbage and its JIT state, so the
  // order is shuffled per process rather than fixed for all of them.
  const random = new SeededRandom(plan.seed);
  for (const name of random.shuffle(plan.workloads)) {
    const workload = findWorkload(name)!;
    const rows = benchRows(workload, await workloadBytes(workload), plan.strategies);
    process.stderr.write(`  ${name}\n`);
    for (const row of random.shuffle(rows)) {
      const once = calibrate(row, plan.budgetMs);
      const iterations = Math.round(Math.min(plan.maxIterations, Math.max(plan.minIterations, plan.budgetMs / once)));
      // Warm-up gets a quarter of the budget again: enough calls for V8 to optimize the
      // row's code (generated initializers included) before samples count.
      const warmupIterations = Math.round(Math.min(500, Math.max(3, plan.budgetMs / 4 / once)));
      gc?.();
      const bench = new Bench({
        time: 0,
        iterations,
        warmup: true,
        warmupTime: 0,
        warmupIterations,
        retainSamples: true,
        throws: true,
      });
      bench.add(`${row.strategy} ${row.phase}`, row.run, row.setup === undefined ? {} : { beforeEach: row.setup });
      const [task] = bench.runSync();
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${name} ${row.strategy} ${row.phase}: ${result.state}`);
      const samples = (result.latency.samples ?? []).map((ms) => Math.round(ms * 1e6));
      out.push({ workload: name, strategy: row.strategy, phase: row.phase, samples });
    }
  }
  return out;
}

/**
 * How long one call takes once warm, from calls outside the measurement: it tells how
 * many iterations fit the budget (a row is sampled as often as time allows, within
 * bounds, so fast rows get many samples and slow ones still finish). The first call is
 * left out: it pays one-time work (a strategy's per-module preparation, first JIT).
 */
function calibrate(row: BenchRow, budgetMs: number): number {
  row.setup?.();
  row.run();
  let calls = 0;
  let elapsed = 0;
  while (calls < 3 || (elapsed < budgetMs / 10 && calls < 1000)) {
    row.setup?.();
    const start = performance.now();
    row.run();
    elapsed += performance.now() - start;
    calls++;
  }
  return Math.max(elapsed / calls, 0.0005);
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
