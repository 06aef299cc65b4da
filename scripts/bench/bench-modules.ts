// What one `instlab bench` run measures: built-in workloads chosen by glob, and module
// files given on the command line (with the imports the user names), described so that a
// measuring process can load each one by itself. Also the split of that list into shards
// for running one matrix on several machines.
import { resolve as resolvePath } from 'node:path';
import { compile } from '../../runtime/module/compile.ts';
import { instantiate } from '../../runtime/instance/instantiate.ts';
import { Store } from '../../runtime/instance/store.ts';
import { stubImports } from '../../runtime/embedder/stub-imports.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { withoutStartSection } from '../../runtime/v8/observable-copy.ts';
import { givenImports, resolveWorkloadImports, STUB_IMPORTS, type WorkloadImports } from '../../workloads/imports.ts';
import { importsFromJson } from '../../workloads/imports-json.ts';
import { v8Imports } from '../../workloads/v8-state.ts';
import { findWorkload, WORKLOADS } from '../../workloads/registry.ts';
import { workloadBytes } from '../../workloads/workload-bytes.ts';
import type { CompiledModule } from '../../runtime/module/compile.ts';
import type { ImportResolver } from '../../runtime/instance/store.ts';
import { BadInput, UsageError } from '../bad-input.ts';
import { readImportsFile } from '../imports-file.ts';
import { loadModuleBytes } from '../module-source.ts';

/** A module to measure, as a measuring process receives it (plain JSON). */
export interface BenchModule {
  /** The workload's name, or the file's path as given. */
  readonly name: string;
  /** Set for a module file: the absolute path the process loads it from. */
  readonly file?: string;
  /**
   * How the module is instantiated. `stub-all` stubs every import (`--stub-imports`);
   * `stub` and `given` are a workload's own rule (given externs, stubs for the rest).
   */
  readonly imports: WorkloadImports | { readonly kind: 'stub-all' } | { readonly kind: 'none' };
  readonly gcHeapBytes?: number;
}

export interface FileImportOptions {
  readonly imports?: string;
  readonly stubImports?: boolean;
}

/** Workloads whose names match any of the globs (`*` any text, `?` one character); all if no glob and no file. */
export function selectWorkloads(globs: readonly string[], files: readonly string[]): BenchModule[] {
  if (globs.length === 0) return files.length === 0 ? WORKLOADS.map(workloadModule) : [];
  const patterns = globs.map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  const selected = WORKLOADS.filter((w) => patterns.some((p) => p.test(w.name)));
  if (selected.length === 0) throw new UsageError(`no workload matches ${globs.join(', ')} (instlab workloads lists them)`);
  return selected.map(workloadModule);
}

function workloadModule(workload: (typeof WORKLOADS)[number]): BenchModule {
  return {
    name: workload.name,
    imports: workload.imports,
    ...(workload.gcHeapBytes === undefined ? {} : { gcHeapBytes: workload.gcHeapBytes }),
  };
}

/** Module files, each instantiated with the imports file, stubs, or (if neither) no imports. */
export async function fileModules(files: readonly string[], options: FileImportOptions): Promise<BenchModule[]> {
  if (options.imports !== undefined && options.stubImports === true) throw new UsageError('--imports and --stub-imports exclude each other');
  if (files.length === 0 && (options.imports !== undefined || options.stubImports === true)) {
    throw new UsageError(`${options.imports === undefined ? '--stub-imports' : '--imports'} applies to module files; none given`);
  }
  const imports: BenchModule['imports'] =
    options.imports !== undefined
      ? givenImports(await readImportsFile(options.imports))
      : options.stubImports === true
        ? { kind: 'stub-all' }
        : { kind: 'none' };
  const modules: BenchModule[] = [];
  for (const file of files) {
    if (findWorkload(file) !== undefined) throw new BadInput(`${file}: a workload name; select workloads with --workload`);
    modules.push({ name: file, file: resolvePath(file), imports });
  }
  return modules;
}

