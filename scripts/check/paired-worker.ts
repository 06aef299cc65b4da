// One measuring process of `instlab check --against`: loads BASE's and HEAD's engines
// through their worker entries and measures each row of both in alternating short
// batches, in a seeded order per batch (BASE first or HEAD first), so that whatever the
// machine does over the process's life (frequency, cache and heap state, neighbours) hits
// both sides alike. Like bench-worker.ts: plan on stdin, samples on stdout, progress on fd 3.
import { beforeSample, collectionMs, collectionPolicy, readStdin, report, sampleCount, takeSamples, type WorkerPlan } from '../bench/bench-worker.ts';
import { injectInto, warmUp } from '../bench/warm-up.ts';
import { measureUnitNs, type Injection, type Slowdown } from '../bench/slowdown.ts';
import { median } from '../statistics.ts';
import type { BenchModule, BenchRow, BenchRowOptions, ModuleRows } from '../bench/worker-entry.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import { helpersReady } from '../../runtime/validation/parallel-bodies.ts';
import type { GcPolicy, Phase } from '../results-file.ts';
import type { InstantiationCounters } from '../../runtime/instance/counters.ts';

/** A bench worker's plan, whose slowdowns apply to HEAD's rows only, and the two revisions to load. */
export interface PairedPlan extends WorkerPlan {
  /** Absolute paths of the two revisions' scripts/bench/worker-entry.ts. */
  readonly baseEntry: string;
  readonly headEntry: string;
  /** Also count each module's operations on both sides (one process does). */
  readonly counters: boolean;
}

export interface PairedOutput {
  readonly samples: PairedSamples[];
  readonly counters?: { readonly base: CounterTable; readonly head: CounterTable };
}

type CounterTable = Record<string, Record<string, InstantiationCounters>>;

export interface PairedSamples {
  readonly workload: string;
  readonly strategy: string;
  readonly phase: Phase;
  readonly base: number[];
  readonly head: number[];
  readonly gc: GcPolicy;
  readonly gcEvery?: number;
  readonly injection?: Injection;
}

interface Entry {
  readonly WORKER_ENTRY_VERSION: number;
  /** Absent in revisions from before any option. */
  readonly BENCH_ROW_OPTIONS?: readonly string[];
  benchRows(module: BenchModule, bytes: Uint8Array, strategies: readonly string[], options?: BenchRowOptions): ModuleRows;
  moduleBytes(module: BenchModule): Promise<Uint8Array>;
  moduleCounters(module: BenchModule, bytes: Uint8Array, strategies: readonly string[]): Record<string, InstantiationCounters>;
}

/** Batches per row and side: short enough that both sides alternate many times per row. */
export const BATCHES_PER_ROW = 8;

async function measure(plan: PairedPlan): Promise<PairedOutput> {
  const base = (await import(plan.baseEntry)) as Entry;
  const head = (await import(plan.headEntry)) as Entry;
  // HEAD is this checkout, whose runtime this worker shares: its body-validating helper
  // threads load before any compile is measured, as in bench (a BASE that has helpers
  // starts them at its first compile, during warm-up).
  await helpersReady();
  if (plan.memoryPool && !(base.BENCH_ROW_OPTIONS ?? []).includes('memoryPool')) {
    throw new Error(`--memory-pool: BASE's ${plan.baseEntry} has no memory pool option, so BASE would be measured fresh and HEAD pooled`);
  }
  const rowOptions: BenchRowOptions = { memoryPool: plan.memoryPool };
  const random = new SeededRandom(plan.seed);
  const unitNs = plan.slowdowns.length > 0 ? measureUnitNs() : 0;
  const out: PairedSamples[] = [];
  const counters = { base: {} as CounterTable, head: {} as CounterTable };
  for (const module of random.shuffle(plan.modules)) {
    const baseBytes = await base.moduleBytes(module);
    const headBytes = await head.moduleBytes(module);
    if (plan.counters) {
      counters.base[module.name] = base.moduleCounters(module, baseBytes, plan.strategies);
      counters.head[module.name] = head.moduleCounters(module, headBytes, plan.strategies);
    }
    const baseRows = base.benchRows(module, baseBytes, plan.strategies, rowOptions);
    const headRows = head.benchRows(module, headBytes, plan.strategies, rowOptions);
    const pairs = headRows.rows.flatMap((h) => {
      const b = baseRows.rows.find((r) => r.strategy === h.strategy && r.phase === h.phase);
      return b === undefined ? [] : [{ base: b, head: h }];
    });
    report({ event: 'module', module: module.name, rows: pairs.length });
    const memoryBytes = Math.max(baseRows.memoryBytes, headRows.memoryBytes);
    const collection = collectionMs();
    for (const pair of random.shuffle(pairs)) {
      const slowdown = pair.head.phase === 'instantiate' ? plan.slowdowns.find((s) => s.strategy === pair.head.strategy) : undefined;
      const gcPolicy = { ...collectionPolicy(pair.head, memoryBytes), collectionMs: collection };
      out.push(measurePair(module.name, pair, plan, gcPolicy, slowdown, unitNs, random));
      report({ event: 'row', module: module.name, strategy: pair.head.strategy, phase: pair.head.phase });
    }
    report({ event: 'module-done', module: module.name });
  }
  return { samples: out, ...(plan.counters ? { counters } : {}) };
}

function measurePair(
  module: string,
  pair: { base: BenchRow; head: BenchRow },
  plan: PairedPlan,
  gcPolicy: { policy: GcPolicy; every?: number; collectionMs: number },
  slowdown: Slowdown | undefined,
  unitNs: number,
  random: SeededRandom,
): PairedSamples {
  const [baseOnce, headOnce] = warmUp(
    [
      { row: pair.base, run: pair.base.run },
      { row: pair.head, run: pair.head.run },
    ],
    plan.budgetMs,
  );
  const sized = slowdown === undefined ? undefined : injectInto({ row: pair.head, run: pair.head.run }, slowdown.percent, unitNs);
  const headRun = sized?.run ?? pair.head.run;
  const every = gcPolicy.every;
  const iterations = sampleCount(plan, Math.max(baseOnce, headOnce), every, gcPolicy.collectionMs);
  const batch = Math.max(1, Math.ceil(iterations / BATCHES_PER_ROW));
  const sides = [
    { row: pair.base, run: pair.base.run, samples: [] as number[], beforeEach: beforeSample(pair.base.setup, pair.base.run, every) },
    { row: pair.head, run: headRun, samples: [] as number[], beforeEach: beforeSample(pair.head.setup, headRun, every) },
  ];
  // Each side's first sample hook collects, so both start on a clean heap.
  for (let done = 0; done < iterations; done += batch) {
    const size = Math.min(batch, iterations - done);
    const order = random.chance(0.5) ? [sides[0], sides[1]] : [sides[1], sides[0]];
    for (const side of order) side.samples.push(...takeSamples(module, side.row, side.run, side.beforeEach, size));
    // The base side is the uninjected row, measured in this process beside it.
    sized?.resize(median(sides[0].samples));
  }
  return {
    workload: module,
    strategy: pair.head.strategy,
    phase: pair.head.phase,
    base: sides[0].samples,
    head: sides[1].samples,
    gc: gcPolicy.policy,
    ...(every === undefined ? {} : { gcEvery: every }),
    ...(sized === undefined ? {} : { injection: sized.injection }),
  };
}

if (import.meta.main) {
  const plan = JSON.parse(await readStdin()) as PairedPlan;
  process.stdout.write(JSON.stringify(await measure(plan)));
}
