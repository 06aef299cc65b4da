import { matchesLimits } from './limits.ts';
import { emptyModule } from '../module/empty-module.ts';
import { describe, expect, it } from 'vitest';
import { typeIndex, type AbsHeapType, type CompositeType, type SubType } from '../module/module.ts';
import {
  equalsValType,
  isSubtypeId,
  matchesCompositeType,
  matchesFieldType,
  matchesGlobalType,
  matchesHeapType,
  matchesMemoryType,
  matchesRefType,
  matchesTableType,
  matchesTagType,
  matchesValType,
} from './subtyping.ts';
import {
  canonicalizeTypes,
  canonicalType,
  type CanonicalCompositeType,
  type CanonicalFieldType,
  type CanonicalHeapType,
  type CanonicalTypeId,
  type CanonicalValType,
} from '../module/type-registry.ts';

// Canonical forms (heap types are canonical ids), which also serve as a module's types
// where they name no concrete type.
const ref = (heap: CanonicalHeapType, nullable = false): CanonicalValType => ({ nullable, heap });
const func = (params: CanonicalValType[] = [], results: CanonicalValType[] = []): CanonicalCompositeType => ({ kind: 'func', params, results });
const struct = (...fields: CanonicalFieldType[]): CanonicalCompositeType => ({ kind: 'struct', fields });
const array = (element: CanonicalFieldType): CanonicalCompositeType => ({ kind: 'array', element });
const field = (storage: CanonicalFieldType['storage'], mutable = false): CanonicalFieldType => ({ storage, mutable });
// The composites name only abstract heap types, which a module's and the canonical form share.
const sub = (supertypes: number[], composite: CanonicalCompositeType, final = false): SubType => ({
  final,
  supertypes: supertypes.map(typeIndex),
  composite: composite as unknown as CompositeType,
});

/** Canonical ids of types given as singleton recursion groups. */
function canonicalIds(...types: SubType[]): CanonicalTypeId[] {
  const module = emptyModule({ types, recGroups: types.map((_, start) => ({ start, size: 1 })) });
  const ids = canonicalizeTypes(module);
  return types.map((_, index) => ids[index]);
}

const ABSTRACT: AbsHeapType[] = ['func', 'nofunc', 'extern', 'noextern', 'any', 'eq', 'i31', 'struct', 'array', 'none', 'exn', 'noexn'];

describe('heap type matching', () => {
  it('orders the abstract hierarchies and keeps them apart', () => {
    const below: Record<AbsHeapType, AbsHeapType[]> = {
      any: ['any'],
      eq: ['eq', 'any'],
      i31: ['i31', 'eq', 'any'],
      struct: ['struct', 'eq', 'any'],
      array: ['array', 'eq', 'any'],
      none: ['none', 'i31', 'struct', 'array', 'eq', 'any'],
      func: ['func'],
      nofunc: ['nofunc', 'func'],
      extern: ['extern'],
      noextern: ['noextern', 'extern'],
      exn: ['exn'],
      noexn: ['noexn', 'exn'],
    };
    for (const a of ABSTRACT) {
      for (const b of ABSTRACT) expect(matchesHeapType(a, b), `${a} <: ${b}`).toBe(below[a].includes(b));
    }
  });

  it('places concrete types below the abstract type of their kind and above its bottom', () => {
    const [f, s, a] = canonicalIds(sub([], func()), sub([], struct()), sub([], array(field('i32'))));
    expect(matchesHeapType(f, 'func')).toBe(true);
    expect(matchesHeapType(f, 'any')).toBe(false);
    expect(matchesHeapType(s, 'struct')).toBe(true);
    expect(matchesHeapType(s, 'eq')).toBe(true);
    expect(matchesHeapType(s, 'any')).toBe(true);
    expect(matchesHeapType(s, 'array')).toBe(false);
    expect(matchesHeapType(a, 'array')).toBe(true);
    expect(matchesHeapType(a, 'struct')).toBe(false);
    expect(matchesHeapType('nofunc', f)).toBe(true);
    expect(matchesHeapType('none', f)).toBe(false);
    expect(matchesHeapType('none', s)).toBe(true);
    expect(matchesHeapType('nofunc', s)).toBe(false);
    expect(matchesHeapType('struct', s)).toBe(false);
    expect(matchesHeapType('func', f)).toBe(false);
  });

  it('follows declared supertype chains only (type-subtyping.wast)', () => {
    const [t1, t2, t3, other] = canonicalIds(sub([], func()), sub([0], func()), sub([1], func()), sub([], func([], ['i32'])));
    expect(isSubtypeId(t3, t1)).toBe(true);
    expect(isSubtypeId(t2, t1)).toBe(true);
    expect(isSubtypeId(t1, t3)).toBe(false);
    expect(matchesHeapType(t3, t2)).toBe(true);
    // Structurally compatible but undeclared.
    expect(matchesHeapType(other, t1)).toBe(false);
  });
});

