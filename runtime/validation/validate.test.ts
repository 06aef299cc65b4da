import { emptyModule } from '../module/empty-module.ts';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../errors.ts';
import type {
  AbsHeapType,
  CompositeType,
  ConstExpr,
  ConstOp,
  ElementSegment,
  FieldType,
  GlobalType,
  HeapType,
  Import,
  Module,
  RefType,
  SubType,
  TableType,
  ValType,
} from '../module/module.ts';
import { typeIndex } from '../module/module.ts';
import { validate } from './validate.ts';
import { DataSegmentsBuilder, type DataSegments } from '../module/data-segments.ts';

// ---- Building modules -----------------------------------------------------------------------
// Modules are built directly; each case names the spec script its WAT comes from.

const heapType = (heap: number | AbsHeapType): HeapType => (typeof heap === 'number' ? typeIndex(heap) : heap);
const ref = (heap: number | AbsHeapType, nullable = false): RefType => ({ nullable, heap: heapType(heap) });
const func = (params: ValType[] = [], results: ValType[] = []): CompositeType => ({ kind: 'func', params, results });
const struct = (...fields: FieldType[]): CompositeType => ({ kind: 'struct', fields });
const array = (element: FieldType): CompositeType => ({ kind: 'array', element });
const field = (storage: FieldType['storage'], mutable = false): FieldType => ({ storage, mutable });
/** `(type ...)`, which is `(sub final ...)`. */
const type = (composite: CompositeType): SubType => ({ final: true, supertypes: [], composite });
const sub = (supertypes: number[], composite: CompositeType, final = false): SubType => ({ final, supertypes: supertypes.map(typeIndex), composite });

/** A constant expression; op i sits at byte 100 + i. */
const expr = (...ops: ConstOp[]): ConstExpr => ({ ops, offsets: ops.map((_, i) => 100 + i), offset: 99 });
const i32 = (value: number): ConstOp => ({ op: 'i32.const', value });
const i64 = (value: bigint): ConstOp => ({ op: 'i64.const', value });
const globalGet = (global: number): ConstOp => ({ op: 'global.get', global });
const refFunc = (f: number): ConstOp => ({ op: 'ref.func', func: f });
const refNull = (heap: number | AbsHeapType): ConstOp => ({ op: 'ref.null', heap: heapType(heap) });
const other = (name: string): ConstOp => ({ op: 'other', name });

const globalImport = (type: ValType, mutable = false): Import => ({
  module: 'm',
  name: 'g',
  desc: { kind: 'global', type: { type, mutable } },
  offset: 10,
});
const global = (type: ValType, init: ConstExpr, mutable = false) => ({ type: { type, mutable }, init, offset: 20 });
const tableType = (element: RefType, min = 1, max?: number, addressType: 'i32' | 'i64' = 'i32'): TableType => ({
  addressType,
  limits: { min, max },
  element,
});
const funcref = ref('func', true);

interface ModuleFields extends Partial<Omit<Module, 'types' | 'funcs' | 'tags'>> {
  /** Recursion groups in order; a plain SubType is a singleton group. */
  readonly types?: readonly (SubType | SubType[])[];
  /** Type indices, as the function and tag sections give them. */
  readonly funcs?: readonly number[];
  readonly tags?: readonly number[];
}

function module(fields: ModuleFields = {}): Module {
  const groups = (fields.types ?? []).map((g) => (Array.isArray(g) ? g : [g]));
  let start = 0;
  const recGroups = groups.map((g) => {
    const group = { start, size: g.length };
    start += g.length;
    return group;
  });
  return emptyModule({
    ...fields,
    types: groups.flat(),
    recGroups,
    funcs: (fields.funcs ?? []).map(typeIndex),
    tags: (fields.tags ?? []).map(typeIndex),
  });
}

function rejects(m: Module, message: RegExp, kind: 'invalid' | 'malformed' = 'invalid'): CompileError {
  let error: unknown;
  try {
    validate(m);
  } catch (e) {
    error = e;
  }
  expect(error, 'module was accepted').toBeInstanceOf(CompileError);
  const e = error as CompileError;
  expect(e.kind).toBe(kind);
  expect(e.message).toMatch(message);
  return e;
}

const activeElem = (table: number, offset: ConstExpr, indices: number[], type = ref('func', true)): ElementSegment => ({
  mode: { kind: 'active', table, offset },
  type,
  items: { kind: 'funcs', indices: Uint32Array.from(indices) },
  offset: 40,
});

// ---- Types ------------------------------------------------------------------------------

