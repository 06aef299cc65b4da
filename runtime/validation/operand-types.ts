// Value types as function-body validation keeps them on its operand stack: one int32
// each, so the stack is an Int32Array and typing an instruction allocates nothing.
// Number and vector types are small constants; a reference type packs its heap type and
// nullability. Concrete heap types are canonical ids (type-registry.ts), so subtyping is
// the module-independent `matchesHeapType` of subtyping.ts, and equal types are `===`.
import { typeIndex, type AbsHeapType, type HeapType, type StorageType, type ValType } from '../module/module.ts';
import type { CanonicalHeapType, CanonicalTypeId, CanonicalTypeIds } from '../module/type-registry.ts';
import { storageTypeName } from '../module/type-names.ts';
import { heapFamily, type RefFamily } from '../module/ref-family.ts';
import { matchesHeapType } from './subtyping.ts';

/** The spec algorithm's Unknown: an operand of unreachable code, matching every type. */
export const BOT = 0;
export const I32 = 1;
export const I64 = 2;
export const F32 = 3;
export const F64 = 4;
export const V128 = 5;
/** Packed storage types, only ever in field types, never on the stack. */
export const I8 = 6;
export const I16 = 7;

/**
 * Heap codes: abstract heap types below `HEAP_CONCRETE`, then canonical ids from it.
 * `HEAP_BOT` is the bottom heap type of unreachable code (`ref.as_non_null` of Unknown).
 */
const ABS_HEAPS: readonly AbsHeapType[] = [
  'func', 'nofunc', 'extern', 'noextern', 'any', 'eq', 'i31', 'struct', 'array', 'none', 'exn', 'noexn',
];
export const HEAP_BOT = 12;
const HEAP_CONCRETE = 16;
const ABS_CODES: Readonly<Record<AbsHeapType, number>> = Object.fromEntries(ABS_HEAPS.map((h, i) => [h, i])) as Record<AbsHeapType, number>;
export const HEAP_FUNC = ABS_CODES.func;
export const HEAP_EXTERN = ABS_CODES.extern;
export const HEAP_ANY = ABS_CODES.any;
export const HEAP_EQ = ABS_CODES.eq;
export const HEAP_I31 = ABS_CODES.i31;
export const HEAP_ARRAY = ABS_CODES.array;
export const HEAP_EXN = ABS_CODES.exn;

/** Reference types start here; bit 0 is nullability. */
const REF_BASE = 8;

export function refType(heap: number, nullable: boolean): number {
  return ((heap + REF_BASE / 2) << 1) | (nullable ? 1 : 0);
}

export function isRef(t: number): boolean {
  return t >= REF_BASE;
}

export function heapOf(ref: number): number {
  return (ref >> 1) - REF_BASE / 2;
}

export function isNullable(ref: number): boolean {
  return (ref & 1) === 1;
}

export function isNumOrVec(t: number): boolean {
  return t >= I32 && t <= V128;
}

export function concreteHeapCode(id: CanonicalTypeId): number {
  return HEAP_CONCRETE + id;
}

function canonicalHeap(heap: number): CanonicalHeapType {
  return heap >= HEAP_CONCRETE ? ((heap - HEAP_CONCRETE) as CanonicalTypeId) : ABS_HEAPS[heap];
}

/** A heap type in module terms (type indices already checked against the module). */
export function heapCode(h: HeapType, canonicalTypes: CanonicalTypeIds): number {
  return typeof h === 'string' ? ABS_CODES[h] : HEAP_CONCRETE + canonicalTypes[h];
}

const NUM_CODES: Readonly<Record<string, number>> = { i32: I32, i64: I64, f32: F32, f64: F64, v128: V128, i8: I8, i16: I16 };

/** A value or storage type in module terms, encoded. */
export function encodeType(t: ValType | StorageType, canonicalTypes: CanonicalTypeIds): number {
  if (typeof t === 'string') return NUM_CODES[t];
  return refType(heapCode(t.heap, canonicalTypes), t.nullable);
}

/** Storage types are read from the stack as values: packed ones as i32. */
export function unpacked(t: number): number {
  return t === I8 || t === I16 ? I32 : t;
}

const TOP_HEAPS: Readonly<Record<RefFamily, number>> = { func: HEAP_FUNC, extern: HEAP_EXTERN, exn: HEAP_EXN, any: HEAP_ANY };

/** The heap code of the top type of the hierarchy `heap` belongs to (func, extern, any or exn). */
export function topHeapOf(heap: number): number {
  // Unreachable code's bottom belongs to every hierarchy; decoded heap types are never it.
  if (heap === HEAP_BOT) return HEAP_ANY;
  return TOP_HEAPS[heapFamily(canonicalHeap(heap))];
}

function matchesHeap(a: number, b: number): boolean {
  return a === b || a === HEAP_BOT || matchesHeapType(canonicalHeap(a), canonicalHeap(b));
}

/** Subtyping `a <: b` of encoded value types; Unknown matches every type. */
export function matchesType(a: number, b: number): boolean {
  if (a === b || a === BOT) return true;
  if (a < REF_BASE || b < REF_BASE || (a & 1) > (b & 1)) return false;
  return matchesHeap(heapOf(a), heapOf(b));
}

/** Storage subtyping: packed types only match themselves. */
export function matchesStorage(a: number, b: number): boolean {
  if (a === I8 || a === I16 || b === I8 || b === I16) return a === b;
  return matchesType(a, b);
}

const NUM_NAMES = ['⊥', 'i32', 'i64', 'f32', 'f64', 'v128', 'i8', 'i16'];

/**
 * The text-format name of an encoded type, for error messages. A concrete heap type is
 * named by the first of the module's type indices with its canonical id.
 */
export function typeName(t: number, canonicalTypes: CanonicalTypeIds): string {
  if (t < REF_BASE) return NUM_NAMES[t];
  const heap = heapOf(t);
  if (heap === HEAP_BOT) return `(ref ${isNullable(t) ? 'null ' : ''}⊥)`;
  // The first position in the module's types with that canonical id is a type index of it.
  const h: HeapType = heap >= HEAP_CONCRETE ? typeIndex(canonicalTypes.indexOf(heap - HEAP_CONCRETE)) : ABS_HEAPS[heap];
  return storageTypeName({ nullable: isNullable(t), heap: h });
}