export async function moduleBytes(module: BenchModule): Promise<Uint8Array> {
  if (module.file !== undefined) return loadModuleBytes(module.file);
  return workloadBytes(findWorkload(module.name)!);
}

/** Resolves the module's imports in `store` for our runtime. */
export function moduleImports(store: Store, compiled: CompiledModule, module: BenchModule): ImportResolver {
  const { imports } = module;
  switch (imports.kind) {
    case 'none':
      return () => undefined;
    case 'stub-all':
      return stubImports(store, compiled);
    case 'given':
      if (module.file !== undefined) return importsFromJson(store, compiled, imports.imports, 'imports file');
      return resolveWorkloadImports(store, compiled, imports);
    case 'stub':
      return resolveWorkloadImports(store, compiled, imports);
  }
}

/** The V8 import object matching `moduleImports` (V8 counterparts of our stubs). */
export function moduleV8Imports(compiled: CompiledModule, module: BenchModule): Record<string, Record<string, unknown>> {
  const { imports } = module;
  if (imports.kind === 'none') return {};
  return v8Imports(compiled, imports.kind === 'stub-all' ? STUB_IMPORTS : imports);
}

/** The bytes V8 measures: the module without its start function, which ours does not run either. */
export function v8BytesOf(compiled: CompiledModule, bytes: Uint8Array): Uint8Array {
  return compiled.module.start === undefined ? bytes : withoutStartSection(bytes);
}

/** Why V8 cannot instantiate the module as we measure it, or undefined if it can. */
export function v8Unavailable(compiled: CompiledModule, bytes: Uint8Array, module: BenchModule): string | undefined {
  try {
    new v8Wasm.Instance(new v8Wasm.Module(v8BytesOf(compiled, bytes)), moduleV8Imports(compiled, module));
    return undefined;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Compiles and instantiates once per strategy, so a module we cannot measure fails before any process starts. */
export function checkInstantiates(module: BenchModule, bytes: Uint8Array, strategy: Parameters<typeof instantiate>[3]['strategy']) {
  const store = new Store({ gc: { capacityBytes: module.gcHeapBytes } });
  const compiled = compile(bytes);
  return instantiate(store, compiled, moduleImports(store, compiled, module), { strategy, skipStart: true });
}

/**
 * Relative cost of measuring a module, for balancing shards: every row spends about the
 * time budget, and rows of large modules are held up by their minimum sample count
 * (compiling costs roughly 15 ns a byte here: esbuild-wasm's 14 MB take ~217 ms).
 */
export function expectedCostMs(bytes: number, rows: number, budgetMs: number, minCalls: number): number {
  const compileMs = (bytes * 15) / 1e6;
  return rows * Math.max(budgetMs * 1.25, compileMs * minCalls);
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match === null ? NaN : Number(match[1]);
  const count = match === null ? NaN : Number(match[2]);
  if (!(count >= 1 && count <= 1000 && index >= 1 && index <= count)) {
    throw new UsageError(`--shard must be I/N with 1 ≤ I ≤ N ≤ 1000, not ${text}`);
  }
  return { index, count };
}

/**
 * The modules of shard `index` of `count`: the longest-expected first, each to the
 * shard with the least expected cost so far (ties to the lower shard), so shards take
 * about equally long; deterministic, as every machine of a matrix must agree on it.
 */
export function shardModules<M extends { readonly name: string }>(modules: readonly M[], cost: (m: M) => number, shard: Shard): M[] {
  const loads = new Array<number>(shard.count).fill(0);
  const order = [...modules].sort((a, b) => cost(b) - cost(a) || (a.name < b.name ? -1 : 1));
  const mine = new Set<string>();
  for (const module of order) {
    let least = 0;
    for (let s = 1; s < shard.count; s++) if (loads[s] < loads[least]) least = s;
    loads[least] += cost(module);
    if (least === shard.index - 1) mine.add(module.name);
  }
  return modules.filter((m) => mine.has(m.name));
}
