// The parent of a paired run (`instlab check --against REF`): plans the matrix as bench
// does, materializes REF, runs the paired measuring processes one after another, and
// returns two results files, BASE (REF) and HEAD (this working tree), whose process p
// measured both sides: `compare` recognizes them by their shared pairing id and judges
// the per-process ratios.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { planBench, processSeed, ProcessRows, resultsOf, rowsPerModule, runProcesses, type BenchOptions, type PlannedBench } from '../bench/bench.ts';
import { currentEnvironment } from '../bench/environment.ts';
import { WORKER_ENV, workerCommand } from '../bench/run-worker.ts';
import { writeResults, type Results } from '../results-file.ts';
import { ENTRY, materialize, PROJECT } from './worktree.ts';
import { BadInput } from '../bad-input.ts';
import type { PairedOutput, PairedPlan } from './paired-worker.ts';
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
    // Found before any measuring: a BASE that ignored the pool would be measured fresh against a pooled HEAD.
    if (planned.config.memoryPool === true && !revision.rowOptions.includes('memoryPool')) {
      throw new BadInput(`--memory-pool: BASE ${against} (${revision.commit.slice(0, 12)}) has no memory pool option; measure both sides without it`);
    }
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
  const baseRows = new ProcessRows();
  const headRows = new ProcessRows();
  let counters: PairedOutput['counters'];
  await runProcesses<PairedOutput>({
    processes: config.processes,
    pin,
    script: PAIRED_WORKER,
    // Both sides of every row: twice a bench's cost per module.
    costOf: new Map(planned.plan.modules.map((m) => [m.name, 2 * planned.cost(m)])),
    rows: config.processes * planned.plan.modules.length * rowsPerModule(config.strategies.length),
    plan: (p): PairedPlan => ({ ...planned.plan, baseEntry: base.entry, headEntry: join(PROJECT, ENTRY), seed: processSeed(config.seed, p), counters: p === 0 }),
    take: (output) => {
      counters ??= output.counters;
      for (const { base: baseSamples, head: headSamples, injection, ...row } of output.samples) {
        baseRows.add({ ...row, samples: baseSamples });
        headRows.add({ ...row, samples: headSamples, ...(injection === undefined ? {} : { injection }) });
      }
    },
  });
  const environment = currentEnvironment(workerCommand(pin).flags, WORKER_ENV, pin);
  const id = randomUUID();
  const head = resultsOf(planned, headRows.rows(), counters?.head ?? {}, environment, {
    pairing: { id, side: 'head', revision: environment.git.dirty ? 'working tree' : 'HEAD', commit: environment.git.commit },
  });
  const baseResults = resultsOf(planned, baseRows.rows(), counters?.base ?? {}, { ...environment, git: { commit: base.commit, dirty: false } }, {
    pairing: { id, side: 'base', revision: base.revision, commit: base.commit },
    slowdowns: [],
  });
  return { base: baseResults, head, basePath: basePathOf(planned.out), headPath: planned.out };
}

