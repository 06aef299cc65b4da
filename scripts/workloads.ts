// `instlab workloads [--json]`: every registered workload with its size, family and
// feature tags; and `resolveModule`, which lets commands take a workload name wherever
// they take a module file.
import { existsSync } from 'node:fs';
import type { WorkloadImports } from '../workloads/imports.ts';
import { closeWorkloadNames, findWorkload, WORKLOADS, type Workload } from '../workloads/registry.ts';
import { sourceLabel, workloadBytes } from '../workloads/workload-bytes.ts';
import { BadInput, UsageError } from './bad-input.ts';
import { loadModuleBytes } from './module-source.ts';

export interface WorkloadsOptions {
  readonly json?: boolean;
}

/** One workload as `instlab workloads --json` lists it. */
export interface WorkloadListing {
  readonly name: string;
  readonly family: string;
  readonly param: number | string;
  readonly bytes: number;
  readonly tags: readonly string[];
  readonly source: string;
  readonly imports: WorkloadImports['kind'];
  readonly gcHeapBytes?: number;
  readonly description: string;
}

export async function workloadsCommand(options: WorkloadsOptions): Promise<number> {
  const listings = await listWorkloads();
  process.stdout.write(options.json === true ? `${JSON.stringify(listings, null, 2)}\n` : formatTable(listings));
  return 0;
}

export async function listWorkloads(): Promise<WorkloadListing[]> {
  const listings: WorkloadListing[] = [];
  for (const workload of WORKLOADS) {
    const bytes = await workloadBytes(workload);
    listings.push({
      name: workload.name,
      family: workload.family,
      param: workload.param,
      bytes: bytes.length,
      tags: workload.tags,
      source: sourceLabel(workload),
      imports: workload.imports.kind,
      ...(workload.gcHeapBytes === undefined ? {} : { gcHeapBytes: workload.gcHeapBytes }),
      description: workload.description,
    });
  }
  return listings;
}

function formatTable(listings: readonly WorkloadListing[]): string {
  const rows = listings.map((l) => [l.name, l.family, l.bytes.toLocaleString('en-US'), l.tags.join(','), l.source]);
  const header = ['name', 'family', 'bytes', 'tags', 'source'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (row: readonly string[]): string =>
    row
      .map((cell, column) => (column === 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return `${[format(header), ...rows.map(format), `${listings.length} workloads`].join('\n')}\n`;
}

export interface ResolvedModule {
  /** The workload's name, or the path as given. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Set when `name` is a registered workload. */
  readonly workload?: Workload;
  /** How the workload is meant to be instantiated (stubs or given externs). */
  readonly imports?: WorkloadImports;
  /** GC heap capacity the workload declares. */
  readonly gcHeapBytes?: number;
}

const MODULE_FILE = /\.(wasm|wat|wast)$/;

/**
 * A module by workload name (`globals-i32/10000`) or by path (`.wasm`, `.wat`). A name
 * that is neither a workload nor a file is bad input listing the closest workload names.
 */
export async function resolveModule(nameOrPath: string): Promise<ResolvedModule> {
  const workload = findWorkload(nameOrPath);
  if (workload !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = await workloadBytes(workload);
    } catch (error) {
      throw new BadInput(`workload ${workload.name}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
    return {
      name: workload.name,
      bytes,
      workload,
      imports: workload.imports,
      ...(workload.gcHeapBytes === undefined ? {} : { gcHeapBytes: workload.gcHeapBytes }),
    };
  }
  if (MODULE_FILE.test(nameOrPath) || existsSync(nameOrPath)) {
    return { name: nameOrPath, bytes: await loadModuleBytes(nameOrPath) };
  }
  throw new UsageError(
    `${nameOrPath}: not a workload and not a .wasm or .wat file; close matches: ${closeWorkloadNames(nameOrPath).join(', ')} ` +
      '(instlab workloads lists them all)',
  );
}
