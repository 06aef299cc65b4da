// Synthetic results files for the statistics tests: rows whose samples come from known
// distributions (log-normal noise within a process, a log-normal offset per process),
// seeded so every test sees the same numbers.
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import { RESULTS_SCHEMA, type ResultRow, type Results } from '../results-file.ts';
import { summarizeProcesses } from '../statistics.ts';
import { zeroCounters } from '../../runtime/instance/counters.ts';

export interface SyntheticRow {
  readonly workload: string;
  readonly strategy?: string;
  readonly phase?: 'compile' | 'instantiate';
  /** Median in nanoseconds before any shift. */
  readonly median: number;
  /** Multiplies every sample of the given processes (all when `processes` is absent). */
  readonly shift?: number;
  readonly shiftProcesses?: readonly number[];
}

export interface SyntheticOptions {
  readonly processes: number;
  readonly samples: number;
  /** Standard deviation of ln(sample) within a process. */
  readonly withinSd: number;
  /** Standard deviation of ln(process median) between processes. */
  readonly betweenSd: number;
  readonly seed: number;
}

function normal(random: SeededRandom): number {
  // Box–Muller from two uniforms in (0, 1].
  const u = (random.u32() + 1) / 4294967296;
  const v = (random.u32() + 1) / 4294967296;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function syntheticResults(rows: readonly SyntheticRow[], options: SyntheticOptions): Results {
  const random = new SeededRandom(options.seed);
  const resultRows: ResultRow[] = rows.map((row) => {
    const samples = Array.from({ length: options.processes }, (_, p) => {
      const shifted = row.shift !== undefined && (row.shiftProcesses === undefined || row.shiftProcesses.includes(p));
      const center = row.median * (shifted ? row.shift! : 1) * Math.exp(options.betweenSd * normal(random));
      return Array.from({ length: options.samples }, () => Math.round(center * Math.exp(options.withinSd * normal(random))));
    });
    return { workload: row.workload, strategy: row.strategy ?? 'cached', phase: row.phase ?? 'instantiate', samples, summary: summarizeProcesses(samples), gc: 'per-row' };
  });
  const workloads = [...new Set(rows.map((r) => r.workload))];
  return {
    schema: RESULTS_SCHEMA,
    createdAt: '2026-01-01T00:00:00.000Z',
    environment: {
      node: 'v24.9.0',
      v8: '13.6',
      cpu: 'synthetic',
      cores: 2,
      os: 'linux',
      git: { commit: null, dirty: null },
      flags: ['--expose-gc'],
      env: {},
      pin: null,
      timer: { source: 'process.hrtime.bigint', resolutionNs: 20 },
      v8CompileCache: 'bypassed',
    },
    config: {
      quick: true,
      processes: options.processes,
      samples: options.samples,
      budgetMs: 20,
      minIterations: 8,
      maxIterations: 400,
      workloads,
      strategies: [...new Set(rows.map((r) => r.strategy ?? 'cached'))],
      seed: options.seed,
      shard: null,
      slowdowns: [],
      merged: null,
    },
    workloads: Object.fromEntries(workloads.map((w) => [w, { bytes: 100, sha256: '0'.repeat(64), family: 'synthetic', tags: [] }])),
    rows: resultRows,
    counters: Object.fromEntries(workloads.map((w) => [w, { cached: zeroCounters() }])),
    unavailable: [],
  };
}
