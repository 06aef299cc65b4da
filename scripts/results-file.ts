// Results and baselines on disk: versioned JSON, written atomically (a temp file in the
// same folder, then a rename), and never written over a file that is not a results file
// of ours, which is reported instead.
import type { Stats } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BadInput } from './bad-input.ts';
import { readJsonFile } from './json-file.ts';
import { writeFileAtomically } from './atomic-file.ts';
import type { Environment } from './bench/environment.ts';
import type { InstantiationCounters } from '../runtime/instance/counters.ts';
import type { Summary } from './statistics.ts';
import type { Shard } from './bench/bench-modules.ts';
import type { Injection, Slowdown } from './bench/slowdown.ts';
import { resultsProblem } from './results-schema.ts';

export const RESULTS_SCHEMA = 'instlab.results/1';

export type Phase = 'compile' | 'instantiate';

/** When a measuring process collected garbage, outside the timed calls (`per-row`: files from before collections between samples became the rule). */
export type GcPolicy = 'between-samples' | 'per-row' | 'none';

export interface RowSummary extends Summary {
  readonly processMedians: readonly number[];
  /** What the summary table judges by: the pooled median's interval, widened to cover every process's median. */
  readonly interval: readonly [number, number];
}

/**
 * The reference rows: V8's own instantiation and the machine's cheapest way to the same
 * state. No change to this project's engine or strategies moves them, so when they move
 * between two runs it is the machine or the engine under Node that changed.
 */
export const REFERENCE_STRATEGIES: ReadonlySet<string> = new Set(['v8', 'floor']);

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
  /** The memory one compiled module keeps (compiled-memory.ts), measured once per run. */
  readonly compiledMemory?: { readonly heapBytes: number; readonly arrayBufferBytes: number };
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
  /**
   * `--memory-pool`: instantiate rows of ours and the floor took their memories from a pool
   * and gave them back in each timed call. Absent in files from before the option (off).
   */
  readonly memoryPool?: boolean;
  /** Set by `instlab merge`: how many shards, and the mismatches `--force` let through. */
  readonly merged: { readonly shards: number; readonly forced: readonly string[] } | null;
  /** Set by `instlab check --against`: one side of a paired run (both sides measured in the same processes). */
  readonly pairing?: Pairing;
}

export interface Pairing {
  /** The same on both sides of one paired run. */
  readonly id: string;
  readonly side: 'base' | 'head';
  /** The revision as given: `--against REF`, or `HEAD` for the working tree. */
  readonly revision: string;
  readonly commit: string | null;
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
 * That `path` can take a results file, checked before minutes of measuring: it is not a
 * folder, anything already there is a results file of ours (which a new one may
 * replace), its folder exists or can be made, and a file can be written in it.
 */
export async function checkWritable(path: string): Promise<void> {
  const existing = await statOf(path);
  if (existing?.isDirectory()) throw new BadInput(`${path}: is a folder; --out takes a file name`);
  if (existing !== undefined) await readResults(path);
  await makeFolder(dirname(path), path);
  const probe = `${path}.${process.pid}.probe.tmp`;
  try {
    await writeFile(probe, '');
  } catch (error) {
    throw new BadInput(`${path}: cannot write in ${dirname(path)}: ${codeOf(error)}`);
  } finally {
    await rm(probe, { force: true });
  }
}

/**
 * Makes `folder` and any missing parents one level at a time, from the nearest one that
 * exists (a recursive mkdir under /proc or a read-only mount can spin instead of failing).
 */
async function makeFolder(folder: string, path: string): Promise<void> {
  const missing: string[] = [];
  let at = folder;
  for (;;) {
    const stat = await statOf(at);
    if (stat !== undefined) {
      if (!stat.isDirectory()) throw new BadInput(`${path}: ${at} is a file, not a folder`);
      break;
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) {
    try {
      await mkdir(folder);
    } catch (error) {
      throw new BadInput(`${path}: cannot make the folder ${folder}: ${codeOf(error)}`);
    }
  }
}

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new BadInput(`${path}: cannot read: ${codeOf(error)}`);
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/**
 * Writes `results` to `path` atomically. An existing file there is replaced only if it
 * is itself a readable results file: anything else is reported and left as it is.
 */
export async function writeResults(path: string, results: Results): Promise<void> {
  await checkWritable(path);
  await writeFileAtomically(path, `${JSON.stringify(results)}\n`);
}
