// Matching (https://webassembly.github.io/spec/core/valid/matching.html) on canonical
// types: every concrete heap type here is a canonical id (type-registry.ts), so types of
// different modules compare directly and type equivalence is `===`.
import type { AbsHeapType, MemoryType } from '../module/module.ts';
import { matchesLimits } from './limits.ts';
import {
  canonicalType,
  type CanonicalCompositeType,
  type CanonicalFieldType,
  type CanonicalGlobalType,
  type CanonicalHeapType,
  type CanonicalRefType,
  type CanonicalStorageType,
  type CanonicalTableType,
  type CanonicalTypeId,
  type CanonicalValType,
} from '../module/type-registry.ts';

// ---- Value types ---------------------------------------------------------------------------

/** Concrete types: `a` is `b` or has `b` in its declared supertype chain. */
export function isSubtypeId(a: CanonicalTypeId, b: CanonicalTypeId): boolean {
  if (a === b) return true;
  const ta = canonicalType(a);
  const depth = canonicalType(b).depth;
  return depth < ta.depth && ta.ancestors[depth] === b;
}

export function matchesHeapType(a: CanonicalHeapType, b: CanonicalHeapType): boolean {
  if (a === b) return true;
  if (typeof a === 'number') {
    if (typeof b === 'number') return isSubtypeId(a, b);
    // A concrete type sits below the abstract type of its kind.
    const kind = canonicalType(a).composite.kind;
    switch (b) {
      case 'func':
      case 'struct':
      case 'array':
        return kind === b;
      case 'eq':
      case 'any':
        return kind !== 'func';
      default:
        return false;
    }
  }
  // Only the bottom type of its hierarchy is below a concrete type.
  if (typeof b === 'number') return a === (canonicalType(b).composite.kind === 'func' ? 'nofunc' : 'none');
  return matchesAbsHeapType(a, b);
}

/**
 * Distinct abstract types: any ⊇ eq ⊇ {i31, struct, array} ⊇ none, func ⊇ nofunc,
 * extern ⊇ noextern, exn ⊇ noexn.
 */
function matchesAbsHeapType(a: AbsHeapType, b: AbsHeapType): boolean {
  switch (a) {
    case 'none':
      return b === 'i31' || b === 'struct' || b === 'array' || b === 'eq' || b === 'any';
    case 'i31':
    case 'struct':
    case 'array':
      return b === 'eq' || b === 'any';
    case 'eq':
      return b === 'any';
    case 'nofunc':
      return b === 'func';
    case 'noextern':
      return b === 'extern';
    case 'noexn':
      return b === 'exn';
    default:
      return false;
  }
}

export function matchesRefType(a: CanonicalRefType, b: CanonicalRefType): boolean {
  return (b.nullable || !a.nullable) && matchesHeapType(a.heap, b.heap);
}

export function matchesValType(a: CanonicalValType, b: CanonicalValType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return matchesRefType(a, b);
}

/**
 * Type equivalence (matching both ways). Canonical ids make it structural equality, as
 * subtyping is antisymmetric on them.
 */
export function equalsValType(a: CanonicalValType, b: CanonicalValType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.nullable === b.nullable && a.heap === b.heap;
}

// ---- Composite types (declared `sub` compatibility) -------------------------------------------

function matchesStorageType(a: CanonicalStorageType, b: CanonicalStorageType): boolean {
  if (a === 'i8' || a === 'i16' || b === 'i8' || b === 'i16') return a === b;
  return matchesValType(a, b);
}

/** Immutable fields are covariant; mutable ones are read and written, hence invariant. */
export function matchesFieldType(a: CanonicalFieldType, b: CanonicalFieldType): boolean {
  if (a.mutable !== b.mutable) return false;
  if (!a.mutable) return matchesStorageType(a.storage, b.storage);
  const sa = a.storage;
  const sb = b.storage;
  if (sa === 'i8' || sa === 'i16' || sb === 'i8' || sb === 'i16') return sa === sb;
  return equalsValType(sa, sb);
}

/**
 * Whether composite type `a` may declare `b` as its supertype: functions with
 * contravariant parameters and covariant results, structs with a matching field prefix
 * (width and depth subtyping), arrays with a matching element.
 */
export function matchesCompositeType(a: CanonicalCompositeType, b: CanonicalCompositeType): boolean {
  switch (a.kind) {
    case 'func': {
      if (b.kind !== 'func' || a.params.length !== b.params.length || a.results.length !== b.results.length) return false;
      for (let i = 0; i < a.params.length; i++) if (!matchesValType(b.params[i], a.params[i])) return false;
      for (let i = 0; i < a.results.length; i++) if (!matchesValType(a.results[i], b.results[i])) return false;
      return true;
    }
    case 'struct': {
      if (b.kind !== 'struct' || a.fields.length < b.fields.length) return false;
      for (let i = 0; i < b.fields.length; i++) if (!matchesFieldType(a.fields[i], b.fields[i])) return false;
      return true;
    }
    case 'array':
      return b.kind === 'array' && matchesFieldType(a.element, b.element);
  }
}

// ---- External types (import matching, for the linker) -----------------------------------------

/** Function types by canonical id: declared subtypes match. */
export function matchesFuncType(actual: CanonicalTypeId, expected: CanonicalTypeId): boolean {
  return isSubtypeId(actual, expected);
}

/** Table elements are read and written, so the element types must be equivalent. */
export function matchesTableType(actual: CanonicalTableType, expected: CanonicalTableType): boolean {
  return (
    actual.addressType === expected.addressType &&
    matchesLimits(actual.limits, expected.limits) &&
    equalsValType(actual.element, expected.element)
  );
}

export function matchesMemoryType(actual: MemoryType, expected: MemoryType): boolean {
  return (
    actual.addressType === expected.addressType &&
    actual.shared === expected.shared &&
    matchesLimits(actual.limits, expected.limits)
  );
}

/** A mutable global is written through the import too, so its type is invariant. */
export function matchesGlobalType(actual: CanonicalGlobalType, expected: CanonicalGlobalType): boolean {
  if (actual.mutable !== expected.mutable) return false;
  return actual.mutable ? equalsValType(actual.type, expected.type) : matchesValType(actual.type, expected.type);
}

/** Tag types are invariant: a tag's payload is both produced and consumed. */
export function matchesTagType(actual: CanonicalTypeId, expected: CanonicalTypeId): boolean {
  return actual === expected;
}
