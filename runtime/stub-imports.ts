// Default externs for every import of a module, made from the module's own import list:
// numeric globals 0, null references, functions that trap when called, memories and
// tables fresh at their minimum size, tags of the declared type.
import type { CompiledModule } from './compile.ts';
import { RuntimeError } from './errors.ts';
import type { Import } from './module.ts';
import type { Extern, ImportResolver, Store } from './store.ts';
import { toCanonicalGlobalType, toCanonicalTableType } from './type-registry.ts';

export function stubExtern(store: Store, compiled: CompiledModule, { module, name, desc }: Import): Extern {
  const canonical = compiled.info.canonicalTypes;
  switch (desc.kind) {
    case 'func':
      return store.createHostFunc(canonical[desc.typeIndex], () => {
        throw new RuntimeError(`stub import "${module}" "${name}" was called`);
      });
    case 'global':
      return store.createGlobal(toCanonicalGlobalType(desc.type, canonical));
    case 'memory':
      return store.createMemory(desc.type);
    case 'table':
      return store.createTable(toCanonicalTableType(desc.type, canonical));
    case 'tag':
      return { kind: 'tag', type: canonical[desc.typeIndex] };
  }
}

/** Resolves each import of `compiled` to a stub made for it. */
export function stubImports(store: Store, compiled: CompiledModule): ImportResolver {
  const externs = new Map<string, Extern>();
  for (const entry of compiled.module.imports) {
    const key = importKey(entry.module, entry.name);
    if (!externs.has(key)) externs.set(key, stubExtern(store, compiled, entry));
  }
  return (module, name) => externs.get(importKey(module, name));
}

function importKey(module: string, name: string): string {
  return JSON.stringify([module, name]);
}