describe('type definitions (type-subtyping.wast)', () => {
  it('rejects a final supertype', () => {
    // (type $t (func)) (type $s (sub $t (func)))
    rejects(module({ types: [type(func()), sub([0], func())] }), /sub type 1 has final super type 0/);
    // (type $t (sub (func))) (type $s (sub final $t (func))) (type $u (sub $s (func)))
    rejects(module({ types: [sub([], func()), sub([0], func(), true), sub([1], func())] }), /final super type/);
  });

  it('rejects supertypes of another kind or shape', () => {
    rejects(module({ types: [sub([], array(field('i32'))), sub([0], struct())] }), /does not match super type/);
    rejects(module({ types: [sub([], struct(field('i32'))), sub([0], struct(field('i64')))] }), /sub type/);
    rejects(module({ types: [sub([], array(field(ref('any'), true))), sub([0], array(field(ref('none'), true)))] }), /sub type/);
    rejects(module({ types: [sub([], func()), sub([0], func(['i32']))] }), /sub type/);
  });

  it('accepts depth and width subtyping chains', () => {
    // (type $e0 (sub (struct))) ... (type $e5 (sub $e4 (struct (field i32 (ref $e1) (mut i64)))))
    validate(
      module({
        types: [
          sub([], struct()),
          sub([0], struct()),
          sub([1], struct(field('i32'))),
          sub([2], struct(field('i32'), field(ref(0, true)))),
          sub([3], struct(field('i32'), field(ref(0)), field('i64', true))),
          sub([4], struct(field('i32'), field(ref(1)), field('i64', true))),
        ],
      }),
    );
  });

  it('checks subtypes inside a recursion group by their declarations', () => {
    // (rec (type $t1 (sub (func (param i32 (ref $t3)))))
    //      (type $t2 (sub $t1 (func (param i32 (ref $t2)))))
    //      (type $t3 (sub $t2 (func (param i32 (ref $t1))))))
    validate(
      module({
        types: [[sub([], func(['i32', ref(2)])), sub([0], func(['i32', ref(1)])), sub([1], func(['i32', ref(0)]))]],
      }),
    );
    // (rec (type $r1 (sub (struct (field i32 (ref $r1))))))
    // (rec (type $r2 (sub $r1 (struct (field i32 (ref $r3)))))
    //      (type $r3 (sub $r1 (struct (field i32 (ref $r2))))))
    validate(
      module({
        types: [
          [sub([], struct(field('i32'), field(ref(0))))],
          [sub([0], struct(field('i32'), field(ref(2)))), sub([0], struct(field('i32'), field(ref(1))))],
        ],
      }),
    );
  });

  it('uses type equivalence when matching fields (transitive equivalent subtyping)', () => {
    // $a1..$a3 and $b1..$b3 are separate but equivalent chains, so (ref $b3) matches (ref $a3).
    validate(
      module({
        types: [
          sub([], struct()),
          sub([], struct()),
          sub([0], struct()),
          sub([1], struct()),
          sub([2], struct()),
          sub([3], struct()),
          sub([], struct(field(ref(4)))),
          sub([6], struct(field(ref(5)))),
        ],
      }),
    );
  });

  it('rejects references to unknown types', () => {
    // (type (func (param (ref 1)))) (type (func))
    rejects(module({ types: [type(func([ref(1)])), type(func())] }), /unknown type 1/);
    // (type (func (result i32))) (import "test" "func" (func (type 1)))  (imports.wast)
    rejects(
      module({
        types: [type(func([], ['i32']))],
        imports: [{ module: 'test', name: 'func', desc: { kind: 'func', typeIndex: typeIndex(1) }, offset: 7 }],
      }),
      /unknown type 1/,
    );
    rejects(module({ types: [type(func())], funcs: [3] }), /unknown type 3/);
    rejects(module({ globals: [global(ref(0, true), expr(refNull('none')))] }), /unknown type 0/);
  });

  it('requires function types for functions', () => {
    rejects(module({ types: [type(struct())], funcs: [0] }), /non-function type 0/);
  });
});

// ---- Globals and constant expressions ----------------------------------------------------

