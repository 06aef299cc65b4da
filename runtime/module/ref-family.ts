// Which hierarchy a reference type belongs to decides how its raw word is read
// (raw-ref.ts): a function address, a GC heap reference or i31, or (exn) only null.
import type { AnyHeapType, HeapType, SubType, ValType } from './module.ts';
import { canonicalType, toCanonicalValType, type CanonicalTypeId, type CanonicalTypeIds, type CanonicalValType } from './type-registry.ts';

export type RefFamily = 'func' | 'any' | 'extern' | 'exn';

type CompositeKind = 'func' | 'struct' | 'array';

const canonicalKind = (id: number): CompositeKind => canonicalType(id as CanonicalTypeId).composite.kind;

/**
 * The family of a heap type. Concrete types are canonical ids, unless `kindOf` says
 * what a number means (a module's type index: see `moduleHeapFamily`).
 */
export function heapFamily(heap: AnyHeapType, kindOf: (type: number) => CompositeKind = canonicalKind): RefFamily {
  switch (heap) {
    case 'func':
    case 'nofunc':
      return 'func';
    case 'extern':
    case 'noextern':
      return 'extern';
    case 'exn':
    case 'noexn':
      return 'exn';
    case 'any':
    case 'eq':
    case 'i31':
    case 'struct':
    case 'array':
    case 'none':
      return 'any';
    default:
      return kindOf(heap) === 'func' ? 'func' : 'any';
  }
}

/** The family of a heap type as a module writes it (concrete types as its type indices). */
export function moduleHeapFamily(types: readonly SubType[], heap: HeapType): RefFamily {
  return heapFamily(heap, (index) => types[index].composite.kind);
}

/** True for types whose values are counted by the GC heap (any and extern families). */
export function isGcManaged(type: CanonicalValType): boolean {
  if (typeof type === 'string') return false;
  const family = heapFamily(type.heap);
  return family === 'any' || family === 'extern';
}

/** `isGcManaged` for a type as a module declares it (concrete heap types as type indices). */
export function isGcManagedIn(canonicalTypes: CanonicalTypeIds, type: ValType): boolean {
  return isGcManaged(toCanonicalValType(type, canonicalTypes));
}
