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

export const RESULTS_SCHEMA = 'instlab.results/1';

export type Phase = 'compile' | 'instantiate';

export interface ResultRow {
  readonly workload: string;
  /** A strategy name, or the reference rows `v8` and `floor`. */
  readonly strategy: string;
  readonly phase: Phase;
  /** Every sample, in nanoseconds, one array per measuring process. */
  readonly samples: readonly (readonly number[])[];
  readonly summary: Summary & { readonly processMedians: readonly number[] };
}

export interface WorkloadInfo {
  readonly bytes: number;
  readonly sha256: string;
  readonly family: string;
  readonly tags: readonly string[];
}

export interface Results {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly createdAt: string;
  readonly environment: Environment;
  readonly config: {
    readonly quick: boolean;
    readonly processes: number;
    readonly budgetMs: number;
    /** Samples per row and process are bounded to this range; warm-up calls come before. */
    readonly minIterations: number;
    readonly maxIterations: number;
    readonly workloads: readonly string[];
    readonly strategies: readonly string[];
  };
  readonly workloads: Readonly<Record<string, WorkloadInfo>>;
  readonly rows: readonly ResultRow[];
  /** Deterministic operation counters per workload and strategy. */
  readonly counters: Readonly<Record<string, Readonly<Record<string, InstantiationCounters>>>>;
}

export async function readResults(path: string): Promise<Results> {
  const json = await readJsonFile(path, 'corrupt results file');
  const problem = resultsProblem(json);
  if (problem !== undefined) throw new BadInput(`${path}: corrupt results file (${problem})`);
  return json as Results;
}

function resultsProblem(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return 'not an object';
  const record = json as Record<string, unknown>;
  if (record.schema !== RESULTS_SCHEMA) return `schema is ${JSON.stringify(record.schema)}, expected "${RESULTS_SCHEMA}"`;
  if (!Array.isArray(record.rows)) return 'no rows';
  for (const [i, row] of (record.rows as unknown[]).entries()) {
    const r = row as Partial<ResultRow> | null;
    if (r === null || typeof r !== 'object' || typeof r.workload !== 'string' || typeof r.strategy !== 'string') {
      return `row ${i} is malformed`;
    }
    if (!Array.isArray(r.samples) || !r.samples.every((s) => Array.isArray(s) && s.every((v) => typeof v === 'number'))) {
      return `row ${i} (${r.workload} ${r.strategy}) has malformed samples`;
    }
  }
  return undefined;
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
