import { emptyModule } from './empty-module.ts';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../errors.ts';
import { matchesRefType } from '../validation/subtyping.ts';
import { typeIndex, type CompositeType, type FieldType, type Module, type SubType, type ValType } from './module.ts';
import {
  canonicalizeTypes,
  canonicalType,
  canonicalTypeCount,
  toCanonicalGlobalType,
  toCanonicalRefType,
  toCanonicalTableType,
  toCanonicalValType,
  type CanonicalTypeId,
  type CanonicalTypeIds,
} from './type-registry.ts';

// ---- Building type sections ---------------------------------------------------------------

const ref = (heap: number | 'func' | 'any' | 'struct', nullable = false): ValType => ({ nullable, heap: typeof heap === 'number' ? typeIndex(heap) : heap });
const func = (params: ValType[] = [], results: ValType[] = []): CompositeType => ({ kind: 'func', params, results });
const struct = (...fields: FieldType[]): CompositeType => ({ kind: 'struct', fields });
const field = (storage: FieldType['storage'], mutable = false): FieldType => ({ storage, mutable });
/** `(type ...)`, which is `(sub final ...)`. */
const type = (composite: CompositeType): SubType => ({ final: true, supertypes: [], composite });
const sub = (supertypes: number[], composite: CompositeType, final = false): SubType => ({ final, supertypes: supertypes.map(typeIndex), composite });

/** A module holding only types, given as its recursion groups in order. */
function typesModule(...groups: SubType[][]): Module {
  const types = groups.flat();
  let start = 0;
  const recGroups = groups.map((g) => {
    const group = { start, size: g.length };
    start += g.length;
    return group;
  });
  return emptyModule({
    types,
    recGroups,
  });
}

function ids(...groups: SubType[][]): CanonicalTypeId[] {
  const module = typesModule(...groups);
  const canonical = canonicalizeTypes(module);
  return module.types.map((_, index) => canonical[index]);
}

