// The per-instance operations every strategy applies segments with, so trap and barrier
// semantics live in one place: table.init and memory.init as instantiation runs them
// (bounds checked before anything is written), elem.drop, and segment offsets.
import { RuntimeError } from '../errors.ts';
import type { Value } from './const-value.ts';
import type { Instance } from './instance.ts';
import { isGcManagedIn } from '../module/ref-family.ts';
import type { MemoryInst, TableInst } from './store.ts';
import { copyIntoTable } from '../embedder/table-api.ts';
import { noteMemoryWrite } from './memory-pool.ts';
import { refWords, type RefWords } from '../gc/raw-ref.ts';

export const EMPTY_REFS = refWords(0);
export const EMPTY_BYTES = new Uint8Array(0);

/**
 * A segment offset as an unsigned address (i32 or i64 by the target's address type): a
 * number, or the exact bigint past 2^53, where a number would round (and a trap message
 * would name an offset the module never had). Such an offset is out of bounds of any
 * table or memory.
 */
export function addressOf(value: Value): number | bigint {
  if (typeof value !== 'bigint') return (value as number) >>> 0;
  const address = BigInt.asUintN(64, value);
  return address <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(address) : address;
}

/** Applies an active element segment: traps if out of bounds, else copies with barriers. */
export function applyElementSegment(instance: Instance, table: TableInst, offset: number | bigint, refs: RefWords): void {
  if (typeof offset === 'bigint' || offset + refs.length > table.size) {
    throw new RuntimeError(`out of bounds table access: element segment at offset ${offset}, table size ${table.size}`);
  }
  copyIntoTable(instance.store.heap, table, offset, refs);
  instance.counters.slotsWritten += refs.length;
}

/** Applies an active data segment: traps if out of bounds, else copies. */
export function applyDataSegment(instance: Instance, memory: MemoryInst, offset: number | bigint, bytes: Uint8Array, index: number): void {
  if (typeof offset === 'bigint' || offset + bytes.length > memory.bytes.length) {
    throw new RuntimeError(`out of bounds memory access: data segment ${index} at offset ${offset}`);
  }
  memory.bytes.set(bytes, offset);
  noteMemoryWrite(memory, offset, offset + bytes.length);
  instance.counters.bytesCopied += bytes.length;
}

/** elem.drop: the segment's counted references are released. */
export function dropElementSegment(instance: Instance, index: number): void {
  const refs = instance.elems[index];
  if (refs.length > 0 && isGcManagedIn(instance.module.info.canonicalTypes, instance.module.module.elements[index].type)) {
    const heap = instance.store.heap;
    for (let i = 0; i < refs.length; i++) heap.decRef(refs[i]);
  }
  instance.elems[index] = EMPTY_REFS;
}