describe('global initializers (global.wast)', () => {
  it('accepts constants, extended constants and earlier immutable globals', () => {
    const info = validate(
      module({
        imports: [globalImport('i32')],
        globals: [
          global('i32', expr(i32(-2))),
          global('i32', expr(globalGet(0))),
          global('i32', expr(globalGet(1))),
          global('i32', expr(i32(20), i32(2), { op: 'i32.mul' }, i32(2), { op: 'i32.sub' }, globalGet(0), { op: 'i32.add' })),
          global('i64', expr(i64(20n), i64(2n), { op: 'i64.mul' })),
          global('f64', expr({ op: 'f64.const', bits: 0n })),
          global('v128', expr({ op: 'v128.const', bytes: new Uint8Array(16) })),
          global(ref('extern', true), expr(refNull('extern')), true),
        ],
      }),
    );
    expect(info.importedGlobals).toBe(1);
    expect(info.globals).toHaveLength(9);
    expect(info.globals[8]).toEqual({ type: ref('extern', true), mutable: true });
  });

  it('rejects non-constant instructions', () => {
    // (global f32 (f32.neg (f32.const 0)))
    rejects(module({ globals: [global('f32', expr({ op: 'f32.const', bits: 0 }, other('f32.neg')))] }), /constant expression required/);
    // (global i32 (i32.const 0) (nop))
    const e = rejects(module({ globals: [global('i32', expr(i32(0), other('nop')))] }), /constant expression required/);
    expect(e.offset).toBe(101);
  });

  it('rejects global.get of a mutable global', () => {
    rejects(module({ imports: [globalImport('i32', true)], globals: [global('i32', expr(globalGet(0)))] }), /constant expression required/);
    rejects(
      module({ globals: [global('i32', expr(i32(0)), true), global('i32', expr(globalGet(0)))] }),
      /constant expression required/,
    );
  });

  it('rejects global.get of the same, a later or a missing global', () => {
    rejects(module({ globals: [global('i32', expr(globalGet(0)))] }), /unknown global 0/);
    rejects(module({ globals: [global('i32', expr(globalGet(1))), global('i32', expr(i32(0)))] }), /unknown global 1/);
    rejects(module({ imports: [globalImport('i32')], globals: [global('i32', expr(globalGet(2)))] }), /unknown global 2/);
  });

  it('requires exactly one value of the global type', () => {
    rejects(module({ globals: [global('i32', expr({ op: 'f32.const', bits: 0 }))] }), /type mismatch/);
    rejects(module({ globals: [global('i32', expr(i32(0), i32(0)))] }), /type mismatch/);
    rejects(module({ globals: [global('i32', expr())] }), /type mismatch/);
    rejects(module({ imports: [globalImport('i32')], globals: [global('i32', expr(i32(0), globalGet(0)))] }), /type mismatch/);
    rejects(module({ globals: [global('i32', expr(i32(1), { op: 'i64.add' }))] }), /type mismatch/);
    // (global (import "" "") externref) (global funcref (global.get 0))
    rejects(module({ imports: [globalImport(ref('extern', true))], globals: [global(funcref, expr(globalGet(0)))] }), /type mismatch/);
  });

  it('types ref.null as a nullable reference and ref.func as a non-null concrete one', () => {
    const types = [type(func())];
    validate(module({ types, funcs: [0], globals: [global(ref(0), expr(refFunc(0))), global(ref('func'), expr(refFunc(0)))] }));
    rejects(module({ types, globals: [global(ref(0), expr(refNull(0)))] }), /type mismatch/);
    rejects(module({ types, globals: [global(ref(0, true), expr(refNull('func')))] }), /type mismatch/);
    validate(module({ types, globals: [global(ref(0, true), expr(refNull('nofunc')))] }));
    rejects(module({ globals: [global(funcref, expr(refNull(5)))] }), /unknown type 5/);
    rejects(module({ globals: [global(funcref, expr(refFunc(0)))] }), /unknown function 0/);
  });

  it('records functions named by ref.func as declared', () => {
    const info = validate(module({ types: [type(func())], funcs: [0, 0, 0], globals: [global(funcref, expr(refFunc(2)))] }));
    expect([...info.declaredFuncs]).toEqual([2]);
  });
});