describe('reference and value type matching', () => {
  it('lets non-null references match nullable ones, not the reverse', () => {
    expect(matchesRefType({ nullable: false, heap: 'eq' }, { nullable: true, heap: 'any' })).toBe(true);
    expect(matchesRefType({ nullable: true, heap: 'eq' }, { nullable: false, heap: 'any' })).toBe(false);
    expect(matchesRefType({ nullable: true, heap: 'none' }, { nullable: true, heap: 'i31' })).toBe(true);
  });

  it('matches number and vector types by equality only', () => {
    expect(matchesValType('i32', 'i32')).toBe(true);
    expect(matchesValType('i32', 'i64')).toBe(false);
    expect(matchesValType('v128', ref('any', true))).toBe(false);
    expect(matchesValType(ref('func', true), 'i32')).toBe(false);
  });

  it('treats equivalence as equality of canonical forms', () => {
    expect(equalsValType(ref('any', true), ref('any', true))).toBe(true);
    expect(equalsValType(ref('eq', true), ref('any', true))).toBe(false);
    expect(equalsValType(ref('any'), ref('any', true))).toBe(false);
  });
});

describe('declared sub type compatibility', () => {
  const [s, s1, f1] = canonicalIds(sub([], struct()), sub([0], struct()), sub([], func()));

  it('makes parameters contravariant and results covariant', () => {
    // (type $f1 (sub (func (param (ref $s')) (result anyref))))
    // (type $f2 (sub $f1 (func (param (ref $s)) (result (ref any)))))
    const f1t = func([ref(s1)], [ref('any', true)]);
    expect(matchesCompositeType(func([ref(s)], [ref('any')]), f1t)).toBe(true);
    expect(matchesCompositeType(func([ref(s1)], [ref('any', true)]), func([ref(s)], [ref('any')]))).toBe(false);
    expect(matchesCompositeType(func(['i32']), func())).toBe(false);
  });

  it('allows struct width and depth subtyping of immutable fields', () => {
    expect(matchesCompositeType(struct(field('i32'), field(ref(s1))), struct(field('i32'), field(ref(s, true))))).toBe(true);
    expect(matchesCompositeType(struct(field('i32')), struct(field('i32'), field('i32')))).toBe(false);
    expect(matchesCompositeType(struct(field('i64')), struct(field('i32')))).toBe(false);
  });

  it('keeps mutable fields invariant and mutability fixed', () => {
    expect(matchesFieldType(field(ref('none'), true), field(ref('any'), true))).toBe(false);
    expect(matchesFieldType(field(ref('any'), true), field(ref('any'), true))).toBe(true);
    expect(matchesFieldType(field(ref('any')), field(ref('any'), true))).toBe(false);
    expect(matchesFieldType(field(ref('any'), true), field(ref('any')))).toBe(false);
    expect(matchesFieldType(field(ref('none')), field(ref('any')))).toBe(true);
    expect(matchesFieldType(field('i8'), field('i8'))).toBe(true);
    expect(matchesFieldType(field('i8'), field('i32'))).toBe(false);
    expect(matchesFieldType(field('i16', true), field('i8', true))).toBe(false);
  });

  it('never matches across kinds', () => {
    expect(matchesCompositeType(struct(), array(field('i32')))).toBe(false);
    expect(matchesCompositeType(array(field('i32')), func())).toBe(false);
    expect(matchesCompositeType(func(), canonicalType(f1).composite)).toBe(true);
    expect(matchesCompositeType(func(), struct())).toBe(false);
  });
});

describe('external type matching', () => {
  it('matches limits by range inclusion', () => {
    expect(matchesLimits({ min: 2, max: 5 }, { min: 1, max: 6 })).toBe(true);
    expect(matchesLimits({ min: 2 }, { min: 1 })).toBe(true);
    expect(matchesLimits({ min: 0 }, { min: 1 })).toBe(false);
    expect(matchesLimits({ min: 2 }, { min: 1, max: 6 })).toBe(false);
    expect(matchesLimits({ min: 2, max: 7 }, { min: 1, max: 6 })).toBe(false);
  });

  it('requires equal table element types', () => {
    const table = (heap: AbsHeapType, addressType: 'i32' | 'i64' = 'i32') => ({
      addressType,
      limits: { min: 1 },
      element: { nullable: true, heap },
    });
    expect(matchesTableType(table('func'), table('func'))).toBe(true);
    expect(matchesTableType(table('nofunc'), table('func'))).toBe(false);
    expect(matchesTableType(table('func', 'i64'), table('func'))).toBe(false);
  });

  it('requires equal memory address type and sharing', () => {
    const memory = (shared: boolean, addressType: 'i32' | 'i64' = 'i32') => ({ addressType, limits: { min: 1, max: 2 }, shared });
    expect(matchesMemoryType(memory(false), memory(false))).toBe(true);
    expect(matchesMemoryType(memory(true), memory(false))).toBe(false);
    expect(matchesMemoryType(memory(false, 'i64'), memory(false))).toBe(false);
  });

  it('makes immutable globals covariant and mutable ones invariant', () => {
    const global = (heap: AbsHeapType, mutable: boolean) => ({ type: ref(heap, true), mutable });
    expect(matchesGlobalType(global('eq', false), global('any', false))).toBe(true);
    expect(matchesGlobalType(global('eq', true), global('any', true))).toBe(false);
    expect(matchesGlobalType(global('any', true), global('any', true))).toBe(true);
    expect(matchesGlobalType(global('any', true), global('any', false))).toBe(false);
  });

  it('matches tags only by identical type', () => {
    const [t1, t2] = canonicalIds(sub([], func()), sub([0], func()));
    expect(matchesTagType(t1, t1)).toBe(true);
    expect(matchesTagType(t2, t1)).toBe(false);
  });
});
