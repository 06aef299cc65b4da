// Default externs for every import of a module, made from the module's own import list:
// numeric globals 0, null references, functions that trap when called, memories and
// tables fresh at their minimum size, tags of the declared type. A non-nullable
// reference cannot be null, so it gets a value of its type where one can be made from
// nothing: a trapping function, a host object, or i31 0.
import type { CompiledModule } from '../module/compile.ts';
import { writeSlot } from '../instance/const-value.ts';
import { LinkError, RuntimeError } from '../errors.ts';
import { canonicalFuncTypeId } from './host-func-type.ts';
import type { GlobalType, Import } from '../module/module.ts';
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
  return importsByName(store, compiled, (entry) => stubExtern(store, compiled, entry));
}

/**
 * Resolves each import to the extern `make` makes for it (all made at once, so a bad one
 * is reported before anything links), as a JS import object resolves them: imports of one
 * name get the one value made for the first of them. Two cases the JS API converts that
 * value (https://webassembly.github.io/spec/js-api/#read-the-imports):
 * - a function after a function: a JS function serves every signature, so each gets a
 *   function of its own type;
 * - an immutable global of an extern type after a function, table, memory or tag: that
 *   object is a JS object, which any externref holds (ToWebAssemblyValue), so the global
 *   is a new one holding a host value for it. Any other global after a non-global is a
 *   LinkError in both.
 */
export function importsByName(store: Store, compiled: CompiledModule, make: (entry: Import, index: number) => Extern | undefined): ImportResolver {
  const byName = new Map<string, { kind: Import['desc']['kind']; extern: Extern | undefined }>();
  const own = new Map<number, Extern | undefined>();
  compiled.module.imports.forEach((entry, index) => {
    const key = importKey(entry.module, entry.name);
    const first = byName.get(key);
    if (first === undefined) {
      const extern = make(entry, index);
      byName.set(key, { kind: entry.desc.kind, extern });
      if (entry.desc.kind === 'func') own.set(index, extern);
    } else if (entry.desc.kind === 'func' && first.kind === 'func') {
      own.set(index, make(entry, index));
    } else if (first.kind !== 'global' && first.extern !== undefined && holdsAnyObject(entry)) {
      own.set(index, hostValueGlobal(store, compiled, entry));
    }
  });
  return (module, name, index) => (own.has(index) ? own.get(index) : byName.get(importKey(module, name))?.extern);
}

/** An immutable global of `(ref null extern)` or `(ref extern)`: one a JS object converts to. */
function holdsAnyObject({ desc }: Import): boolean {
  if (desc.kind !== 'global' || desc.type.mutable || typeof desc.type.type === 'string') return false;
  return desc.type.type.heap === 'extern';
}

/**
 * How a JS function imported as `module` `name` is described as a host value: the V8
 * side's stub function is named `stub import "module" "name"`, and its observed state
 * describes a function as `function NAME` (v8-observed-state.ts), so one stub reads the
 * same on both sides.
 */
export function hostFunctionLabel(module: string, name: string): string {
  return `function ${stubFunctionName(module, name)}`;
}

export function stubFunctionName(module: string, name: string): string {
  return `stub import "${module}" "${name}"`;
}

function hostValueGlobal(store: Store, compiled: CompiledModule, entry: Import): Extern {
  const type = toCanonicalGlobalType((entry.desc as { type: GlobalType }).type, compiled.info.canonicalTypes);
  const global = store.createGlobal(type);
  const raw = store.heap.allocateHost(hostFunctionLabel(entry.module, entry.name));
  if (isGcManaged(type.type)) store.heap.writeBarrier(NULL_REF, raw);
  writeSlot(global.cells, global.slot, type.type, raw);
  return global;
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