describe('function types in constant expressions (type-rec.wast, type-subtyping.wast)', () => {
  // (func $f (type <funcType>)) (global (ref <globalType>) (ref.func $f))
  const refFuncGlobal = (types: ModuleFields['types'], funcType: number, globalType: number) =>
    module({ types, funcs: [funcType], globals: [global(ref(globalType), expr(refFunc(0)))] });

  it('matches equivalent recursion groups', () => {
    // (rec (type $f1 (func)) (type (struct (field (ref $f1)))))
    // (rec (type $f2 (func)) (type (struct (field (ref $f2)))))
    validate(refFuncGlobal([[type(func()), type(struct(field(ref(0))))], [type(func()), type(struct(field(ref(2))))]], 2, 0));
  });

  it('rejects groups that differ in an outer reference', () => {
    // (rec (type $f2 (func)) (type (struct (field (ref $f1)))))
    rejects(
      refFuncGlobal([[type(func()), type(struct(field(ref(0))))], [type(func()), type(struct(field(ref(0))))]], 2, 0),
      /type mismatch/,
    );
  });

  it('rejects a type at another position or in another group shape', () => {
    // (rec (type $f1 (func)) (type (struct))) (rec (type (struct)) (type $f2 (func)))
    rejects(refFuncGlobal([[type(func()), type(struct())], [type(struct()), type(func())]], 3, 0), /type mismatch/);
    // (rec (type $ft (func)) (type (func))) with $f of the implicit type (func)
    rejects(refFuncGlobal([[type(func()), type(func())], type(func())], 2, 0), /type mismatch/);
  });

  it('matches subtypes declared in equivalent groups', () => {
    // (rec (type $f1 (sub (func))) (type (struct (field (ref $f1)))))
    // (rec (type $f2 (sub (func))) (type (struct (field (ref $f2)))))
    // (rec (type $g1 (sub $f1 (func))) (type (struct)))
    // (rec (type $g2 (sub $f2 (func))) (type (struct)))
    // (func $g (type $g2)) (global (ref $g1) (ref.func $g))
    const types = (inner: number) => [
      [sub([], func()), type(struct(field(ref(0))))],
      [sub([], func()), type(struct(field(ref(inner))))],
      [sub([0], func()), type(struct())],
      [sub([2], func()), type(struct())],
    ];
    validate(refFuncGlobal(types(2), 6, 4));
    // With the second group's field pointing at $f1, $f2 differs from $f1, so $g2 from $g1.
    rejects(refFuncGlobal(types(0), 6, 4), /type mismatch/);
  });

  it('rejects a function of an unrelated supertype chain', () => {
    // (rec (type $f11 (sub (func))) (type $f12 (sub $f11 (func))))
    // (rec (type $f21 (sub (func))) (type $f22 (sub $f11 (func))))
    // (func $f (type $f21)) (global (ref $f11) (ref.func $f))
    rejects(refFuncGlobal([[sub([], func()), sub([0], func())], [sub([], func()), sub([0], func())]], 2, 0), /type mismatch/);
  });
});

describe('GC constant expressions', () => {
  const point = type(struct(field('i32'), field('i8', true), field(ref('any', true))));

  it('types struct.new operands by field, unpacking packed fields', () => {
    validate(module({ types: [point], globals: [global(ref(0), expr(i32(1), i32(2), refNull('none'), { op: 'struct.new', type: typeIndex(0) }))] }));
    rejects(module({ types: [point], globals: [global(ref(0), expr(i32(1), refNull('none'), { op: 'struct.new', type: typeIndex(0) }))] }), /type mismatch/);
    rejects(module({ types: [type(func())], globals: [global(ref(0), expr({ op: 'struct.new', type: typeIndex(0) }))] }), /not a struct type/);
  });

  it('requires defaultable fields for the _default forms', () => {
    validate(module({ types: [point], globals: [global(ref(0), expr({ op: 'struct.new_default', type: typeIndex(0) }))] }));
    const nonNull = type(struct(field(ref('any'))));
    rejects(module({ types: [nonNull], globals: [global(ref(0), expr({ op: 'struct.new_default', type: typeIndex(0) }))] }), /defaultable/);
    const arr = type(array(field(ref('eq'), true)));
    rejects(module({ types: [arr], globals: [global(ref(0), expr(i32(1), { op: 'array.new_default', type: typeIndex(0) }))] }), /defaultable/);
  });

  it('types array.new, array.new_default and array.new_fixed', () => {
    const vec = type(array(field('f32')));
    const f32 = { op: 'f32.const', bits: 0 } as const;
    validate(
      module({
        types: [vec],
        globals: [
          global(ref(0), expr(f32, i32(3), { op: 'array.new', type: typeIndex(0) })),
          global(ref(0), expr(i32(3), { op: 'array.new_default', type: typeIndex(0) })),
          global(ref('array'), expr(f32, f32, { op: 'array.new_fixed', type: typeIndex(0), length: 2 })),
          global(ref('eq', true), expr({ op: 'array.new_fixed', type: typeIndex(0), length: 0 })),
        ],
      }),
    );
    rejects(module({ types: [vec], globals: [global(ref(0), expr(i32(3), f32, { op: 'array.new', type: typeIndex(0) }))] }), /type mismatch/);
    rejects(module({ types: [vec], globals: [global(ref(0), expr(f32, { op: 'array.new_fixed', type: typeIndex(0), length: 2 }))] }), /type mismatch/);
    rejects(
      module({ types: [vec], globals: [global(ref(0), expr(f32, { op: 'array.new_fixed', type: typeIndex(0), length: 0xffff_ffff }))] }),
      /type mismatch/,
    );
    rejects(module({ types: [vec], globals: [global(ref('struct'), expr(i32(0), { op: 'array.new_default', type: typeIndex(0) }))] }), /type mismatch/);
  });

  it('types ref.i31 and the extern/any conversions, keeping nullness', () => {
    validate(
      module({
        imports: [globalImport(ref('extern'))],
        globals: [
          global(ref('i31'), expr(i32(7), { op: 'ref.i31' })),
          global(ref('any'), expr(globalGet(0), { op: 'any.convert_extern' })),
          global(ref('extern'), expr(i32(7), { op: 'ref.i31' }, { op: 'extern.convert_any' })),
          global(ref('any', true), expr(refNull('noextern'), { op: 'any.convert_extern' })),
        ],
      }),
    );
    rejects(module({ globals: [global(ref('any'), expr(refNull('extern'), { op: 'any.convert_extern' }))] }), /type mismatch/);
    rejects(module({ globals: [global(ref('extern', true), expr(refNull('func'), { op: 'extern.convert_any' }))] }), /type mismatch/);
    rejects(module({ globals: [global(ref('i31'), expr(i64(7n), { op: 'ref.i31' }))] }), /type mismatch/);
  });
});

