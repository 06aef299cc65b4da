// Allocation: the instance's functions, tags, tables and memories, before any
// initializer runs. Imports are bound first, so definitions follow them in every index
// space.
import { DEFAULT_LIMITS } from '../implementation-limits.ts';
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

/** The default limit on table size (the store's `limits` decide per store). */
export const MAX_TABLE_ELEMENTS = DEFAULT_LIMITS.tableElements;

/** Defined tables start null-filled; `initializeTables` applies their init expressions. */
export function allocateTables(instance: Instance): void {
  const { info, module } = instance.module;
  for (const table of module.tables) {
    instance.tables.push(instance.store.createTable(toCanonicalTableType(table.type, info.canonicalTypes)));
  }
}

export function allocateMemories(instance: Instance): void {
  for (const { type } of instance.module.module.memories) {
    instance.memories.push(instance.store.createMemory(type));
  }
}
