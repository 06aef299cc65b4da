// The parent of a paired run (`instlab check --against REF`): plans the matrix as bench
// does, materializes REF, runs the paired measuring processes one after another, and
// returns two results files, BASE (REF) and HEAD (this working tree), whose process p
// measured both sides: `compare` recognizes them by their shared pairing id and judges
// the per-process ratios.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { planBench, processSeed, resultsOf, type BenchOptions, type PlannedBench } from '../bench/bench.ts';
import { currentEnvironment } from '../bench/environment.ts';
import { progressReporter } from '../bench/progress.ts';
import { runWorker, WORKER_ENV, workerCommand } from '../bench/run-worker.ts';
import { summarizeProcesses } from '../statistics.ts';
import { writeResults, type ResultRow, type Results } from '../results-file.ts';
import { ENTRY, materialize, PROJECT } from './worktree.ts';
import type { PairedOutput, PairedPlan, PairedSamples } from './paired-worker.ts';
import { join } from 'node:path';

const PAIRED_WORKER = fileURLToPath(new URL('paired-worker.ts', import.meta.url));

export interface PairedRun {
  readonly base: Results;
  readonly head: Results;
  readonly basePath: string;
  readonly headPath: string;
}

/** The BASE file beside the HEAD file: `run.json` → `run.base.json`. */
export const basePathOf = (headPath: string) => headPath.replace(/(\.json)?$/, '.base.json');

export async function runPaired(files: readonly string[], options: BenchOptions, against: string): Promise<PairedRun> {
  const planned = await planBench(files, options);
  const revision = await materialize(against);
  try {
    process.stderr.write(`check: BASE ${against} is ${revision.commit.slice(0, 12)} (dependencies ${revision.dependencies})\n`);
    const run = await measurePaired(planned, { entry: revision.entry, commit: revision.commit, revision: against });
    await writeResults(planned.out, run.head);
    await writeResults(run.basePath, run.base);
    return run;
  } finally {
    await revision.remove();
  }
}

/**
 * Measures a planned matrix paired: BASE through `base.entry`, HEAD through this
 * revision's entry, each process measuring both. Calibration passes this revision's own
 * entry as BASE (an A/A pair). Nothing is written.
 */
export async function measurePaired(
  planned: PlannedBench,
  base: { readonly entry: string; readonly commit: string | null; readonly revision: string },
): Promise<PairedRun> {
  const { config, pin } = planned;
  process.stderr.write(
    `check: ${config.workloads.length} modules × ${config.strategies.length} strategies, BASE and HEAD paired in ${config.processes} processes, seed ${config.seed}\n`,
  );
  const perModule = new Map(planned.plan.modules.map((m) => [m.name, 2 * planned.cost(m)]));
    const total = config.processes * [...perModule.values()].reduce((a, b) => a + b, 0);
    const progress = progressReporter(total, config.processes * planned.plan.modules.length);
    const rows = new Map<string, { first: PairedSamples; base: number[][]; head: number[][]; injections: NonNullable<PairedSamples['injection']>[] }>();
    let counters: PairedOutput['counters'];
    try {
      for (let p = 0; p < config.processes; p++) {
        let count = 0;
        const step = (module: string) => ({ process: p + 1, processes: config.processes, module, rows: count });
        const plan: PairedPlan = { ...planned.plan, baseEntry: base.entry, headEntry: join(PROJECT, ENTRY), seed: processSeed(config.seed, p), counters: p === 0 };
        const output = await runWorker<PairedOutput>(
          plan,
          pin,
          (event) => {
            if (event.event === 'module') {
              count = event.rows;
              progress.begin(step(event.module));
            } else if (event.event === 'row') progress.row(perModule.get(event.module)! / Math.max(1, count));
            else progress.end(step(event.module));
          },
          PAIRED_WORKER,
        );
        counters ??= output.counters;
        for (const s of output.samples) {
          const key = `${s.workload}\0${s.strategy}\0${s.phase}`;
          let entry = rows.get(key);
          if (entry === undefined) rows.set(key, (entry = { first: s, base: [], head: [], injections: [] }));
          entry.base.push(s.base);
          entry.head.push(s.head);
          if (s.injection !== undefined) entry.injections.push(s.injection);
        }
      }
    } finally {
      progress.stop();
    }
    const side = (which: 'base' | 'head'): ResultRow[] =>
      [...rows.values()].map(({ first, base, head, injections }) => {
        const samples = which === 'base' ? base : head;
        const { workload, strategy, phase, gc, gcEvery } = first;
        return {
          workload,
          strategy,
          phase,
          samples,
          summary: summarizeProcesses(samples),
          gc,
          ...(gcEvery === undefined ? {} : { gcEvery }),
          ...(which === 'head' && injections.length > 0 ? { injections } : {}),
        };
      });
    const environment = currentEnvironment(workerCommand(pin).flags, WORKER_ENV, pin);
    const id = randomUUID();
    const head = resultsOf(planned, side('head'), counters?.head ?? {}, environment, {
      pairing: { id, side: 'head', revision: environment.git.dirty ? 'working tree' : 'HEAD', commit: environment.git.commit },
    });
    const baseResults = resultsOf(planned, side('base'), counters?.base ?? {}, { ...environment, git: { commit: base.commit, dirty: false } }, {
      pairing: { id, side: 'base', revision: base.revision, commit: base.commit },
      slowdowns: [],
    });
    return { base: baseResults, head, basePath: basePathOf(planned.out), headPath: planned.out };
}

