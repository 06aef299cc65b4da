// What a workload is instantiated with: stubs made from the module's own import list,
// or given externs (the imports-file format of `inspect --imports`) with stubs for
// whatever is not given.
import type { CompiledModule } from '../runtime/module/compile.ts';
import type { ImportResolver, Store } from '../runtime/instance/store.ts';
import { importsByName, stubExtern } from '../runtime/embedder/stub-imports.ts';
import { importsFromJson } from './imports-json.ts';

/** `{"module": {"name": {"kind": "global", "type": "i32", "value": 7}}}` (design.md). */
export type ImportsJson = Record<string, Record<string, Record<string, unknown>>>;

export type WorkloadImports =
  | { readonly kind: 'stub' }
  | { readonly kind: 'given'; readonly imports: ImportsJson };

export const STUB_IMPORTS: WorkloadImports = { kind: 'stub' };

export function givenImports(imports: ImportsJson): WorkloadImports {
  return { kind: 'given', imports };
}

/** The given extern for `module`/`name`, if the workload gives one. */
export function givenImport(imports: WorkloadImports, module: string, name: string): Record<string, unknown> | undefined {
  return imports.kind === 'given' ? imports.imports[module]?.[name] : undefined;
}

/** Resolves every import of `compiled` for our runtime: the given extern, else a stub. */
export function resolveWorkloadImports(store: Store, compiled: CompiledModule, imports: WorkloadImports): ImportResolver {
  const given: ImportResolver =
    imports.kind === 'given' ? importsFromJson(store, compiled, imports.imports, 'workload imports') : () => undefined;
  return importsByName(store, compiled, (entry, index) => given(entry.module, entry.name, index) ?? stubExtern(store, compiled, entry));
}
