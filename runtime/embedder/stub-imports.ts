// Default externs for every import of a module, made from the module's own import list:
// numeric globals 0, null references, functions that trap when called, memories and
// tables fresh at their minimum size, tags of the declared type. A non-nullable
// reference cannot be null, so it gets a value of its type where one can be made from
// nothing: a trapping function, a host object, or i31 0.
import type { CompiledModule } from '../module/compile.ts';
import { writeSlot } from '../instance/const-value.ts';
import { LinkError, RuntimeError } from '../errors.ts';
import { canonicalFuncTypeId } from './host-func-type.ts';
import type { Import } from '../module/module.ts';
import { funcRef, i31Ref, NULL_REF, type RefWord } from '../gc/raw-ref.ts';
import { heapFamily, isGcManaged } from '../module/ref-family.ts';
import type { Extern, ImportResolver, Store } from '../instance/store.ts';
import { toCanonicalGlobalType, toCanonicalTableType, type CanonicalRefType, type CanonicalTypeId } from '../module/type-registry.ts';

export function stubExtern(store: Store, compiled: CompiledModule, entry: Import): Extern {
  const { desc } = entry;
  const canonical = compiled.info.canonicalTypes;
  switch (desc.kind) {
    case 'func':
      return trappingFunc(store, canonical[desc.typeIndex], entry);
    case 'global': {
      const type = toCanonicalGlobalType(desc.type, canonical);
      const global = store.createGlobal(type);
      if (typeof type.type !== 'string' && !type.type.nullable) {
        const raw = nonNullStub(store, type.type, entry, compiled.module.imports.indexOf(entry));
        if (isGcManaged(type.type)) store.heap.writeBarrier(NULL_REF, raw);
        writeSlot(global.cells, global.slot, type.type, raw);
      }
      return global;
    }
    case 'memory':
      return store.createMemory(desc.type);
    case 'table': {
      const type = toCanonicalTableType(desc.type, canonical);
      const table = store.createTable(type);
      if (!type.element.nullable && table.size > 0) {
        const raw = nonNullStub(store, type.element, entry, compiled.module.imports.indexOf(entry));
        if (isGcManaged(type.element)) for (let i = 0; i < table.size; i++) store.heap.writeBarrier(NULL_REF, raw);
        table.elements.fill(raw);
      }
      return table;
    }
    case 'tag':
      return { kind: 'tag', type: canonical[desc.typeIndex] };
  }
}

/** Resolves each import of `compiled` to a stub made for it. */
export function stubImports(store: Store, compiled: CompiledModule): ImportResolver {
  return importsByName(compiled, (entry) => stubExtern(store, compiled, entry));
}

/**
 * Resolves each import to the extern `make` makes for it (all made at once, so a bad one
 * is reported before anything links). Imports of one name share the extern made for the
 * first of them, as a JS import object gives them one value, except functions after a
 * function: a JS function serves every signature, so each gets one of its own type.
 */
export function importsByName(compiled: CompiledModule, make: (entry: Import, index: number) => Extern | undefined): ImportResolver {
  const byName = new Map<string, { kind: Import['desc']['kind']; extern: Extern | undefined }>();
  const funcs = new Map<number, Extern | undefined>();
  compiled.module.imports.forEach((entry, index) => {
    const key = importKey(entry.module, entry.name);
    const first = byName.get(key);
    if (first === undefined) {
      const extern = make(entry, index);
      byName.set(key, { kind: entry.desc.kind, extern });
      if (entry.desc.kind === 'func') funcs.set(index, extern);
    } else if (entry.desc.kind === 'func' && first.kind === 'func') {
      funcs.set(index, make(entry, index));
    }
  });
  return (module, name, index) => (funcs.has(index) ? funcs.get(index) : byName.get(importKey(module, name))?.extern);
}

function trappingFunc(store: Store, type: CanonicalTypeId, { module, name }: Import) {
  return store.createHostFunc(type, () => {
    throw new RuntimeError(`stub import "${module}" "${name}" was called`);
  });
}

/** A value of the non-nullable canonical reference type `type`, where one exists without a module. */
function nonNullStub(store: Store, type: CanonicalRefType, entry: Import, importIndex: number): RefWord {
  const heap = type.heap;
  switch (heapFamily(heap)) {
    case 'func':
      if (heap === 'nofunc') break;
      return funcRef(trappingFunc(store, typeof heap === 'number' ? heap : canonicalFuncTypeId([], []), entry).address);
    case 'extern':
      if (heap === 'noextern') break;
      return store.heap.allocateHost(`stub for "${entry.module}" "${entry.name}"`);
    case 'any':
      if (heap === 'any' || heap === 'eq' || heap === 'i31') return i31Ref(0);
      break;
    case 'exn':
      break;
  }
  throw new LinkError(
    `cannot stub import "${entry.module}" "${entry.name}": no value of its non-nullable type exists without a module`,
    importIndex,
  );
}

function importKey(module: string, name: string): string {
  return JSON.stringify([module, name]);
}
