// Allocation: the instance's functions, tags, tables and memories, before any
// initializer runs. Imports are bound first, so definitions follow them in every index
// space.
import { ResourceLimitError } from '../errors.ts';
import type { Instance } from './instance.ts';
import type { Extern, FuncInst, GlobalInst, MemoryInst, TableInst, TagInst } from './store.ts';
import { toCanonicalTableType } from '../module/type-registry.ts';
import { definedAt, wholeIndex } from '../module/index-spaces.ts';

export function bindImports(instance: Instance, externs: readonly Extern[]): void {
  let func = 0;
  for (const extern of externs) {
    switch (extern.kind) {
      case 'func':
        instance.funcAddresses[func++] = (extern as FuncInst).address;
        break;
      case 'global':
        instance.globalImports.push(extern as GlobalInst);
        break;
      case 'table':
        instance.tables.push(extern as TableInst);
        break;
      case 'memory':
        instance.memories.push(extern as MemoryInst);
        break;
      case 'tag':
        instance.tags.push(extern as TagInst);
        break;
    }
  }
}

export function allocateFunctions(instance: Instance): void {
  const { info, module } = instance.module;
  const count = module.funcs.length;
  const base = instance.store.reserveFuncs(instance, info.importedFuncs, count);
  const addresses = instance.funcAddresses;
  for (let i = 0; i < count; i++) addresses[wholeIndex(info.importedFuncs, definedAt<'func'>(i))] = base + i;
}

export function allocateTags(instance: Instance): void {
  const { info, module } = instance.module;
  for (const typeIndex of module.tags) {
    instance.tags.push({ kind: 'tag', type: info.canonicalTypes[typeIndex] });
  }
}

/** V8's limit on table size; a larger table is refused the way V8 refuses it. */
export const MAX_TABLE_ELEMENTS = 10_000_000;

/** Defined tables start null-filled; `initializeTables` applies their init expressions. */
export function allocateTables(instance: Instance): void {
  const { info, module } = instance.module;
  for (const table of module.tables) {
    const type = toCanonicalTableType(table.type, info.canonicalTypes);
    if (type.limits.min > MAX_TABLE_ELEMENTS) {
      throw new ResourceLimitError(
        'table elements',
        type.limits.min,
        `table allocation failed: ${type.limits.min} elements is over the limit of ${MAX_TABLE_ELEMENTS}`,
      );
    }
    instance.tables.push({ kind: 'table', type, elements: new Uint32Array(type.limits.min), size: type.limits.min });
  }
}

export function allocateMemories(instance: Instance): void {
  for (const { type } of instance.module.module.memories) {
    instance.memories.push(instance.store.createMemory(type));
  }
}
