// Dropping an instance releases every counted reference it holds: its own globals and
// tables, and the element segments it has not dropped. What it wrote into imported
// tables and globals belongs to their owners and stays. Its own globals and tables are
// cleared, so the embedder drops an instance only once nothing uses its exports (no
// other instance imports them), as a store that frees an instance's memory must. Its
// own memories go back to the store's memory pool, if it has one.
import type { Instance } from './instance.ts';
import { isGcManaged, isGcManagedIn } from '../module/ref-family.ts';
import { definedAt, definedEntries, wholeIndex } from '../module/index-spaces.ts';
import { refWord, refWords } from '../gc/raw-ref.ts';

export function releaseInstance(instance: Instance): void {
  if (instance.released || !instance.store.heap.barrierOn('instance.release')) return;
  instance.released = true;
  const heap = instance.store.heap;
  const { module } = instance.module;
  const importedGlobals = instance.globalImports.length;
  const cells = instance.globalCells;
  for (let i = 0; i < module.globals.length; i++) {
    if (!isGcManaged(instance.globalTypes[wholeIndex(importedGlobals, definedAt<'global'>(i))].type)) continue;
    heap.decRef(refWord(cells.u32[i * 4]));
    cells.u32[i * 4] = 0;
  }
  for (const table of definedEntries(instance.tables, instance.module.info.importedTables)) {
    if (!isGcManaged(table.type.element)) continue;
    for (let i = 0; i < table.size; i++) heap.decRef(table.elements[i]);
    table.elements.fill(0);
  }
  instance.elems.forEach((refs, i) => {
    if (!isGcManagedIn(instance.module.info.canonicalTypes, module.elements[i].type)) return;
    for (let j = 0; j < refs.length; j++) heap.decRef(refs[j]);
    instance.elems[i] = refWords(0);
  });
  const pool = instance.store.memoryPool;
  if (pool !== undefined) {
    for (const memory of definedEntries(instance.memories, instance.module.info.importedMemories)) pool.give(memory);
  }
}
