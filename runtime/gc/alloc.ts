// Allocating structs and arrays: the object's reference fields are slots, so storing the
// initial values counts them (the write barrier with nothing to release). Each takes
// the allocation's context: a root scope, in which it may collect, or a no-GC guard.
import type { AllocationContext, FieldValue, GcHeap } from './heap.ts';
import { defaultFieldValue, layoutOf, storeField, type ArrayLayout, type StructLayout } from './layout.ts';
import type { ConstExpr } from '../module/module.ts';
import type { CanonicalTypeId } from '../module/type-registry.ts';
import type { RefWord } from './raw-ref.ts';

/** struct.new: `values` in field order. */
export function allocateStruct(heap: GcHeap, typeId: CanonicalTypeId, values: readonly FieldValue[], context: AllocationContext): RefWord {
  const layout = layoutOf(typeId) as StructLayout;
  const payload = values.map((v, i) => storeField(layout.fields[i], v));
  const raw = heap.allocate('struct', typeId, layout.payloadBytes, payload, layout.childRefs, context);
  for (const i of layout.countedFields) heap.incRef(payload[i] as RefWord);
  return raw;
}

export function allocateDefaultStruct(heap: GcHeap, typeId: CanonicalTypeId, context: AllocationContext): RefWord {
  const layout = layoutOf(typeId) as StructLayout;
  const payload = layout.defaults.map((value, i) => storeField(layout.fields[i], value));
  return heap.allocate('struct', typeId, layout.payloadBytes, payload, layout.childRefs, context);
}

/** array.new: `length` copies of `value`. */
export function allocateFilledArray(heap: GcHeap, typeId: CanonicalTypeId, value: FieldValue, length: number, context: AllocationContext): RefWord {
  const layout = layoutOf(typeId) as ArrayLayout;
  const stored = storeField(layout.element, value);
  const bytes = layout.element.bytes * length;
  // The size checks come before building the payload: a huge length must fail as an
  // out-of-memory or limit error, not by exhausting the JS heap.
  heap.reserveArray(length, bytes, context);
  const payload: FieldValue[] = new Array(length);
  for (let i = 0; i < length; i++) payload[i] = stored instanceof Uint8Array ? stored.slice() : stored;
  const raw = heap.allocate('array', typeId, bytes, payload, layout.childRefs, context);
  if (layout.element.counted) for (let i = 0; i < length; i++) heap.incRef(stored as RefWord);
  return raw;
}

/** array.new_default: `length` default values of the element type. */
export function allocateDefaultArray(heap: GcHeap, typeId: CanonicalTypeId, length: number, context: AllocationContext): RefWord {
  const value = defaultFieldValue((layoutOf(typeId) as ArrayLayout).element.storage);
  return allocateFilledArray(heap, typeId, value, length, context);
}

/** array.new_fixed: `values` in element order. */
export function allocateFixedArray(heap: GcHeap, typeId: CanonicalTypeId, values: readonly FieldValue[], context: AllocationContext): RefWord {
  const layout = layoutOf(typeId) as ArrayLayout;
  const payload = values.map((v) => storeField(layout.element, v));
  const raw = heap.allocate('array', typeId, layout.element.bytes * payload.length, payload, layout.childRefs, context);
  if (layout.element.counted) for (const child of payload) heap.incRef(child as RefWord);
  return raw;
}

const ALLOCATING_OPS: ReadonlySet<string> = new Set(['struct.new', 'struct.new_default', 'array.new', 'array.new_default', 'array.new_fixed']);

/** Whether evaluating `expr` allocates GC objects (and so may need roots, and may collect). */
export function constExprAllocates(expr: ConstExpr): boolean {
  return expr.ops.some((op) => ALLOCATING_OPS.has(op.op));
}
