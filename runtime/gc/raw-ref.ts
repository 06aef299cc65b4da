// How a reference is held in a slot (global, table element, struct or array field):
// one unsigned 32-bit word, as Wasmtime holds a `VMGcRef` or a funcref pointer.
//
// - 0 is the null reference of every hierarchy.
// - funcref family: an even word is the store's function address, as (address + 1) * 2;
//   an odd word is a *lazy* function reference (function index * 2 + 1) that only a
//   table's image writes, resolved against the table's owning instance on first read,
//   as Wasmtime initializes funcref tables lazily (see table-element.ts).
// - any/extern families: an odd word is an unboxed i31 ((value << 1) | 1); an even
//   non-zero word is a GC heap reference (object id * 2). Host values (externref) live
//   in the heap as host objects, so an externref is a heap reference too.
//
// Which family a word belongs to is known statically from the slot's type, exactly as in
// a real engine: the word alone does not say.

export const NULL_REF = 0;

export function funcRef(address: number): number {
  return (address + 1) * 2;
}

export function funcAddress(raw: number): number {
  return raw / 2 - 1;
}

/** A not yet resolved reference to function `index` of the table's owner. */
export function lazyFuncRef(index: number): number {
  return index * 2 + 1;
}

export function isI31(raw: number): boolean {
  return (raw & 1) === 1;
}

/** Encodes the low 31 bits of `value` (ref.i31 wraps). */
export function i31Ref(value: number): number {
  return ((value << 1) | 1) >>> 0;
}

/** The i31 value, sign-extended from 31 bits (i31.get_s). */
export function i31Value(raw: number): number {
  return raw >> 1;
}

export function heapRef(objectId: number): number {
  return objectId * 2;
}

export function heapObjectId(raw: number): number {
  return raw >>> 1;
}

export function isHeapRef(raw: number): boolean {
  return raw !== 0 && (raw & 1) === 0;
}
