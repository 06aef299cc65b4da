// Results and baselines on disk: versioned JSON, written atomically (a temp file in the
// same folder, then a rename), and never written over a file that is not a results file
// of ours, which is reported instead.
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BadInput } from './bad-input.ts';
import { readJsonFile } from './json-file.ts';
import type { Environment } from './bench/environment.ts';
import type { InstantiationCounters } from '../runtime/instance/counters.ts';
import type { Summary } from './statistics.ts';
import type { Shard } from './bench/bench-modules.ts';
import type { Injection, Slowdown } from './bench/slowdown.ts';
import { resultsProblem } from './results-schema.ts';

export const RESULTS_SCHEMA = 'instlab.results/1';

export type Phase = 'compile' | 'instantiate';

/** When a measuring process collected garbage, outside the timed calls. */
export type GcPolicy = 'between-samples' | 'per-row' | 'none';

export interface RowSummary extends Summary {
  readonly processMedians: readonly number[];
  /** What the summary table judges by: the pooled median's interval, widened to cover every process's median. */
  readonly interval: readonly [number, number];
}

export interface ResultRow {
  readonly workload: string;
  /** A strategy name, or the reference rows `v8` and `floor`. */
  readonly strategy: string;
  readonly phase: Phase;
  /** Every sample, in nanoseconds, one array per measuring process. */
  readonly samples: readonly (readonly number[])[];
  readonly summary: RowSummary;
  readonly gc: GcPolicy;
  /** With `between-samples`: a collection before every this many samples. */
  readonly gcEvery?: number;
  /** Per process, the slowdown injected into this row (`--inject-slowdown`). */
  readonly injections?: readonly Injection[];
}

export interface WorkloadInfo {
  readonly bytes: number;
  readonly sha256: string;
  readonly family: string;
  readonly tags: readonly string[];
  /** Set for a module file given on the command line. */
  readonly file?: string;
}

export interface ResultsConfig {
  readonly quick: boolean;
  readonly processes: number;
  /** A fixed sample count per row and process, or null when the time budget sets it. */
  readonly samples: number | null;
  readonly budgetMs: number;
  /** Samples per row and process are bounded to this range; warm-up calls come before. */
  readonly minIterations: number;
  readonly maxIterations: number;
  readonly workloads: readonly string[];
  readonly strategies: readonly string[];
  /** Orders modules and rows in every process; the same seed replays the same order. */
  readonly seed: number;
  readonly shard: Shard | null;
  readonly slowdowns: readonly Slowdown[];
  /** Set by `instlab merge`: how many shards, and the mismatches `--force` let through. */
  readonly merged: { readonly shards: number; readonly forced: readonly string[] } | null;
}

export interface Unavailable {
  readonly workload: string;
  readonly strategy: string;
  readonly reason: string;
}

export interface Results {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly createdAt: string;
  readonly environment: Environment;
  readonly config: ResultsConfig;
  readonly workloads: Readonly<Record<string, WorkloadInfo>>;
  readonly rows: readonly ResultRow[];
  /** Deterministic operation counters per workload and strategy. */
  readonly counters: Readonly<Record<string, Readonly<Record<string, InstantiationCounters>>>>;
  /** Reference rows that could not be measured, and why. */
  readonly unavailable: readonly Unavailable[];
}

/** Reads and validates a results file against results/results.schema.json. */
export async function readResults(path: string): Promise<Results> {
  const json = await readJsonFile(path, 'corrupt results file');
  const problem = resultsProblem(json);
  if (problem !== undefined) throw new BadInput(`${path}: ${problem}`);
  return json as Results;
}

/**
 * That `path` can take a results file: its folder can be made, and anything already
 * there is a results file of ours (which a new one may replace).
 */
export async function checkWritable(path: string): Promise<void> {
  if (existsSync(path)) await readResults(path);
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw new BadInput(`${path}: cannot write there: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/**
 * Writes `results` to `path` atomically. An existing file there is replaced only if it
 * is itself a readable results file: anything else is reported and left as it is.
 */
export async function writeResults(path: string, results: Results): Promise<void> {
  await checkWritable(path);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(results)}\n`);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new BadInput(`${path}: cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