// ---- Tables and memories -----------------------------------------------------------------

describe('tables (table.wast, table64.wast)', () => {
  it('checks limits', () => {
    rejects(module({ tables: [{ type: tableType(funcref, 1, 0), offset: 5 }] }), /size minimum must not be greater than maximum/);
    rejects(module({ tables: [{ type: tableType(funcref, 0xffff_ffff, 0), offset: 5 }] }), /size minimum/);
    rejects(module({ tables: [{ type: tableType(funcref, 0x1_0000_0000), offset: 5 }] }), /table size must be at most 2\^32-1/);
    rejects(module({ tables: [{ type: tableType(funcref, 0, 0x1_0000_0000), offset: 5 }] }), /table size/);
    validate(module({ tables: [{ type: tableType(funcref, 0x1_0000_0000, undefined, 'i64'), offset: 5 }] }));
    rejects(module({ tables: [{ type: tableType(funcref, 1, 0, 'i64'), offset: 5 }] }), /size minimum/);
  });

  it('requires an initializer of the element type for non-nullable elements', () => {
    const types = [type(func())];
    rejects(module({ types, tables: [{ type: tableType(ref(0), 0), offset: 5 }] }), /type mismatch/);
    rejects(module({ tables: [{ type: tableType(ref('func')), init: expr(refNull('func')), offset: 5 }] }), /type mismatch/);
    rejects(module({ tables: [{ type: tableType(funcref), init: expr(i32(0)), offset: 5 }] }), /type mismatch/);
    rejects(module({ tables: [{ type: tableType(ref('func')), init: expr(refNull('extern')), offset: 5 }] }), /type mismatch/);
    const info = validate(module({ types, funcs: [0], tables: [{ type: tableType(ref(0)), init: expr(refFunc(0)), offset: 5 }] }));
    expect(info.declaredFuncs.has(0)).toBe(true);
  });

  it('lets table initializers see imported globals only', () => {
    // (global $g funcref (ref.null func)) (table $t 10 funcref (global.get $g))
    rejects(
      module({ globals: [global(funcref, expr(refNull('func')))], tables: [{ type: tableType(funcref), init: expr(globalGet(0)), offset: 5 }] }),
      /unknown global 0/,
    );
    validate(module({ imports: [globalImport(funcref)], tables: [{ type: tableType(funcref), init: expr(globalGet(0)), offset: 5 }] }));
  });
});

