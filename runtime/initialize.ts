// Initialization: globals, tables, then element and data segments, with the spec's trap
// semantics. A segment that is out of bounds traps before writing anything, and what
// earlier segments wrote stays written (observable through an imported table or memory).
import { evaluateConstExpr } from './const-eval.ts';
import type { Value } from './const-value.ts';
import { writeSlot } from './const-value.ts';
import { RuntimeError } from './errors.ts';
import type { Instance } from './instance.ts';
import type { ConstExpr, ElementSegment } from './module.ts';
import { funcRef } from './raw-ref.ts';
import { copyIntoTable } from './table-api.ts';
import { isGcManaged } from './ref-family.ts';
import { GlobalCells } from './store.ts';
import type { TableInst } from './store.ts';

export function initializeGlobals(instance: Instance): void {
  const { globals } = instance.module.module;
  const cells = new GlobalCells(globals.length);
  instance.globalCells = cells;
  const firstDefined = instance.globalImports.length;
  const heap = instance.store.heap;
  for (let i = 0; i < globals.length; i++) {
    const type = instance.globalTypes[firstDefined + i].type;
    const scope = heap.enterScope();
    const value = evaluateConstExpr(instance, globals[i].init);
    // Count the slot's reference before the scope lets go of the evaluator's root.
    if (isGcManaged(type)) heap.incRef(value as number);
    writeSlot(cells, i, type, value);
    heap.exitScope(scope);
  }
}

/** Fills each defined table that has an init expression with its value. */
export function initializeTables(instance: Instance): void {
  const { tables } = instance.module.module;
  const firstDefined = instance.tables.length - tables.length;
  for (let i = 0; i < tables.length; i++) {
    const init = tables[i].init;
    if (init === undefined) continue;
    const table = instance.tables[firstDefined + i];
    const heap = instance.store.heap;
    const scope = heap.enterScope();
    const raw = evaluateConstExpr(instance, init) as number;
    table.elements.fill(raw);
    if (isGcManaged(table.type.element)) {
      for (let j = 0; j < table.size; j++) heap.incRef(raw);
    }
    heap.exitScope(scope);
  }
}

/**
 * Evaluates each segment's items and applies it before the next: an active one by
 * table.init then elem.drop, a declarative one by elem.drop; a passive one keeps its
 * references (counted, so the GC keeps them alive) until dropped. The spec evaluates
 * every segment first; since evaluation has no visible effect, interleaving is the same
 * state, and garbage from dropped segments can be collected while later ones allocate.
 */
export function initializeElementSegments(instance: Instance): void {
  const { elements } = instance.module.module;
  for (let i = 0; i < elements.length; i++) {
    const segment = elements[i];
    evaluateElementItems(instance, segment);
    const mode = segment.mode;
    if (mode.kind === 'passive') continue;
    if (mode.kind === 'active') {
      const table = instance.tables[mode.table];
      tableInit(instance, table, offsetOf(instance, mode.offset), instance.elems[i]);
    }
    elemDrop(instance, i);
  }
}

export function initializeDataSegments(instance: Instance): void {
  const { datas } = instance.module.module;
  for (const segment of datas) instance.datas.push(segment.bytes);
  for (let i = 0; i < datas.length; i++) {
    const mode = datas[i].mode;
    if (mode.kind !== 'active') continue;
    const memory = instance.memories[mode.memory];
    const offset = offsetOf(instance, mode.offset);
    const bytes = instance.datas[i];
    if (offset + bytes.length > memory.bytes.length) {
      throw new RuntimeError(`out of bounds memory access: data segment ${i} at offset ${offset}`);
    }
    memory.bytes.set(bytes, offset);
    instance.datas[i] = EMPTY_BYTES;
  }
}

/**
 * Makes the segment's element instance. It joins the instance before its items are
 * evaluated, so an evaluation cut short by an error leaves the items made so far where
 * releasing the instance finds them.
 */
function evaluateElementItems(instance: Instance, segment: ElementSegment): void {
  const items = segment.items;
  if (items.kind === 'funcs') {
    const refs = new Uint32Array(items.indices.length);
    for (let i = 0; i < refs.length; i++) refs[i] = funcRef(instance.funcAddresses[items.indices[i]]);
    instance.elems.push(refs);
    return;
  }
  const refs = new Uint32Array(items.exprs.length);
  instance.elems.push(refs);
  const counted = isGcManaged(segment.type);
  const heap = instance.store.heap;
  for (let i = 0; i < refs.length; i++) {
    const scope = heap.enterScope();
    refs[i] = evaluateConstExpr(instance, items.exprs[i]) as number;
    if (counted) heap.incRef(refs[i]);
    heap.exitScope(scope);
  }
}

function tableInit(instance: Instance, table: TableInst, offset: number, refs: Uint32Array): void {
  if (offset + refs.length > table.size) {
    throw new RuntimeError(`out of bounds table access: element segment at offset ${offset}, table size ${table.size}`);
  }
  copyIntoTable(instance.store.heap, table, offset, refs);
}

function elemDrop(instance: Instance, index: number): void {
  const refs = instance.elems[index];
  if (isGcManaged(instance.module.module.elements[index].type)) {
    for (const raw of refs) instance.store.heap.decRef(raw);
  }
  instance.elems[index] = EMPTY_REFS;
}

/** A segment offset as an unsigned address (i32 or i64 by the target's address type). */
function offsetOf(instance: Instance, expr: ConstExpr): number {
  const value: Value = evaluateConstExpr(instance, expr);
  return typeof value === 'bigint' ? Number(BigInt.asUintN(64, value)) : (value as number) >>> 0;
}

const EMPTY_REFS = new Uint32Array(0);
const EMPTY_BYTES = new Uint8Array(0);