describe('iso-recursive canonicalization', () => {
  it('gives identical groups of different modules the same ids (type-rec.wast, static matching)', () => {
    // (rec (type $f1 (func)) (type (struct (field (ref $f1)))))
    const group = (start: number) => [type(func()), type(struct(field(ref(start))))];
    const a = ids(group(0));
    const b = ids([type(struct())], group(1));
    expect(b.slice(1)).toEqual(a);
  });

  it('distinguishes positions within a group', () => {
    // (rec (type $f1 (func)) (type (struct))) vs (rec (type (struct)) (type $f2 (func)))
    const [f1] = ids([type(func()), type(struct())]);
    const [, f2] = ids([type(struct()), type(func())]);
    expect(f2).not.toBe(f1);
  });

  it('distinguishes a singleton group from a larger group with the same first type', () => {
    const [f1] = ids([type(func()), type(struct())]);
    const [f2] = ids([type(func())]);
    expect(f2).not.toBe(f1);
  });

  it('distinguishes a reference into the group from one to an equal earlier type', () => {
    // (rec (type $f1 (func)) (type (struct (field (ref $f1)))))
    // (rec (type $f2 (func)) (type (struct (field (ref $f1)))))   ;; not the same group
    const [f1, s1, f2, s2] = ids([type(func()), type(struct(field(ref(0))))], [type(func()), type(struct(field(ref(0))))]);
    expect(f2).not.toBe(f1);
    expect(s2).not.toBe(s1);
    // The outer reference became f1's canonical id; the inner one names its own group.
    expect(canonicalType(s2).composite).toEqual(struct(field(ref(f1))));
    expect(canonicalType(s1).composite).toEqual(struct(field(ref(f1))));
  });

  it('equates isomorphic mutually recursive groups (type-equivalence.wast)', () => {
    // (rec (type $t0 (func (param i32 (ref $t1)))) (type $t1 (func (param i32 (ref $t0)))))
    // (rec (type $t2 (func (param i32 (ref $t3)))) (type $t3 (func (param i32 (ref $t2)))))
    const [t0, t1, t2, t3] = ids(
      [type(func(['i32', ref(1)])), type(func(['i32', ref(0)]))],
      [type(func(['i32', ref(3)])), type(func(['i32', ref(2)]))],
    );
    expect(t2).toBe(t0);
    expect(t3).toBe(t1);
    expect(t1).not.toBe(t0);
    // Recursion resolves to the canonical ids of the group itself.
    expect(canonicalType(t0).composite).toEqual(func(['i32', ref(t1)]));
  });

  it('equates separately declared self-recursive types', () => {
    const [t1, t2] = ids([type(func(['i32', ref(0)]))], [type(func(['i32', ref(1)]))]);
    expect(t2).toBe(t1);
  });

  it('keeps cyclic groups whose rotations differ apart (type-canon.wast)', () => {
    // (rec (type $t1 (func (param i32 (ref $t3)))) (type $t2 (func (param i32 (ref $t1))))
    //      (type $t3 (func (param i32 (ref $t2)))))
    const [a, b, c] = ids([type(func(['i32', ref(2)])), type(func(['i32', ref(0)])), type(func(['i32', ref(1)]))]);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('makes finality and the supertype part of a type', () => {
    const [finalFunc, openFunc, plainFunc] = ids([sub([], func(), true)], [sub([], func())], [type(func())]);
    expect(openFunc).not.toBe(finalFunc);
    // `(type (func))` abbreviates `(sub final (func))`.
    expect(plainFunc).toBe(finalFunc);
    const [, , withSuper, without] = ids([sub([], func())], [sub([], func())], [sub([0], func())], [sub([], func())]);
    expect(withSuper).not.toBe(without);
    expect(canonicalType(withSuper).supertype).toBe(canonicalType(without).id);
  });

  it('records supertype depth and the ancestor chain', () => {
    const [t1, t2, t3] = ids([sub([], struct())], [sub([0], struct())], [sub([1], struct(field('i32')))]);
    expect(canonicalType(t1).depth).toBe(0);
    expect(canonicalType(t3).depth).toBe(2);
    expect([...canonicalType(t3).ancestors]).toEqual([t1, t2, t3]);
    expect(canonicalType(t3).supertype).toBe(t2);
  });

  it('resolves a supertype declared inside the same group', () => {
    // (rec (type $a (sub (struct))) (type $b (sub $a (struct (field (ref $b))))))
    const [a, b] = ids([sub([], struct()), sub([0], struct(field(ref(1))))]);
    expect(canonicalType(b).supertype).toBe(a);
    expect(canonicalType(b).composite).toEqual(struct(field(ref(b))));
  });

  it('canonicalizes a seen group by lookup, without registering anything', () => {
    const group = [type(func(['i64'], [ref('any', true)])), type(struct(field('i8', true)))];
    const first = ids(group);
    const count = canonicalTypeCount();
    expect(ids(group)).toEqual(first);
    expect(canonicalTypeCount()).toBe(count);
  });

  it('does not confuse packed fields, mutability or nullability', () => {
    const [i8, i16, mutI8, nullRef, ref_] = ids(
      [type(struct(field('i8')))],
      [type(struct(field('i16')))],
      [type(struct(field('i8', true)))],
      [type(struct(field(ref('any', true))))],
      [type(struct(field(ref('any'))))],
    );
    expect(new Set([i8, i16, mutI8, nullRef, ref_]).size).toBe(5);
  });
});

describe('type references that cannot be canonicalized', () => {
  const rejects = (...groups: SubType[][]) => {
    try {
      canonicalizeTypes(typesModule(...groups));
    } catch (e) {
      expect(e).toBeInstanceOf(CompileError);
      expect((e as CompileError).kind).toBe('invalid');
      return (e as CompileError).message;
    }
    throw new Error('accepted');
  };

  it('rejects a reference past the end of its group (type-rec.wast)', () => {
    // (rec (type (func (param (ref 1))))) (rec (type (func)))
    expect(rejects([type(func([ref(1)]))], [type(func())])).toMatch(/unknown type/);
  });

  it('rejects a reference past the module types (array.wast)', () => {
    expect(rejects([type({ kind: 'array', element: field(ref(10, true), true) })])).toMatch(/unknown type/);
  });

  it('rejects a supertype that is not an earlier type', () => {
    expect(rejects([sub([1], struct()), sub([], struct())])).toMatch(/unknown type/);
    expect(rejects([sub([0], struct())])).toMatch(/unknown type/);
  });

  it('rejects more than one supertype', () => {
    expect(rejects([sub([], struct())], [sub([], struct())], [sub([0, 1], struct())])).toMatch(/supertypes/);
  });
});

describe('module types to canonical types', () => {
  // Made-up ids for a module of two types: mapping only reads them.
  const canonical = Int32Array.of(7, 9) as CanonicalTypeIds;

  it('maps concrete heap types through the canonical ids', () => {
    expect(toCanonicalValType({ nullable: true, heap: typeIndex(1) }, canonical)).toEqual({ nullable: true, heap: 9 });
    expect(
      toCanonicalTableType({ addressType: 'i32', limits: { min: 1 }, element: { nullable: false, heap: typeIndex(0) } }, canonical).element,
    ).toEqual({ nullable: false, heap: 7 });
    expect(toCanonicalGlobalType({ type: { nullable: false, heap: typeIndex(1) }, mutable: true }, canonical)).toEqual({
      type: { nullable: false, heap: 9 },
      mutable: true,
    });
  });

  it('returns types without concrete heap types as they are', () => {
    const funcref = { nullable: true, heap: 'func' } as const;
    expect(toCanonicalValType(funcref, canonical)).toBe(funcref);
    expect(toCanonicalValType('f64', canonical)).toBe('f64');
  });
});

describe('canonical ids in types', () => {
  it('keep a module type index and a canonical id apart', () => {
    const module = typesModule([type(func())], [type(struct(field('i32')))]);
    const index = typeIndex(1);
    const id = canonicalizeTypes(module)[index];
    expect(canonicalType(id).composite.kind).toBe('struct');
    // @ts-expect-error a module's type index is not a canonical id: canonicalizeTypes maps one to the other
    expect(canonicalType(index)).toBeDefined();
    // @ts-expect-error nor is a reference type as a module writes it a canonical one: toCanonicalRefType maps it
    expect(matchesRefType({ nullable: false, heap: index }, { nullable: true, heap: 'struct' })).toBeTypeOf('boolean');
    const canonical = toCanonicalRefType({ nullable: false, heap: index }, canonicalizeTypes(module));
    expect(matchesRefType(canonical, { nullable: true, heap: 'struct' })).toBe(true);
  });
});