describe('memories (memory.wast, memory64.wast)', () => {
  const memory = (min: number, max?: number, addressType: 'i32' | 'i64' = 'i32', shared = false) => ({
    type: { addressType, limits: { min, max }, shared },
    offset: 3,
  });

  it('bounds the page count by address type', () => {
    validate(module({ memories: [memory(65536, 65536)] }));
    rejects(module({ memories: [memory(65537)] }), /memory size must be at most 65536 pages/);
    rejects(module({ memories: [memory(0, 65537)] }), /memory size/);
    validate(module({ memories: [memory(0x1_0000_0000, undefined, 'i64')] }));
    rejects(module({ memories: [memory(2 ** 48 + 1, undefined, 'i64')] }), /memory size must be at most 2\^48 pages/);
    rejects(module({ memories: [memory(0, 2 ** 48 + 1, 'i64')] }), /memory size/);
    const imported: Import = { module: 'M', name: 'm', desc: { kind: 'memory', type: memory(0x1_0000_0000).type }, offset: 9 };
    expect(rejects(module({ imports: [imported] }), /memory size/).offset).toBe(9);
  });

  it('requires min <= max and a maximum for shared memories', () => {
    rejects(module({ memories: [memory(1, 0)] }), /size minimum must not be greater than maximum/);
    rejects(module({ memories: [memory(1, undefined, 'i32', true)] }), /shared memory must have maximum/);
    validate(module({ memories: [memory(1, 2, 'i32', true)] }));
  });
});

// ---- Segments ------------------------------------------------------------------------------

describe('element segments (elem.wast)', () => {
  const types = [type(func())];
  const table = { type: tableType(funcref), offset: 5 };

  it('requires the table to exist', () => {
    rejects(module({ types, funcs: [0], elements: [activeElem(0, expr(i32(0)), [0])] }), /unknown table 0/);
  });

  it('requires an offset of the table address type', () => {
    rejects(module({ tables: [table], elements: [activeElem(0, expr(i64(0n)), [])] }), /type mismatch/);
    rejects(module({ tables: [table], elements: [activeElem(0, expr(refNull('func')), [])] }), /type mismatch/);
    rejects(module({ tables: [table], elements: [activeElem(0, expr(), [])] }), /type mismatch/);
    rejects(module({ tables: [table], elements: [activeElem(0, expr(other('nop')), [])] }), /constant expression required/);
    const table64 = { type: tableType(funcref, 1, undefined, 'i64'), offset: 5 };
    validate(module({ tables: [table64], elements: [activeElem(0, expr(i64(0n)), [])] }));
  });

  it('lets offsets read every immutable global', () => {
    // (global i32 (i32.const 0)) (table 1 funcref) (elem (global.get 0) $f) (func $f)
    validate(module({ types, funcs: [0], tables: [table], globals: [global('i32', expr(i32(0)))], elements: [activeElem(0, expr(globalGet(0)), [0])] }));
    rejects(module({ tables: [table], imports: [globalImport('i32', true)], elements: [activeElem(0, expr(globalGet(0)), [])] }), /constant expression required/);
    rejects(module({ tables: [table], elements: [activeElem(0, expr(globalGet(0)), [])] }), /unknown global 0/);
  });

  it('requires the segment type to match the table element type', () => {
    // (func $f) (table 1 externref) (elem (i32.const 0) $f)
    const externTable = { type: tableType(ref('extern', true)), offset: 5 };
    rejects(module({ types, funcs: [0], tables: [externTable], elements: [activeElem(0, expr(i32(0)), [0])] }), /type mismatch/);
    // (func) (table 1 (ref func) (ref.func 0)) (elem (i32.const 0) funcref (ref.func 0))
    const nonNullTable = { type: tableType(ref('func')), init: expr(refFunc(0)), offset: 5 };
    rejects(module({ types, funcs: [0], tables: [nonNullTable], elements: [activeElem(0, expr(i32(0)), [0])] }), /type mismatch/);
    validate(module({ types, funcs: [0], tables: [nonNullTable], elements: [activeElem(0, expr(i32(0)), [0], ref('func'))] }));
  });

  it('types expression items by the segment type', () => {
    const exprs = (...items: ConstExpr[]): ElementSegment => ({
      mode: { kind: 'passive' },
      type: funcref,
      items: { kind: 'exprs', exprs: items },
      offset: 40,
    });
    rejects(module({ elements: [exprs(expr(refNull('extern')))] }), /type mismatch/);
    rejects(module({ elements: [exprs(expr(refNull('func'), refNull('func')))] }), /type mismatch/);
    rejects(module({ elements: [exprs(expr(i32(0)))] }), /type mismatch/);
    rejects(module({ elements: [exprs(expr(other('call')))] }), /constant expression required/);
    const info = validate(module({ types, funcs: [0, 0], elements: [exprs(expr(refNull('func')), expr(refFunc(1)))] }));
    expect([...info.declaredFuncs]).toEqual([1]);
  });

  it('checks function indices and their types, and declares them', () => {
    const typed: ElementSegment = {
      mode: { kind: 'declarative' },
      type: ref(0, true),
      items: { kind: 'funcs', indices: Uint32Array.of(0, 1) },
      offset: 40,
    };
    const twoTypes = [type(func()), type(func(['i32']))];
    const info = validate(module({ types: twoTypes, funcs: [0, 0], elements: [typed] }));
    expect([...info.declaredFuncs].sort()).toEqual([0, 1]);
    rejects(module({ types: twoTypes, funcs: [0, 1], elements: [typed] }), /function 1 is not of element type/);
    rejects(module({ types, funcs: [0], tables: [table], elements: [activeElem(0, expr(i32(0)), [0, 1])] }), /unknown function 1/);
  });
});

