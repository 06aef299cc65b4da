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

declare const refWordBrand: unique symbol;

/**
 * A reference as a slot holds it. Only the functions below make one, so an object id, a
 * function address or an index passed where a reference is meant does not type-check;
 * `refWord` names the one place a word comes back from storage (a typed array).
 */
export type RefWord = number & { readonly [refWordBrand]: true };

/** A word read back from a slot that holds references. */
export function refWord(word: number): RefWord {
  return word as RefWord;
}

export const NULL_REF = 0 as RefWord;

/** Reference words side by side (a table's elements, a segment's references). */
export type RefWords = Uint32Array & { [index: number]: RefWord };

export function refWords(length: number): RefWords {
  return new Uint32Array(length) as RefWords;
}

export function funcRef(address: number): RefWord {
  return ((address + 1) * 2) as RefWord;
}

export function funcAddress(raw: RefWord): number {
  return raw / 2 - 1;
}

/** A not yet resolved reference to function `index` of the table's owner. */
export function lazyFuncRef(index: number): RefWord {
  return (index * 2 + 1) as RefWord;
}

export function isI31(raw: RefWord): boolean {
  return (raw & 1) === 1;
}

/** Encodes the low 31 bits of `value` (ref.i31 wraps). */
export function i31Ref(value: number): RefWord {
  return (((value << 1) | 1) >>> 0) as RefWord;
}

/** The i31 value, sign-extended from 31 bits (i31.get_s). */
export function i31Value(raw: RefWord): number {
  return raw >> 1;
}

export function heapRef(objectId: number): RefWord {
  return (objectId * 2) as RefWord;
}

export function heapObjectId(raw: RefWord): number {
  return raw >>> 1;
}

export function isHeapRef(raw: RefWord): boolean {
  return raw !== 0 && (raw & 1) === 0;
}
