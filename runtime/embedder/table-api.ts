// The embedder's table operations. Every slot write goes through the DRC write barrier:
// count the new reference, release the old one (a test's heap can leave one barrier out:
// `GcHeapOptions.removedBarriers`).
import { RuntimeError, EmbedderError } from '../errors.ts';
import type { Instance } from '../instance/instance.ts';
import { isGcManaged } from '../module/ref-family.ts';
import type { RootScope, Rooted } from '../gc/root-scope.ts';
import type { TableInst } from '../instance/store.ts';
import type { GcHeap } from '../gc/heap.ts';
import { tableElement } from '../instance/table-element.ts';
import { NULL_REF, refWords, type RefWords } from '../gc/raw-ref.ts';

export function tableGet(scope: RootScope, table: TableInst, index: number): Rooted {
  checkBounds(table, index, 1);
  return scope.root(tableElement(table, index), isGcManaged(table.type.element));
}

export function tableSet(scope: RootScope, table: TableInst, index: number, value: Rooted | null): void {
  checkBounds(table, index, 1);
  const raw = value === null ? NULL_REF : value.raw;
  if (isGcManaged(table.type.element)) scope.store.heap.writeBarrier(table.elements[index], raw, scope.store.heap.barrierOn('table.set'));
  table.elements[index] = raw;
}

/**
 * table.grow: new slots hold `init`. Returns the old size, or -1 when the table cannot
 * grow that far (its maximum, or the implementation limit). The reference is taken as a
 * counted clone for the duration of the grow, as the engine holds it, and that clone is
 * released afterwards: the leak Wasmtime once had was forgetting this release.
 */
export function tableGrow(scope: RootScope, table: TableInst, delta: number, init: Rooted | null): number {
  const oldSize = table.size;
  const newSize = oldSize + delta;
  const limit = scope.store.limits.tableElements;
  const max = Math.min(table.type.limits.max ?? limit, limit);
  if (!Number.isInteger(delta) || delta < 0 || newSize > max) return -1;
  const raw = init === null ? NULL_REF : init.raw;
  const counted = isGcManaged(table.type.element);
  const heap = scope.store.heap;
  if (counted) heap.incRef(raw);
  if (newSize > table.elements.length) {
    const grown = refWords(Math.max(newSize, Math.min(max, table.elements.length * 2)));
    grown.set(table.elements.subarray(0, oldSize));
    table.elements = grown;
  }
  table.elements.fill(raw, oldSize, newSize);
  table.size = newSize;
  if (counted) {
    for (let i = 0; i < delta; i++) heap.writeBarrier(NULL_REF, raw);
    if (heap.barrierOn('table.grow')) heap.decRef(raw);
  }
  return oldSize;
}

/** table.fill: each overwritten slot releases its old reference, null fills included. */
export function tableFill(scope: RootScope, table: TableInst, start: number, value: Rooted | null, count: number): void {
  checkBounds(table, start, count);
  const raw = value === null ? NULL_REF : value.raw;
  if (isGcManaged(table.type.element)) {
    const heap = scope.store.heap;
    const release = heap.barrierOn('table.fill');
    for (let i = start; i < start + count; i++) heap.writeBarrier(table.elements[i], raw, release);
  }
  table.elements.fill(raw, start, start + count);
}

/**
 * table.init from a passive element segment of `instance`, as the instruction does:
 * bounds-checked against both the segment and the table, then copied with barriers.
 */
export function tableInitFromSegment(
  instance: Instance,
  table: TableInst,
  segmentIndex: number,
  destination: number,
  source: number,
  count: number,
): void {
  const refs = instance.elems[segmentIndex];
  if (refs === undefined) throw new EmbedderError(`unknown element segment ${segmentIndex}`);
  if (!Number.isInteger(source) || source < 0 || source + count > refs.length) {
    throw new RuntimeError(`out of bounds table access: [${source}, ${source + count}) of a segment of ${refs.length}`);
  }
  checkBounds(table, destination, count);
  copyIntoTable(instance.store.heap, table, destination, refs.subarray(source, source + count) as RefWords);
}

/** The copy of table.init (bounds already checked): with barriers for counted references. */
export function copyIntoTable(heap: GcHeap, table: TableInst, destination: number, refs: RefWords): void {
  if (!isGcManaged(table.type.element)) {
    table.elements.set(refs, destination);
    return;
  }
  const release = heap.barrierOn('table.init');
  for (let i = 0; i < refs.length; i++) {
    heap.writeBarrier(table.elements[destination + i], refs[i], release);
    table.elements[destination + i] = refs[i];
  }
}

function checkBounds(table: TableInst, start: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > table.size) {
    throw new RuntimeError(`out of bounds table access: [${start}, ${start + count}) in a table of size ${table.size}`);
  }
}