describe('data segments (data.wast)', () => {
  const memory = (addressType: 'i32' | 'i64') => ({ type: { addressType, limits: { min: 1 }, shared: false }, offset: 3 });
  type Segment = (segments: DataSegmentsBuilder, at: number) => void;
  /** Segment i sits at byte 50 + i, its one byte of content at 0. */
  const datas = (...segments: Segment[]): DataSegments => {
    const builder = new DataSegmentsBuilder(new Uint8Array(1), segments.length);
    segments.forEach((segment, i) => segment(builder, 50 + i));
    return builder.finish();
  };
  const active = (offset: ConstExpr, mem = 0): Segment => (b, at) => b.active(at, mem, offset, 0, 1);
  const passive: Segment = (b, at) => b.passive(at, 0, 1);
  const i32Add: ConstOp = { op: 'i32.add' };

  it('requires the memory to exist', () => {
    expect(rejects(module({ datas: datas(active(expr(i32(0)))) }), /unknown memory 0/).offset).toBe(50);
    expect(rejects(module({ memories: [memory('i32')], datas: datas(passive, active(expr(i32(0)), 1)) }), /unknown memory 1/).offset).toBe(51);
    validate(module({ datas: datas(passive) }));
  });

  it('requires an offset of the memory address type, inline constant or not', () => {
    rejects(module({ memories: [memory('i32')], datas: datas(active(expr(i64(0n)))) }), /type mismatch: operand is not of type i32/);
    const e = rejects(module({ memories: [memory('i64')], datas: datas(active(expr(i32(0)))) }), /type mismatch: operand is not of type i64/);
    expect(e.offset).toBe(99);
    validate(module({ memories: [memory('i64')], datas: datas(active(expr(i64(0n)))) }));
    // Past 2^53 an i64 offset is kept as its expression, and validates as one.
    validate(module({ memories: [memory('i64')], datas: datas(active(expr(i64(2n ** 60n)))) }));
    rejects(module({ memories: [memory('i32')], datas: datas(active(expr(i64(2n ** 60n)))) }), /type mismatch/);
    validate(module({ memories: [memory('i32')], globals: [global('i32', expr(i32(0)))], datas: datas(active(expr(globalGet(0)))) }));
    rejects(module({ memories: [memory('i32')], datas: datas(active(expr(globalGet(0)))) }), /unknown global 0/);
    validate(module({ memories: [memory('i32')], datas: datas(active(expr(i32(1), i32(2), i32Add))) }));
    rejects(module({ memories: [memory('i64')], datas: datas(active(expr(i32(1), i32(2), i32Add))) }), /type mismatch/);
    rejects(module({ memories: [memory('i32')], datas: datas(active(expr(i32(0), other('nop')))) }), /constant expression required/);
  });

  it('rejects a data count that differs from the data segments', () => {
    rejects(module({ dataCount: 1 }), /data count/, 'malformed');
  });
});

// ---- Start, exports, tags -----------------------------------------------------------------

describe('start function (start.wast)', () => {
  it('requires an existing function of type [] -> []', () => {
    validate(module({ types: [type(func())], funcs: [0], start: 0 }));
    rejects(module({ types: [type(func())], funcs: [0], start: 1 }), /unknown function 1/);
    rejects(module({ types: [type(func([], ['i32']))], funcs: [0], start: 0 }), /start function/);
    rejects(module({ types: [type(func(['i32']))], funcs: [0], start: 0 }), /start function/);
  });
});

