// The operand stack's encoding of value types: it must round-trip every type and give
// the subtyping of subtyping.ts, with Unknown and the bottom heap type of unreachable
// code matching everything.
import { describe, expect, it } from 'vitest';
import { emptyModule } from '../module/empty-module.ts';
import { typeIndex, type AbsHeapType, type SubType, type ValType } from '../module/module.ts';
import { canonicalizeTypes } from '../module/type-registry.ts';
import {
  BOT,
  encodeType,
  HEAP_BOT,
  HEAP_FUNC,
  heapOf,
  I8,
  I32,
  I64,
  isNullable,
  isRef,
  matchesStorage,
  matchesType,
  refType,
  topHeapOf,
  typeName,
} from './operand-types.ts';

// Type 0: an open struct; type 1: its subtype with a field; type 2: a function type.
const types: SubType[] = [
  { final: false, supertypes: [], composite: { kind: 'struct', fields: [] } },
  { final: true, supertypes: [typeIndex(0)], composite: { kind: 'struct', fields: [{ storage: 'i32', mutable: false }] } },
  { final: true, supertypes: [], composite: { kind: 'func', params: [], results: [] } },
];
const canonical = canonicalizeTypes(emptyModule({ types, recGroups: types.map((_, start) => ({ start, size: 1 })) }));
const t = (type: ValType): number => encodeType(type, canonical);
const ref = (heap: AbsHeapType | number, nullable = false): number => t({ nullable, heap: typeof heap === 'number' ? typeIndex(heap) : heap });

describe('encoded value types', () => {
  it('keep nullability and heap type, and name types as the module does', () => {
    for (const heap of ['func', 'nofunc', 'extern', 'any', 'eq', 'i31', 'struct', 'array', 'none', 'exn', 'noexn', 0, 1, 2] as const) {
      for (const nullable of [false, true]) {
        const encoded = ref(heap, nullable);
        expect(isRef(encoded)).toBe(true);
        expect(isNullable(encoded)).toBe(nullable);
        expect(refType(heapOf(encoded), nullable)).toBe(encoded);
      }
    }
    expect([t('i32'), t('i64'), t('f32'), t('f64'), t('v128')].some(isRef)).toBe(false);
    expect(typeName(ref(1), canonical)).toBe('(ref 1)');
    expect(typeName(ref('func', true), canonical)).toBe('funcref');
    expect(typeName(t('v128'), canonical)).toBe('v128');
  });

  it('match by subtyping: nullability, abstract and concrete heap types', () => {
    expect(matchesType(ref(1), ref(0))).toBe(true);
    expect(matchesType(ref(0), ref(1))).toBe(false);
    expect(matchesType(ref(1), ref('struct', true))).toBe(true);
    expect(matchesType(ref(1, true), ref('struct'))).toBe(false);
    expect(matchesType(ref(2), ref('func'))).toBe(true);
    expect(matchesType(ref(2), ref('any', true))).toBe(false);
    expect(matchesType(ref('none', true), ref(1, true))).toBe(true);
    expect(matchesType(ref('nofunc'), ref(1))).toBe(false);
    expect(matchesType(I32, I64)).toBe(false);
    expect(matchesType(ref('i31'), I32)).toBe(false);
  });

  it('let Unknown and the bottom heap type match anything', () => {
    expect(matchesType(BOT, I64)).toBe(true);
    expect(matchesType(BOT, ref(1))).toBe(true);
    expect(matchesType(refType(HEAP_BOT, false), ref(2))).toBe(true);
    expect(matchesType(refType(HEAP_BOT, true), ref(2))).toBe(false);
  });

  it('keep packed storage apart, and find the top of each hierarchy', () => {
    expect(matchesStorage(I8, I8)).toBe(true);
    expect(matchesStorage(I8, I32)).toBe(false);
    expect(heapOf(refType(topHeapOf(heapOf(ref(2))), true))).toBe(HEAP_FUNC);
    expect(typeName(refType(topHeapOf(heapOf(ref(1))), true), canonical)).toBe('anyref');
    expect(typeName(refType(topHeapOf(heapOf(ref('noextern'))), true), canonical)).toBe('externref');
    expect(typeName(refType(topHeapOf(heapOf(ref('noexn'))), true), canonical)).toBe('exnref');
  });
});
