// A workload's module bytes: generated and .wat sources go through the content-hash
// cache (assembled once), npm modules are read from the installed package.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { assemblerFor } from './assemble.ts';
import { moduleCache, type ModuleCache } from './module-cache.ts';
import { packageVersion } from './package-root.ts';
import type { Workload } from './registry.ts';
import { npmModuleFile } from './real-world.ts';

export async function workloadBytes(workload: Workload, cache: ModuleCache = moduleCache): Promise<Uint8Array> {
  const { source } = workload;
  switch (source.kind) {
    case 'generator':
      return cache.assembled(assemblerFor(workload.tags), `${workload.name}.wat`, source.generate());
    case 'wat-file':
      return cache.assembled(assemblerFor(workload.tags), basename(source.path), await readFile(source.path, 'utf8'));
    case 'npm': {
      return new Uint8Array(await readFile(npmModuleFile(source)));
    }
  }
}

/** Where a workload comes from, in words: `generator`, `wat/empty.wat`, `sql.js@1.16.0/dist/sql-wasm.wasm`. */
export function sourceLabel(workload: Workload): string {
  const { source } = workload;
  switch (source.kind) {
    case 'generator':
      return 'generator';
    case 'wat-file':
      return `wat/${basename(source.path)}`;
    case 'npm':
      return `${source.package}@${packageVersion(source.package)}/${source.path}`;
  }
}