describe('exports (exports.wast)', () => {
  const exp = (name: string, kind: 'func' | 'table' | 'memory' | 'global' | 'tag', index: number) => ({ name, kind, index, offset: 60 });

  it('requires unique names', () => {
    const e = rejects(
      module({ types: [type(func())], funcs: [0, 0], exports: [exp('a', 'func', 0), exp('a', 'func', 1)] }),
      /duplicate export name/,
    );
    expect(e.offset).toBe(60);
    rejects(
      module({ types: [type(func())], funcs: [0], globals: [global('i32', expr(i32(0)))], exports: [exp('a', 'func', 0), exp('a', 'global', 0)] }),
      /duplicate export name/,
    );
  });

  it('requires existing indices of every kind', () => {
    rejects(module({ exports: [exp('a', 'func', 0)] }), /unknown function 0/);
    rejects(module({ exports: [exp('a', 'table', 0)] }), /unknown table 0/);
    rejects(module({ exports: [exp('a', 'memory', 0)] }), /unknown memory 0/);
    rejects(module({ exports: [exp('a', 'global', 0)] }), /unknown global 0/);
    rejects(module({ exports: [exp('a', 'tag', 0)] }), /unknown tag 0/);
  });

  it('declares exported functions', () => {
    const info = validate(module({ types: [type(func())], funcs: [0, 0], exports: [exp('f', 'func', 1)] }));
    expect([...info.declaredFuncs]).toEqual([1]);
  });

  it('counts each declared function once, whatever names it', () => {
    const info = validate(
      module({
        types: [type(func())],
        funcs: [0, 0, 0, 0],
        exports: [exp('a', 'func', 3), exp('b', 'func', 1)],
        globals: [global(funcref, expr(refFunc(3)))],
        elements: [{ mode: { kind: 'declarative' }, type: funcref, items: { kind: 'funcs', indices: Uint32Array.of(1, 3, 1) }, offset: 40 }],
      }),
    );
    expect(info.declaredFuncs.size).toBe(2);
    expect(info.declaredFuncs.has(3)).toBe(true);
    expect(info.declaredFuncs.has(0)).toBe(false);
    expect([...info.declaredFuncs]).toEqual([1, 3]);
  });
});

describe('tags (tag.wast)', () => {
  it('requires function types without results', () => {
    validate(module({ types: [type(func(['i32']))], tags: [0] }));
    rejects(module({ types: [type(func([], ['i32']))], tags: [0] }), /non-empty tag result type/);
    rejects(
      module({ types: [type(func([], ['i32']))], imports: [{ module: '', name: '', desc: { kind: 'tag', typeIndex: typeIndex(0) }, offset: 4 }] }),
      /non-empty tag result type/,
    );
    rejects(module({ types: [type(struct())], tags: [0] }), /non-function type/);
  });
});

// ---- Module info -----------------------------------------------------------------------------

describe('module info', () => {
  it('lists index spaces imports first, with canonical types for every type index', () => {
    const types = [type(func()), type(func(['i32'])), type(func())];
    const importedTable: TableType = tableType(funcref);
    const importedGlobal: GlobalType = { type: 'i64', mutable: true };
    const info = validate(
      module({
        types,
        imports: [
          { module: 'a', name: 'f', desc: { kind: 'func', typeIndex: typeIndex(1) }, offset: 1 },
          { module: 'a', name: 't', desc: { kind: 'table', type: importedTable }, offset: 2 },
          { module: 'a', name: 'g', desc: { kind: 'global', type: importedGlobal }, offset: 3 },
          { module: 'a', name: 'e', desc: { kind: 'tag', typeIndex: typeIndex(1) }, offset: 4 },
        ],
        funcs: [0, 2],
        tables: [{ type: tableType(ref('extern', true)), offset: 5 }],
        memories: [{ type: { addressType: 'i32', limits: { min: 0 }, shared: false }, offset: 6 }],
        globals: [global('f32', expr({ op: 'f32.const', bits: 0 }))],
        tags: [0],
      }),
    );
    expect(info.funcTypes).toEqual([1, 0, 2]);
    expect(info.importedFuncs).toBe(1);
    expect(info.tables.map((t) => t.element.heap)).toEqual(['func', 'extern']);
    expect(info.importedTables).toBe(1);
    expect(info.memories).toHaveLength(1);
    expect(info.importedMemories).toBe(0);
    expect(info.globals).toEqual([importedGlobal, { type: 'f32', mutable: false }]);
    expect(info.tags).toEqual([1, 0]);
    expect(info.importedTags).toBe(1);
    // Equal singleton groups share a canonical id.
    expect(info.canonicalTypes[2]).toBe(info.canonicalTypes[0]);
    expect(info.canonicalTypes[1]).not.toBe(info.canonicalTypes[0]);
    expect(info.declaredFuncs.size).toBe(0);
  });
});
