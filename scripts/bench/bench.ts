// `instlab bench`: measures compile and instantiate for each workload × strategy, with
// the `v8` and `floor` reference rows, in several fresh processes (each with its own JIT
// and heap history, so one process's luck does not decide a row), and stores every raw
// sample, per-row summaries and the deterministic counters as a results file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { compile } from '../../runtime/module/compile.ts';
import type { InstantiationCounters } from '../../runtime/instance/counters.ts';
import { instantiate } from '../../runtime/instance/instantiate.ts';
import { Store } from '../../runtime/instance/store.ts';
import { strategies as allStrategies } from '../../variants/registry.ts';
import { resolveWorkloadImports } from '../../workloads/imports.ts';
import { findWorkload, WORKLOADS } from '../../workloads/registry.ts';
import { workloadBytes } from '../../workloads/workload-bytes.ts';
import { BadInput } from '../bad-input.ts';
import type { WorkerPlan, WorkerSamples } from './bench-worker.ts';
import { currentEnvironment } from './environment.ts';
import { checkWritable, RESULTS_SCHEMA, writeResults, type ResultRow, type Results, type WorkloadInfo } from '../results-file.ts';
import { summarize } from '../statistics.ts';
import { requireStrategy } from '../strategies.ts';
import { formatDuration } from '../format.ts';

export interface BenchOptions {
  readonly quick?: boolean;
  readonly workload?: readonly string[];
  readonly strategy?: readonly string[];
  readonly out?: string;
  readonly processes?: string;
}

const WORKER = fileURLToPath(new URL('bench-worker.ts', import.meta.url));
const WORKER_FLAGS = ['--expose-gc'];

export async function benchCommand(options: BenchOptions): Promise<number> {
  const quick = options.quick === true;
  const workloads = selectWorkloads(options.workload ?? []);
  const strategies = (options.strategy ?? allStrategies.map((s) => s.name)).map((name) => requireStrategy(name).name);
  const processes = options.processes === undefined ? (quick ? 2 : 3) : Number(options.processes);
  if (!Number.isInteger(processes) || processes < 1) throw new BadInput(`--processes must be a whole number ≥ 1, not ${options.processes}`);
  const out = options.out ?? fileURLToPath(new URL(`../../results/runs/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url));
  // Checked before measuring: minutes of samples must not be lost to a bad --out.
  await checkWritable(out);
  const plan: Omit<WorkerPlan, 'seed'> = {
    workloads,
    strategies,
    budgetMs: quick ? 20 : 100,
    minIterations: quick ? 3 : 5,
    maxIterations: quick ? 400 : 3000,
  };

  const infos: Record<string, WorkloadInfo> = {};
  const counters: Record<string, Record<string, InstantiationCounters>> = {};
  for (const name of workloads) {
    const workload = findWorkload(name)!;
    const bytes = await workloadBytes(workload);
    infos[name] = {
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      family: workload.family,
      tags: workload.tags,
    };
    counters[name] = countersOf(workload, bytes, strategies);
  }

  const byRow = new Map<string, { workload: string; strategy: string; phase: ResultRow['phase']; samples: number[][] }>();
  for (let p = 0; p < processes; p++) {
    process.stderr.write(`process ${p + 1} of ${processes}: ${workloads.length} workloads\n`);
    for (const measured of runWorker({ ...plan, seed: p + 1 })) {
      const key = `${measured.workload}\0${measured.strategy}\0${measured.phase}`;
      let row = byRow.get(key);
      if (row === undefined) {
        row = { workload: measured.workload, strategy: measured.strategy, phase: measured.phase, samples: [] };
        byRow.set(key, row);
      }
      row.samples.push(measured.samples);
    }
  }
  const rows: ResultRow[] = [...byRow.values()].map((row) => ({
    ...row,
    summary: { ...summarize(row.samples.flat()), processMedians: row.samples.map((s) => summarize(s).median) },
  }));

  const results: Results = {
    schema: RESULTS_SCHEMA,
    createdAt: new Date().toISOString(),
    environment: currentEnvironment(WORKER_FLAGS),
    config: {
      quick,
      processes,
      budgetMs: plan.budgetMs,
      minIterations: plan.minIterations,
      maxIterations: plan.maxIterations,
      workloads,
      strategies,
    },
    workloads: infos,
    rows,
    counters,
  };
  await writeResults(out, results);
  process.stdout.write(formatResults(results));
  process.stdout.write(`results: ${out}\n`);
  return 0;
}

function runWorker(plan: WorkerPlan): WorkerSamples[] {
  const child = spawnSync(process.execPath, [...WORKER_FLAGS, WORKER], {
    input: JSON.stringify(plan),
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`bench worker failed (status ${child.status}${child.error ? `: ${child.error.message}` : ''})`);
  return JSON.parse(child.stdout) as WorkerSamples[];
}

function countersOf(workload: NonNullable<ReturnType<typeof findWorkload>>, bytes: Uint8Array, strategies: readonly string[]) {
  const compiled = compile(bytes);
  const rows: Record<string, InstantiationCounters> = {};
  for (const name of strategies) {
    const store = new Store({ gc: { capacityBytes: workload.gcHeapBytes } });
    const resolve = resolveWorkloadImports(store, compiled, workload.imports);
    rows[name] = instantiate(store, compiled, resolve, { strategy: requireStrategy(name), skipStart: true }).counters;
  }
  return rows;
}

/** Workloads whose names match any of the globs (`*` any text, `?` one character); all if none. */
function selectWorkloads(globs: readonly string[]): string[] {
  if (globs.length === 0) return WORKLOADS.map((w) => w.name);
  const patterns = globs.map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  const selected = WORKLOADS.filter((w) => patterns.some((p) => p.test(w.name))).map((w) => w.name);
  if (selected.length === 0) throw new BadInput(`no workload matches ${globs.join(', ')} (instlab workloads lists them)`);
  return selected;
}

/** One line per workload and phase: each row's median with its 95% interval, and the ratio to V8. */
function formatResults(results: Results): string {
  const lines: string[] = [];
  const rowsOf = (workload: string, phase: string) => results.rows.filter((r) => r.workload === workload && r.phase === phase);
  for (const workload of results.config.workloads) {
    for (const phase of ['instantiate', 'compile'] as const) {
      const order = [...results.config.strategies, 'v8', 'floor'];
      const rows = rowsOf(workload, phase).sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy));
      const v8 = rows.find((r) => r.strategy === 'v8')?.summary.median;
      lines.push(`${workload} ${phase}`);
      for (const row of rows) {
        const { median, medianCi95 } = row.summary;
        const ratio = v8 === undefined || row.strategy === 'v8' ? '' : `  ${formatRatio(v8 / median)} v8`;
        lines.push(
          `  ${row.strategy.padEnd(10)} ${formatDuration(median).padStart(10)}  [${formatDuration(medianCi95[0])} ${formatDuration(medianCi95[1])}]${ratio}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function formatRatio(speedup: number): string {
  return speedup >= 1 ? `${speedup.toFixed(2)}× faster than` : `${(1 / speedup).toFixed(2)}× slower than`;
}
