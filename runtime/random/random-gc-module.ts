// Seeded random generator of valid GC modules for differential testing against V8.
//
// A case is a module in the text format (assembled with watr) whose instantiation builds
// GC values in constant expressions: rec groups of struct, array and function types with
// declared supertypes, globals holding nested structs and arrays of every storage type,
// i31 values, conversions between the any and extern hierarchies (also of host values
// from imported externref globals), tables of GC types with init expressions, and
// element segments of GC expressions in every mode. The module is plain: V8's result is
// read back through its observable copy (observable-copy.ts, v8-observed-state.ts).
//
// The generator tracks what it builds as a model, so a case also says what instantiation
// must leave: the state of the observable copy (the exports, and every global and
// table), which described objects are the same object, and for the GC heap the objects
// live at each allocation and at the end. Modules are valid by construction: each
// expression is built for the type it must have, a non-null reference field only
// points at an earlier type (so every type can be built without a cycle), and a subtype
// refines only immutable fields.
import { compile as assembleWat } from 'watr';
import { SeededRandom } from './seeded-random.ts';
import type { ExportState, InstanceState } from '../embedder/instance-state.ts';
import { typeIndex, type FieldType, type HeapType, type RefType, type StorageType, type ValType } from '../module/module.ts';
import type { StateValue } from '../embedder/state-value.ts';
import { observeExport } from '../v8/observable-copy.ts';
import { storageTypeName } from '../module/type-names.ts';
import { compareExportNames } from '../v8/v8-observed-state.ts';

export const GC_FEATURES = [
  // types
  'rec-group', 'rec-self-ref', 'rec-forward-ref', 'rec-backward-ref', 'subtype', 'subtype-final', 'sub-open', 'subtype-refined-field',
  'equivalent-types',
  // structs
  'struct-new', 'struct-new-default', 'nested-struct-non-null', 'nested-struct-nullable', 'null-field',
  'packed-field', 'float-field', 'i64-field', 'funcref-field', 'mutable-field',
  // arrays
  'array-new', 'array-new-default', 'array-new-fixed', 'array-i8', 'array-i16', 'array-i32', 'array-i64',
  'array-f32', 'array-f64', 'array-ref', 'array-empty', 'array-len-global',
  // i31 and conversions
  'ref-i31', 'i31-externalized', 'extern-convert-any', 'any-convert-extern', 'host-internalized', 'convert-round-trip',
  // globals
  'global-get-gc', 'shared-object', 'subtype-value', 'global-mutable-gc', 'global-non-null-gc', 'global-abstract-gc',
  'global-extern', 'global-numeric', 'global-funcref', 'extended-const',
  // imports
  'import-host-global', 'import-i32-global', 'import-anyref-global', 'import-externref-table',
  // tables
  'table-typed-gc', 'table-anyref', 'table-eqref', 'table-externref', 'table-funcref', 'table-non-null', 'table-init-gc',
  // element segments
  'elem-active-gc', 'elem-passive-gc', 'elem-declarative-gc', 'elem-func-indices', 'elem-into-imported-table',
  'elem-overwrite',
] as const;
export type GcFeature = (typeof GC_FEATURES)[number];

/** A value the host gives an externref import: JSON, so both engines can hold it as is. */
export type HostValue = string | { readonly host: number };

/** Every import is from module "host". */
export type GcImport =
  | { readonly kind: 'global'; readonly name: string; readonly type: 'i32'; readonly value: number }
  | { readonly kind: 'global'; readonly name: string; readonly type: 'externref'; readonly value: HostValue | null }
  /** An i31 the host gives as a JS number in i31 range (the JS API makes it an i31ref). */
  | { readonly kind: 'global'; readonly name: string; readonly type: 'anyref'; readonly value: { readonly i31: number } | null }
  | { readonly kind: 'table'; readonly name: string; readonly elements: readonly (HostValue | null)[] };

export const IMPORT_MODULE = 'host';

/**
 * The GC heap during instantiation, counted in objects and payload bytes (bytes of the
 * fields: i8 1, i16 2, i32/f32 and references 4, i64/f64 8) and host objects (made for
 * the imports before instantiation, one for each non-null host value).
 *
 * The model follows the order our runtime (like V8) initializes in: globals, table init
 * expressions, then each element segment evaluated, applied (active) and dropped (active,
 * declarative) before the next one is evaluated.
 */
export interface HeapModel {
  readonly hostObjects: number;
  /**
   * Each struct/array allocation in order. `live` is what is reachable just before it:
   * from the globals and tables initialized so far, the element segments not dropped
   * (the one being evaluated included), and the objects made earlier in the same
   * constant expression (its operands stay rooted until it ends). `imports` is what the
   * imports alone reach then, which is what stays if this allocation fails.
   * Items of declarative segments are included: V8 skips evaluating them, as it has no
   * visible effect, but every strategy of ours evaluates them when they allocate (the
   * spec does, and an allocation can fail).
   */
  readonly allocations: readonly HeapAllocation[];
  /** What is reachable once instantiation is done. */
  readonly final: HeapCount;
}

export interface HeapAllocation {
  readonly live: HeapCount;
  readonly imports: HeapCount;
  readonly payloadBytes: number;
}

export interface HeapCount {
  readonly objects: number;
  readonly payloadBytes: number;
  readonly hostObjects: number;
}

export interface GcCase {
  readonly seed: number;
  readonly wat: string;
  readonly bytes: Uint8Array;
  readonly imports: readonly GcImport[];
  /**
   * The observable copy's state as `observedState` gives it, and identity as
   * `observeInV8` reports it (v8-observed-state.ts).
   */
  readonly expected: { readonly state: InstanceState; readonly identity: number[] };
  readonly heap: HeapModel;
  readonly features: ReadonlySet<GcFeature>;
}

export function generateGcModule(seed: number): GcCase {
  return new GcGenerator(seed).run();
}

// ---- Model ---------------------------------------------------------------------------------

type Composite =
  | { readonly kind: 'struct'; readonly fields: readonly FieldType[] }
  | { readonly kind: 'array'; readonly element: FieldType }
  | { readonly kind: 'func'; readonly params: readonly ValType[]; readonly results: readonly ValType[] };

interface TypeDef {
  readonly final: boolean;
  readonly supertype?: number;
  readonly composite: Composite;
}

interface Group {
  readonly start: number;
  readonly size: number;
}

/** A value as the model holds it; objects by id, so identity is kept. */
type MVal =
  | { readonly k: 'i32'; readonly v: number }
  | { readonly k: 'i64'; readonly v: bigint }
  | { readonly k: 'f32'; readonly bits: number }
  | { readonly k: 'f64'; readonly bits: bigint }
  | { readonly k: 'null' }
  | { readonly k: 'i31'; readonly v: number }
  | { readonly k: 'func'; readonly index: number }
  | { readonly k: 'host'; readonly id: number; readonly value: HostValue }
  | { readonly k: 'obj'; readonly id: number }
  /** A non-host any-hierarchy value converted into the extern hierarchy. */
  | { readonly k: 'ext'; readonly inner: MVal };

interface Obj {
  readonly type: number;
  readonly values: readonly MVal[];
  readonly payloadBytes: number;
}

/** A generated expression: its text, its value, and how many values describing it prints. */
interface Ex {
  readonly wat: string;
  readonly val: MVal;
  readonly size: number;
}

interface GlobalDef {
  readonly name: string;
  readonly type: ValType;
  readonly mutable: boolean;
  readonly val: MVal;
  readonly size: number;
  readonly imported: boolean;
  readonly wat: string;
}

interface TableDef {
  readonly name: string;
  readonly type: RefType;
  readonly size: number;
  readonly elements: MVal[];
  readonly imported: boolean;
  readonly wat: string;
  /** Slots some initializer (init expression or active segment) wrote. */
  readonly written: Set<number>;
}

interface ElemDef {
  readonly mode: 'active' | 'passive' | 'declarative';
  readonly items: readonly MVal[];
  readonly wat: string;
}

interface Reached {
  readonly objects: Set<number>;
  readonly hosts: Set<number>;
}

interface ExprContext {
  /** What the heap model sees as live while this expression is evaluated (made at its first allocation). */
  live?: { readonly reached: Reached; readonly imports: HeapCount };
  /** Globals with a lower index are visible. */
  readonly globals: number;
  readonly importedOnly: boolean;
  readonly depth: number;
  readonly budget: { left: number };
  readonly allocs: number[];
}

const MAX_DEPTH = 4;
/** Values an expression's description may print; global.get of a shared value counts in full. */
const EXPR_BUDGET = 120;

const I32_EDGES = [
  0, 1, -1, 2, 7, 127, 128, 255, 256, -129, 0xffff, 0x10000, 0x3fffffff, 0x40000000, -0x40000000, 0x7fffffff, -0x80000000,
];
const I64_EDGES = [0n, 1n, -1n, 255n, 0xffffffffn, 1n << 32n, (1n << 63n) - 1n, -(1n << 63n)];
const F32_EDGES = [
  0, 0x80000000, 0x3f800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00001, 0xff812345, 1, 0x807fffff, 0x00800000,
];
const F64_EDGES = [
  0n, 0x8000000000000000n, 0x3ff0000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n,
  0x7ff4000000000001n, 0xfff0000000000001n, 1n, 0x800fffffffffffffn,
];

const ABSTRACT_ANY = ['any', 'eq', 'i31', 'struct', 'array', 'none'] as const;

// ---- The generator -------------------------------------------------------------------------

class GcGenerator {
  private readonly seed: number;
  private readonly rng: SeededRandom;
  private readonly features = new Set<GcFeature>();
  private readonly types: TypeDef[] = [];
  private readonly groups: Group[] = [];
  /** Canonical identity of each type: equal strings for types equivalent across groups. */
  private readonly canon: string[] = [];
  /** Function index → type index. */
  private readonly funcs: number[] = [];
  private readonly globals: GlobalDef[] = [];
  private readonly tables: TableDef[] = [];
  private readonly elems: ElemDef[] = [];
  private readonly imports: GcImport[] = [];
  private readonly objects: Obj[] = [];
  private hostCount = 0;
  /** Items of the element segment being evaluated. */
  private pendingItems: MVal[] = [];
  private readonly allocations: HeapAllocation[] = [];
  private readonly exportFields: { name: string; kind: 'global' | 'table' | 'func'; ref: string; index: number }[] = [];

  constructor(seed: number) {
    this.seed = seed;
    this.rng = new SeededRandom(seed);
  }

  run(): GcCase {
    this.genTypes();
    this.genFuncs();
    this.genImports();
    this.genGlobals();
    this.genTables();
    this.genElems();
    this.genFuncExports();
    const wat = this.wat();
    return {
      seed: this.seed,
      wat,
      bytes: assembleWat(wat),
      imports: this.imports,
      expected: this.expected(),
      heap: this.heapModel(),
      features: this.features,
    };
  }

  // ---- Types -----------------------------------------------------------------------------

  private genTypes(): void {
    const rng = this.rng;
    // Function types first, in one group, so every later type may refer to them.
    const funcGroup = this.types.length;
    const funcCount = rng.range(1, 2);
    for (let i = 0; i < funcCount; i++) this.types.push({ final: true, composite: this.genFuncType(funcGroup + funcCount) });
    this.groups.push({ start: funcGroup, size: funcCount });
    const groupCount = rng.range(2, 5);
    for (let g = 0; g < groupCount; g++) {
      if (this.groups.length > 1 && rng.chance(0.2)) {
        this.duplicateGroup(rng.pick(this.groups.slice(1)));
        continue;
      }
      const start = this.types.length;
      const size = rng.range(1, 4);
      if (size > 1) this.features.add('rec-group');
      for (let i = 0; i < size; i++) this.types.push(this.genType(start + i, start, start + size));
      this.groups.push({ start, size });
    }
    this.canonicalize();
  }

  private genFuncType(groupEnd: number): Composite {
    const rng = this.rng;
    const valType = (): ValType =>
      rng.pick<ValType>([
        'i32',
        'i64',
        'f64',
        { nullable: true, heap: 'any' },
        { nullable: true, heap: 'extern' },
        { nullable: true, heap: typeIndex(rng.int(groupEnd)) },
      ]);
    return {
      kind: 'func',
      params: Array.from({ length: rng.range(0, 2) }, valType),
      results: Array.from({ length: rng.range(0, 1) }, valType),
    };
  }

  private genType(index: number, groupStart: number, groupEnd: number): TypeDef {
    const rng = this.rng;
    const supers = this.types.flatMap((t, i) => (!t.final && t.composite.kind !== 'func' ? [i] : []));
    if (supers.length > 0 && rng.chance(0.45)) {
      const supertype = rng.pick(supers);
      const final = rng.chance(0.35);
      this.features.add('subtype');
      if (final) this.features.add('subtype-final');
      return { final, supertype, composite: this.refineComposite(this.types[supertype].composite, index, groupStart, groupEnd) };
    }
    const final = rng.chance(0.35);
    if (!final) this.features.add('sub-open');
    const roll = rng.int(100);
    if (roll < 58) {
      const fields = Array.from({ length: rng.range(0, 4) }, () => this.genField(index, groupStart, groupEnd, true));
      return { final, composite: { kind: 'struct', fields } };
    }
    if (roll < 92) return { final, composite: { kind: 'array', element: this.genField(index, groupStart, groupEnd, true) } };
    return { final, composite: this.genFuncType(groupEnd) };
  }

  private genField(index: number, groupStart: number, groupEnd: number, packed: boolean): FieldType {
    const rng = this.rng;
    const mutable = rng.chance(0.3);
    if (mutable) this.features.add('mutable-field');
    if (rng.chance(0.45)) {
      const storage = rng.pick<StorageType>(packed ? ['i8', 'i16', 'i32', 'i64', 'f32', 'f64'] : ['i32', 'i64', 'f32', 'f64']);
      return { storage, mutable };
    }
    return { storage: this.genRefType(index, groupStart, groupEnd), mutable };
  }

  /** A reference type for a field of type `index`; non-null only where a value can be built. */
  private genRefType(index: number, groupStart: number, groupEnd: number): RefType {
    const rng = this.rng;
    let heap: HeapType;
    if (rng.chance(0.55)) {
      const t = rng.int(groupEnd);
      heap = typeIndex(t);
      if (t === index) this.features.add('rec-self-ref');
      else if (t > index) this.features.add('rec-forward-ref');
      else if (t >= groupStart) this.features.add('rec-backward-ref');
    } else {
      heap = rng.pick<HeapType>(['any', 'eq', 'i31', 'struct', 'array', 'none', 'extern', 'noextern', 'func', 'nofunc']);
    }
    const nullable = !(this.nonNullAllowed(heap, index) && rng.chance(0.35));
    return { nullable, heap };
  }

  /** Whether a field of type `index` may be a non-null reference to `heap`. */
  private nonNullAllowed(heap: HeapType, index: number): boolean {
    if (typeof heap === 'number') return heap < index;
    switch (heap) {
      case 'any':
      case 'eq':
      case 'i31':
      case 'extern':
      case 'func':
        return true;
      case 'struct':
      case 'array':
        return this.types.slice(0, index).some((t) => t.composite.kind === heap);
      default:
        return false;
    }
  }

  /** A subtype's composite: the supertype's, immutable fields maybe refined, struct fields maybe added. */
  private refineComposite(composite: Composite, index: number, groupStart: number, groupEnd: number): Composite {
    const rng = this.rng;
    const refineField = (f: FieldType): FieldType => {
      if (f.mutable || typeof f.storage === 'string' || !rng.chance(0.4)) return f;
      const storage = this.refineRef(f.storage, index);
      if (storage !== f.storage) this.features.add('subtype-refined-field');
      return { storage, mutable: false };
    };
    if (composite.kind === 'struct') {
      const fields = composite.fields.map(refineField);
      for (let i = rng.range(0, 2); i > 0; i--) fields.push(this.genField(index, groupStart, groupEnd, true));
      return { kind: 'struct', fields };
    }
    if (composite.kind === 'array') return { kind: 'array', element: refineField(composite.element) };
    return composite;
  }

  /** A subtype of `ref` usable in type `index`. */
  private refineRef(ref: RefType, index: number): RefType {
    const rng = this.rng;
    const earlier = (kind: Composite['kind']): HeapType[] =>
      this.types.slice(0, index).flatMap((t, i) => (t.composite.kind === kind ? [typeIndex(i)] : []));
    const h = ref.heap;
    let options: HeapType[] = [];
    if (h === 'any') options = ['eq', 'i31', 'struct', 'array'];
    else if (h === 'eq') options = ['i31', 'struct', 'array'];
    else if (h === 'struct' || h === 'array') options = earlier(h);
    else if (h === 'func') options = earlier('func');
    else if (typeof h === 'number' && h < index) {
      options = earlier(this.types[h].composite.kind).filter((u) => u !== h && typeof u === 'number' && this.declaredSub(u, h));
    }
    if (!ref.nullable) options = options.filter((o) => this.nonNullAllowed(o, index));
    const heap = options.length > 0 && rng.chance(0.7) ? rng.pick(options) : h;
    const nullable = ref.nullable && !(rng.chance(0.4) && this.nonNullAllowed(heap, index));
    return nullable === ref.nullable && heap === h ? ref : { nullable, heap };
  }

  /** `sub` declares (directly or not) `sup` as a supertype, by index. */
  private declaredSub(sub: number, sup: number): boolean {
    for (let t: number | undefined = sub; t !== undefined; t = this.types[t].supertype) if (t === sup) return true;
    return false;
  }

  private duplicateGroup(group: Group): void {
    const start = this.types.length;
    const shift = (i: number): number => (i >= group.start && i < group.start + group.size ? i - group.start + start : i);
    const shiftRef = (t: RefType): RefType => (typeof t.heap === 'number' ? { nullable: t.nullable, heap: typeIndex(shift(t.heap)) } : t);
    const shiftVal = (t: ValType): ValType => (typeof t === 'string' ? t : shiftRef(t));
    const shiftField = (f: FieldType): FieldType => ({
      storage: typeof f.storage === 'string' ? f.storage : shiftRef(f.storage),
      mutable: f.mutable,
    });
    for (let i = 0; i < group.size; i++) {
      const t = this.types[group.start + i];
      const c = t.composite;
      const composite: Composite =
        c.kind === 'struct'
          ? { kind: 'struct', fields: c.fields.map(shiftField) }
          : c.kind === 'array'
            ? { kind: 'array', element: shiftField(c.element) }
            : { kind: 'func', params: c.params.map(shiftVal), results: c.results.map(shiftVal) };
      this.types.push({ final: t.final, supertype: t.supertype === undefined ? undefined : shift(t.supertype), composite });
    }
    this.groups.push({ start, size: group.size });
    this.features.add('equivalent-types');
  }

  /** Iso-recursive equivalence: a group's key names its own types by position, others canonically. */
  private canonicalize(): void {
    const groupIds = new Map<string, number>();
    for (const group of this.groups) {
      const ref = (i: number): string =>
        i >= group.start && i < group.start + group.size ? `r${i - group.start}` : `c${this.canon[i]}`;
      const val = (t: StorageType): unknown =>
        typeof t === 'string' ? t : [t.nullable, typeof t.heap === 'number' ? ref(t.heap) : t.heap];
      const key = JSON.stringify(
        this.types.slice(group.start, group.start + group.size).map((t) => {
          const c = t.composite;
          const body =
            c.kind === 'struct'
              ? c.fields.map((f) => [val(f.storage), f.mutable])
              : c.kind === 'array'
                ? [val(c.element.storage), c.element.mutable]
                : [c.params.map(val), c.results.map(val)];
          return [t.final, t.supertype === undefined ? null : ref(t.supertype), c.kind, body];
        }),
      );
      let id = groupIds.get(key);
      if (id === undefined) groupIds.set(key, (id = groupIds.size));
      for (let i = 0; i < group.size; i++) this.canon[group.start + i] = `${id}.${i}`;
    }
  }

  private lowestEquivalent(type: number): number {
    return this.canon.indexOf(this.canon[type]);
  }

  private concreteSub(a: number, b: number): boolean {
    for (let t: number | undefined = a; t !== undefined; t = this.types[t].supertype) if (this.canon[t] === this.canon[b]) return true;
    return false;
  }

  private heapSub(a: HeapType, b: HeapType): boolean {
    if (typeof b === 'number') {
      if (typeof a === 'number') return this.concreteSub(a, b);
      const kind = this.types[b].composite.kind;
      return kind === 'func' ? a === 'nofunc' : a === 'none';
    }
    if (typeof a === 'number') {
      const kind = this.types[a].composite.kind;
      if (kind === 'func') return b === 'func';
      return b === kind || b === 'eq' || b === 'any';
    }
    if (a === b) return true;
    switch (a) {
      case 'none':
        return (ABSTRACT_ANY as readonly string[]).includes(b);
      case 'i31':
      case 'struct':
      case 'array':
        return b === 'eq' || b === 'any';
      case 'eq':
        return b === 'any';
      case 'noextern':
        return b === 'extern';
      case 'nofunc':
        return b === 'func';
      default:
        return false;
    }
  }

  private refSub(a: RefType, b: RefType): boolean {
    return (!a.nullable || b.nullable) && this.heapSub(a.heap, b.heap);
  }

  private kindOf(type: number): Composite['kind'] {
    return this.types[type].composite.kind;
  }

  private typesOfKind(kind: Composite['kind']): number[] {
    return this.types.flatMap((t, i) => (t.composite.kind === kind ? [i] : []));
  }

  private family(heap: HeapType): 'any' | 'extern' | 'func' {
    if (typeof heap === 'number') return this.kindOf(heap) === 'func' ? 'func' : 'any';
    if (heap === 'extern' || heap === 'noextern') return 'extern';
    if (heap === 'func' || heap === 'nofunc') return 'func';
    return 'any';
  }

  // ---- Functions and imports ---------------------------------------------------------------

  private genFuncs(): void {
    for (const ft of this.typesOfKind('func')) {
      this.funcs.push(ft);
      if (this.rng.chance(0.3)) this.funcs.push(ft);
    }
  }

  private genImports(): void {
    const rng = this.rng;
    for (let i = rng.range(0, 3); i > 0; i--) {
      const index = this.globals.length;
      const host = rng.chance(0.8) ? this.hostValue() : null;
      const name = `h${index}`;
      this.imports.push({ kind: 'global', name, type: 'externref', value: host === null ? null : host.value });
      this.globals.push({
        name: `$g${index}`,
        type: { nullable: true, heap: 'extern' },
        mutable: false,
        val: host ?? { k: 'null' },
        size: 1,
        imported: true,
        wat: `(import "${IMPORT_MODULE}" "${name}" (global $g${index} externref))`,
      });
      this.features.add('import-host-global');
      if (rng.chance(0.25)) this.exportFields.push({ name, kind: 'global', ref: `$g${index}`, index });
    }
    for (let i = rng.range(0, 2); i > 0; i--) {
      const index = this.globals.length;
      const value = rng.range(0, 5);
      const name = `n${index}`;
      this.imports.push({ kind: 'global', name, type: 'i32', value });
      this.globals.push({
        name: `$g${index}`,
        type: 'i32',
        mutable: false,
        val: { k: 'i32', v: value },
        size: 1,
        imported: true,
        wat: `(import "${IMPORT_MODULE}" "${name}" (global $g${index} i32))`,
      });
      this.features.add('import-i32-global');
    }
    if (rng.chance(0.3)) {
      const index = this.globals.length;
      const v = rng.chance(0.8) ? (rng.chance(0.5) ? rng.range(-8, 8) : rng.range(-0x40000000, 0x3fffffff)) : undefined;
      const name = `a${index}`;
      this.imports.push({ kind: 'global', name, type: 'anyref', value: v === undefined ? null : { i31: v } });
      this.globals.push({
        name: `$g${index}`,
        type: { nullable: true, heap: 'any' },
        mutable: false,
        val: v === undefined ? { k: 'null' } : { k: 'i31', v },
        size: 1,
        imported: true,
        wat: `(import "${IMPORT_MODULE}" "${name}" (global $g${index} anyref))`,
      });
      this.features.add('import-anyref-global');
      if (rng.chance(0.25)) this.exportFields.push({ name, kind: 'global', ref: `$g${index}`, index });
    }
    if (rng.chance(0.35)) {
      const size = rng.range(1, 4);
      const hosts = Array.from({ length: size }, () => (rng.chance(0.75) ? this.hostValue() : null));
      const name = 'it0';
      this.imports.push({ kind: 'table', name, elements: hosts.map((h) => (h === null ? null : h.value)) });
      this.tables.push({
        name: '$T0',
        type: { nullable: true, heap: 'extern' },
        size,
        elements: hosts.map((h) => h ?? { k: 'null' }),
        imported: true,
        wat: `(import "${IMPORT_MODULE}" "${name}" (table $T0 ${size} externref))`,
        written: new Set(),
      });
      this.features.add('import-externref-table');
      if (rng.chance(0.7)) this.exportFields.push({ name, kind: 'table', ref: '$T0', index: 0 });
    }
  }

  private hostValue(): MVal & { k: 'host' } {
    const id = this.hostCount++;
    const value: HostValue = this.rng.chance(0.5) ? `host-${this.seed}-${id}` : { host: id };
    return { k: 'host', id, value };
  }

  // ---- Globals, tables, element segments ------------------------------------------------------

  private genGlobals(): void {
    const rng = this.rng;
    for (let n = rng.range(3, 10); n > 0; n--) {
      const index = this.globals.length;
      const type = this.genSlotType(false);
      const mutable = rng.chance(0.15);
      const ctx = this.context(index, false);
      const ex = this.genValue(type, ctx);
      this.noteGlobalFeatures(type, mutable);
      const name = `$g${index}`;
      const typeText = mutable ? `(mut ${this.valTypeText(type)})` : this.valTypeText(type);
      const wat = `(global ${name} ${typeText} ${ex.wat})`;
      this.globals.push({ name, type, mutable, val: ex.val, size: ex.size, imported: false, wat });
      if (rng.chance(0.85)) this.exportFields.push({ name: `g${index}`, kind: 'global', ref: name, index });
    }
  }

  private noteGlobalFeatures(type: ValType, mutable: boolean): void {
    if (typeof type === 'string') {
      this.features.add('global-numeric');
      return;
    }
    const family = this.family(type.heap);
    if (family === 'func') this.features.add('global-funcref');
    else if (family === 'extern') this.features.add('global-extern');
    else {
      if (typeof type.heap !== 'number') this.features.add('global-abstract-gc');
      if (!type.nullable) this.features.add('global-non-null-gc');
      if (mutable) this.features.add('global-mutable-gc');
    }
  }

  /** A global's or table's type; `table` leaves out numeric types. */
  private genSlotType(table: boolean): ValType {
    const rng = this.rng;
    const roll = rng.int(100);
    if (!table && roll < 12) return rng.pick(['i32', 'i64', 'f32', 'f64'] as const);
    const gcTypes = [...this.typesOfKind('struct'), ...this.typesOfKind('array')];
    if (roll < 55 && gcTypes.length > 0) return { nullable: rng.chance(0.5), heap: typeIndex(rng.pick(gcTypes)) };
    if (roll < 80) {
      const heap = rng.pick<HeapType>(['any', 'eq', 'i31', 'struct', 'array', 'any', 'eq']);
      const inhabited = heap !== 'struct' && heap !== 'array' ? true : this.typesOfKind(heap).length > 0;
      return { nullable: !inhabited || rng.chance(0.6), heap };
    }
    if (roll < 90) return { nullable: rng.chance(0.6), heap: 'extern' };
    const funcTypes = this.typesOfKind('func');
    return { nullable: rng.chance(0.5), heap: rng.chance(0.5) ? 'func' : typeIndex(rng.pick(funcTypes)) };
  }

  private genTables(): void {
    const rng = this.rng;
    for (let n = rng.range(0, 3); n > 0; n--) {
      const index = this.tables.length;
      const type = this.genSlotType(true) as RefType;
      const size = rng.range(0, 5);
      const name = `$T${index}`;
      const hasInit = !type.nullable || rng.chance(0.5);
      let init = '';
      let value: MVal = { k: 'null' };
      if (hasInit) {
        const ctx = this.context(this.globals.length, true);
        const ex = this.genValue(type, ctx);
        init = ` ${ex.wat}`;
        value = ex.val;
        if (this.family(type.heap) !== 'func' && ex.val.k !== 'null') this.features.add('table-init-gc');
      }
      this.noteTableFeatures(type);
      this.tables.push({
        name,
        type,
        size,
        elements: Array.from({ length: size }, () => value),
        imported: false,
        wat: `(table ${name} ${size} ${this.valTypeText(type)}${init})`,
        written: new Set(hasInit ? Array.from({ length: size }, (_, i) => i) : []),
      });
      if (rng.chance(0.9)) this.exportFields.push({ name: `T${index}`, kind: 'table', ref: name, index });
    }
  }

  private noteTableFeatures(type: RefType): void {
    if (!type.nullable) this.features.add('table-non-null');
    const heap = type.heap;
    if (typeof heap === 'number') this.features.add(this.kindOf(heap) === 'func' ? 'table-funcref' : 'table-typed-gc');
    else if (heap === 'any') this.features.add('table-anyref');
    else if (heap === 'eq') this.features.add('table-eqref');
    else if (heap === 'extern') this.features.add('table-externref');
    else if (heap === 'func') this.features.add('table-funcref');
  }

  private genElems(): void {
    const rng = this.rng;
    for (let n = rng.range(0, 4); n > 0; n--) {
      const roll = rng.int(100);
      const targets = this.tables.flatMap((t, i) => (t.size > 0 ? [i] : []));
      if (roll < 55 && targets.length > 0) this.genActiveElem(rng.pick(targets));
      else this.genOtherElem(roll < 80 ? 'passive' : 'declarative');
    }
  }

  private genActiveElem(tableIndex: number): void {
    const rng = this.rng;
    const table = this.tables[tableIndex];
    const count = rng.range(0, table.size);
    const offset = rng.range(0, table.size - count);
    const offsetWat = this.offsetExpr(offset);
    let body: string;
    let items: MVal[];
    if (table.type.heap === 'func' && rng.chance(0.4)) {
      const funcs = Array.from({ length: count }, () => rng.int(this.funcs.length));
      body = `func ${funcs.map((f) => `$f${f}`).join(' ')}`;
      items = funcs.map((index) => ({ k: 'func', index }));
      this.features.add('elem-func-indices');
    } else {
      const type = this.subRefType(table.type);
      ({ body, items } = this.elemItems(type, count));
      if (this.family(type.heap) !== 'func') this.features.add('elem-active-gc');
    }
    for (let i = 0; i < count; i++) {
      if (table.written.has(offset + i)) this.features.add('elem-overwrite');
      table.written.add(offset + i);
      table.elements[offset + i] = items[i];
    }
    if (table.imported && count > 0) this.features.add('elem-into-imported-table');
    this.elems.push({ mode: 'active', items, wat: `(elem (table ${table.name}) ${offsetWat} ${body})` });
    this.pendingItems = [];
  }

  private genOtherElem(mode: 'passive' | 'declarative'): void {
    const rng = this.rng;
    const count = rng.range(1, 4);
    let body: string;
    let items: MVal[];
    if (rng.chance(0.25)) {
      const funcs = Array.from({ length: count }, () => rng.int(this.funcs.length));
      body = `func ${funcs.map((f) => `$f${f}`).join(' ')}`;
      items = funcs.map((index) => ({ k: 'func', index }));
      this.features.add('elem-func-indices');
    } else {
      const type = this.genSlotType(true) as RefType;
      ({ body, items } = this.elemItems(type, count));
      if (this.family(type.heap) !== 'func') this.features.add(mode === 'passive' ? 'elem-passive-gc' : 'elem-declarative-gc');
    }
    this.elems.push({ mode, items, wat: `(elem ${mode === 'declarative' ? 'declare ' : ''}${body})` });
    this.pendingItems = [];
  }

  private elemItems(type: RefType, count: number): { body: string; items: MVal[] } {
    const parts: string[] = [];
    const items: MVal[] = [];
    for (let i = 0; i < count; i++) {
      const ctx = this.context(this.globals.length, false);
      const ex = this.genValue(type, ctx);
      parts.push(`(item ${ex.wat})`);
      items.push(ex.val);
      this.pendingItems.push(ex.val);
    }
    return { body: [this.valTypeText(type), ...parts].join(' '), items };
  }

  /** A segment offset evaluating to `offset`: a constant, extended-const, or an imported i32. */
  private offsetExpr(offset: number): string {
    const rng = this.rng;
    const globals = this.globals.filter((g) => g.type === 'i32' && !g.mutable && g.val.k === 'i32' && g.val.v === offset);
    if (globals.length > 0 && rng.chance(0.4)) return `(global.get ${rng.pick(globals).name})`;
    if (rng.chance(0.25)) {
      this.features.add('extended-const');
      const a = rng.range(-3, 3);
      return `(i32.add (i32.const ${a}) (i32.const ${offset - a}))`;
    }
    return `(i32.const ${offset})`;
  }

  /** `type` or, sometimes, a subtype of it (for a segment into a table of `type`). */
  private subRefType(type: RefType): RefType {
    const rng = this.rng;
    if (!rng.chance(0.35)) return type;
    const abstract: HeapType[] = ['any', 'eq', 'i31', 'struct', 'array', 'extern', 'func'];
    const candidates = [...abstract, ...this.types.map((_, i) => typeIndex(i))].filter(
      (h) => this.heapSub(h, type.heap) && (type.nullable || typeof h !== 'string' || this.nonNullAllowed(h, this.types.length)),
    );
    return { nullable: type.nullable, heap: rng.pick(candidates) };
  }

  private genFuncExports(): void {
    this.funcs.forEach((_, f) => {
      if (this.rng.chance(0.3)) this.exportFields.push({ name: `f${f}`, kind: 'func', ref: `$f${f}`, index: f });
    });
  }

  // ---- Expressions ---------------------------------------------------------------------------

  private context(globals: number, importedOnly: boolean): ExprContext {
    return { globals, importedOnly, depth: 0, budget: { left: EXPR_BUDGET }, allocs: [] };
  }

  private deeper(ctx: ExprContext): ExprContext {
    return { ...ctx, depth: ctx.depth + 1 };
  }

  private visibleGlobals(ctx: ExprContext): GlobalDef[] {
    return this.globals.slice(0, ctx.globals).filter((g) => !g.mutable && (g.imported || !ctx.importedOnly));
  }

  private genValue(type: StorageType, ctx: ExprContext): Ex {
    if (typeof type === 'string') return this.genNum(type, ctx);
    return this.genRef(type, ctx);
  }

  private genNum(type: 'i32' | 'i64' | 'f32' | 'f64' | 'i8' | 'i16' | 'v128', ctx: ExprContext): Ex {
    const rng = this.rng;
    const base = type === 'i8' || type === 'i16' ? 'i32' : type;
    ctx.budget.left--;
    const globals = this.visibleGlobals(ctx).filter((g) => g.type === base);
    if (globals.length > 0 && rng.chance(0.2)) {
      const g = rng.pick(globals);
      return { wat: `(global.get ${g.name})`, val: g.val, size: 1 };
    }
    switch (base) {
      case 'i32': {
        if (ctx.depth < 3 && rng.chance(0.15)) {
          const op = rng.pick(['add', 'sub', 'mul'] as const);
          const a = this.genNum('i32', this.deeper(ctx));
          const b = this.genNum('i32', this.deeper(ctx));
          const [x, y] = [(a.val as { v: number }).v, (b.val as { v: number }).v];
          const v = op === 'add' ? (x + y) | 0 : op === 'sub' ? (x - y) | 0 : Math.imul(x, y);
          this.features.add('extended-const');
          return { wat: `(i32.${op} ${a.wat} ${b.wat})`, val: { k: 'i32', v }, size: 1 };
        }
        const v = rng.chance(0.6) ? rng.pick(I32_EDGES) : rng.u32() | 0;
        return { wat: `(i32.const ${v})`, val: { k: 'i32', v }, size: 1 };
      }
      case 'i64': {
        if (ctx.depth < 3 && rng.chance(0.15)) {
          const op = rng.pick(['add', 'sub', 'mul'] as const);
          const a = this.genNum('i64', this.deeper(ctx));
          const b = this.genNum('i64', this.deeper(ctx));
          const [x, y] = [(a.val as { v: bigint }).v, (b.val as { v: bigint }).v];
          const v = BigInt.asIntN(64, op === 'add' ? x + y : op === 'sub' ? x - y : x * y);
          this.features.add('extended-const');
          return { wat: `(i64.${op} ${a.wat} ${b.wat})`, val: { k: 'i64', v }, size: 1 };
        }
        const v = rng.chance(0.6) ? rng.pick(I64_EDGES) : BigInt.asIntN(64, rng.u64());
        return { wat: `(i64.const ${v})`, val: { k: 'i64', v }, size: 1 };
      }
      case 'f32': {
        const bits = rng.chance(0.6) ? rng.pick(F32_EDGES) : rng.u32();
        return { wat: `(f32.const ${f32Text(bits)})`, val: { k: 'f32', bits }, size: 1 };
      }
      case 'f64': {
        const bits = rng.chance(0.6) ? rng.pick(F64_EDGES) : rng.u64();
        return { wat: `(f64.const ${f64Text(bits)})`, val: { k: 'f64', bits }, size: 1 };
      }
      default:
        throw new TypeError(`no ${base} values are generated`);
    }
  }

  private genRef(want: RefType, ctx: ExprContext): Ex {
    const rng = this.rng;
    const exhausted = ctx.depth >= MAX_DEPTH || ctx.budget.left <= 0;
    const globals = this.visibleGlobals(ctx).filter(
      (g) => typeof g.type !== 'string' && this.refSub(g.type, want) && g.size <= Math.max(ctx.budget.left, 1),
    );
    if (globals.length > 0 && rng.chance(exhausted ? 0.6 : 0.25)) return this.globalGet(rng.pick(globals), ctx);
    if (want.nullable && rng.chance(exhausted ? 0.7 : 0.12)) return this.nullOf(want.heap);
    if (exhausted) return this.minimal(want, ctx);
    const heap = want.heap;
    if (typeof heap === 'number') {
      const kind = this.kindOf(heap);
      if (kind === 'func') return this.refFunc(heap);
      const subs = this.typesOfKind(kind).filter((u) => this.concreteSub(u, heap));
      const u = rng.pick(subs);
      if (this.canon[u] !== this.canon[heap]) this.features.add('subtype-value');
      return kind === 'struct' ? this.genStruct(u, ctx) : this.genArray(u, ctx);
    }
    switch (heap) {
      case 'struct':
      case 'array': {
        const candidates = this.typesOfKind(heap);
        if (candidates.length === 0) return this.nullOf(heap);
        const u = rng.pick(candidates);
        return heap === 'struct' ? this.genStruct(u, ctx) : this.genArray(u, ctx);
      }
      case 'i31':
        return this.genI31(ctx);
      case 'eq':
      case 'any': {
        const options: (() => Ex)[] = [() => this.genI31(ctx)];
        for (const kind of ['struct', 'array'] as const) {
          const candidates = this.typesOfKind(kind);
          if (candidates.length > 0) {
            const make = (): Ex =>
              kind === 'struct' ? this.genStruct(rng.pick(candidates), ctx) : this.genArray(rng.pick(candidates), ctx);
            options.push(make, make);
          }
        }
        if (heap === 'any') {
          const convert = (): Ex => this.anyConvertExtern(want.nullable, ctx);
          options.push(convert, convert);
        }
        return rng.pick(options)();
      }
      case 'extern':
        return this.externConvertAny(want.nullable, ctx);
      case 'func':
        return this.refFunc(undefined);
      default:
        return this.nullOf(heap);
    }
  }

  private globalGet(g: GlobalDef, ctx: ExprContext): Ex {
    ctx.budget.left -= g.size;
    if (g.val.k === 'obj') this.features.add('shared-object');
    if (g.val.k !== 'null' && typeof g.type !== 'string' && this.family(g.type.heap) === 'any') this.features.add('global-get-gc');
    return { wat: `(global.get ${g.name})`, val: g.val, size: g.size };
  }

  private nullOf(heap: HeapType): Ex {
    const bottom = this.family(heap) === 'func' ? 'nofunc' : this.family(heap) === 'extern' ? 'noextern' : 'none';
    const shown = this.rng.chance(0.5) ? bottom : this.heapText(heap);
    return { wat: `(ref.null ${shown})`, val: { k: 'null' }, size: 1 };
  }

  private refFunc(type: number | undefined): Ex {
    const candidates = this.funcs.flatMap((t, f) => (type === undefined || this.concreteSub(t, type) ? [f] : []));
    const f = this.rng.pick(candidates);
    return { wat: `(ref.func $f${f})`, val: { k: 'func', index: f }, size: 1 };
  }

  private genI31(ctx: ExprContext): Ex {
    const n = this.genNum('i32', this.deeper(ctx));
    this.features.add('ref-i31');
    const v = ((n.val as { v: number }).v << 1) >> 1;
    return { wat: `(ref.i31 ${n.wat})`, val: { k: 'i31', v }, size: 1 };
  }

  private anyConvertExtern(nullable: boolean, ctx: ExprContext): Ex {
    const rng = this.rng;
    const hosts = this.visibleGlobals(ctx).filter((g) => g.imported && typeof g.type !== 'string' && g.type.heap === 'extern');
    const inner =
      nullable && hosts.length > 0 && rng.chance(0.5)
        ? this.globalGet(rng.pick(hosts), ctx)
        : this.genRef({ nullable, heap: 'extern' }, this.deeper(ctx));
    this.features.add('any-convert-extern');
    const v = inner.val;
    if (v.k === 'host') this.features.add('host-internalized');
    if (v.k === 'ext') this.features.add('convert-round-trip');
    const val: MVal = v.k === 'ext' ? v.inner : v;
    return { wat: `(any.convert_extern ${inner.wat})`, val, size: v.k === 'ext' ? inner.size - 1 : inner.size };
  }

  private externConvertAny(nullable: boolean, ctx: ExprContext): Ex {
    const inner = this.genRef({ nullable, heap: 'any' }, this.deeper(ctx));
    this.features.add('extern-convert-any');
    const v = inner.val;
    if (v.k === 'i31') this.features.add('i31-externalized');
    if (v.k === 'host') this.features.add('convert-round-trip');
    const val: MVal = v.k === 'null' || v.k === 'host' ? v : { k: 'ext', inner: v };
    return { wat: `(extern.convert_any ${inner.wat})`, val, size: val.k === 'ext' ? inner.size + 1 : inner.size };
  }

  private genStruct(type: number, ctx: ExprContext): Ex {
    const fields = (this.types[type].composite as { fields: readonly FieldType[] }).fields;
    ctx.budget.left--;
    this.features.add('struct-new');
    this.noteFieldFeatures(fields);
    if (fields.every(defaultable) && this.rng.chance(0.25)) {
      this.features.add('struct-new-default');
      const values = fields.map((f) => defaultOf(f.storage));
      return { wat: `(struct.new_default $t${type})`, val: this.alloc(ctx, type, values), size: 1 + fields.length };
    }
    const parts = fields.map((f) => this.genValue(f.storage, this.deeper(ctx)));
    fields.forEach((f, i) => {
      if (typeof f.storage === 'string') return;
      if (parts[i].val.k === 'null') this.features.add('null-field');
      if (parts[i].val.k === 'obj' && this.kindOf((this.objects[(parts[i].val as { id: number }).id]).type) === 'struct') {
        this.features.add(f.storage.nullable ? 'nested-struct-nullable' : 'nested-struct-non-null');
      }
    });
    const values = parts.map((p, i) => packValue(fields[i].storage, p.val));
    return {
      wat: `(struct.new $t${type}${parts.map((p) => ` ${p.wat}`).join('')})`,
      val: this.alloc(ctx, type, values),
      size: 1 + parts.reduce((s, p) => s + p.size, 0),
    };
  }

  private noteFieldFeatures(fields: readonly FieldType[]): void {
    for (const { storage } of fields) {
      if (storage === 'i8' || storage === 'i16') this.features.add('packed-field');
      else if (storage === 'f32' || storage === 'f64') this.features.add('float-field');
      else if (storage === 'i64') this.features.add('i64-field');
      else if (typeof storage !== 'string' && this.family(storage.heap) === 'func') this.features.add('funcref-field');
    }
  }

  private genArray(type: number, ctx: ExprContext): Ex {
    const rng = this.rng;
    const element = (this.types[type].composite as { element: FieldType }).element;
    const storage = element.storage;
    ctx.budget.left--;
    if (typeof storage === 'string') this.features.add(`array-${storage}` as GcFeature);
    else this.features.add('array-ref');
    const roll = rng.int(100);
    const numeric = typeof storage === 'string';
    let result: Ex;
    if (roll < 40) {
      const parts = Array.from({ length: rng.range(0, 5) }, () => this.genValue(storage, this.deeper(ctx)));
      this.features.add('array-new-fixed');
      result = {
        wat: `(array.new_fixed $t${type} ${parts.length}${parts.map((p) => ` ${p.wat}`).join('')})`,
        val: this.alloc(ctx, type, parts.map((p) => packValue(storage, p.val))),
        size: 1 + parts.reduce((s, p) => s + p.size, 0),
      };
    } else if (roll < 75 || !defaultable(element)) {
      const value = this.genValue(storage, this.deeper(ctx));
      const length = this.genLength(ctx, numeric ? 24 : 5);
      this.features.add('array-new');
      result = {
        wat: `(array.new $t${type} ${value.wat} ${length.wat})`,
        val: this.alloc(ctx, type, Array.from({ length: length.value }, () => packValue(storage, value.val))),
        size: 1 + length.value * value.size,
      };
    } else {
      const length = this.genLength(ctx, numeric ? 24 : 6);
      this.features.add('array-new-default');
      result = {
        wat: `(array.new_default $t${type} ${length.wat})`,
        val: this.alloc(ctx, type, Array.from({ length: length.value }, () => defaultOf(storage))),
        size: 1 + length.value,
      };
    }
    if (result.size === 1) this.features.add('array-empty');
    ctx.budget.left -= result.size;
    return result;
  }

  private genLength(ctx: ExprContext, max: number): { wat: string; value: number } {
    const rng = this.rng;
    const globals = this.visibleGlobals(ctx).filter((g) => g.type === 'i32' && g.val.k === 'i32' && g.val.v >= 0 && g.val.v <= max);
    if (globals.length > 0 && rng.chance(0.3)) {
      const g = rng.pick(globals);
      this.features.add('array-len-global');
      return { wat: `(global.get ${g.name})`, value: (g.val as { v: number }).v };
    }
    const value = rng.chance(0.8) ? rng.range(0, Math.min(max, 6)) : rng.range(0, max);
    if (rng.chance(0.15)) {
      this.features.add('extended-const');
      const a = rng.range(0, value + 3);
      return { wat: `(i32.sub (i32.const ${a}) (i32.const ${a - value}))`, value };
    }
    return { wat: `(i32.const ${value})`, value };
  }

  /** The smallest value of a type: every recursion goes to a lower type index, so it ends. */
  private minimal(want: RefType, ctx: ExprContext): Ex {
    if (want.nullable) return this.nullOf(want.heap);
    const heap = want.heap;
    if (typeof heap === 'number') {
      const kind = this.kindOf(heap);
      if (kind === 'func') return this.refFunc(heap);
      if (kind === 'array') return this.emptyArray(heap, ctx);
      const fields = (this.types[heap].composite as { fields: readonly FieldType[] }).fields;
      const parts = fields.map((f) =>
        typeof f.storage === 'string' ? this.zero(f.storage) : this.minimal(f.storage, ctx),
      );
      return {
        wat: `(struct.new $t${heap}${parts.map((p) => ` ${p.wat}`).join('')})`,
        val: this.alloc(ctx, heap, parts.map((p, i) => packValue(fields[i].storage, p.val))),
        size: 1 + parts.reduce((s, p) => s + p.size, 0),
      };
    }
    switch (heap) {
      case 'struct':
        return this.minimal({ nullable: false, heap: typeIndex(this.typesOfKind('struct')[0]) }, ctx);
      case 'array':
        return this.emptyArray(this.typesOfKind('array')[0], ctx);
      case 'any':
      case 'eq':
      case 'i31': {
        const v = this.rng.range(-3, 3);
        this.features.add('ref-i31');
        return { wat: `(ref.i31 (i32.const ${v}))`, val: { k: 'i31', v }, size: 1 };
      }
      case 'extern':
        this.features.add('extern-convert-any');
        this.features.add('i31-externalized');
        return { wat: '(extern.convert_any (ref.i31 (i32.const 1)))', val: { k: 'ext', inner: { k: 'i31', v: 1 } }, size: 2 };
      case 'func':
        return this.refFunc(undefined);
      default:
        throw new TypeError(`no non-null value of ${String(heap)}`);
    }
  }

  private emptyArray(type: number, ctx: ExprContext): Ex {
    this.features.add('array-new-fixed');
    this.features.add('array-empty');
    return { wat: `(array.new_fixed $t${type} 0)`, val: this.alloc(ctx, type, []), size: 1 };
  }

  private zero(type: StorageType & string): Ex {
    switch (type) {
      case 'i64':
        return { wat: '(i64.const 0)', val: { k: 'i64', v: 0n }, size: 1 };
      case 'f32':
        return { wat: '(f32.const 0)', val: { k: 'f32', bits: 0 }, size: 1 };
      case 'f64':
        return { wat: '(f64.const 0)', val: { k: 'f64', bits: 0n }, size: 1 };
      default:
        return { wat: '(i32.const 0)', val: { k: 'i32', v: 0 }, size: 1 };
    }
  }

  // ---- Heap model ----------------------------------------------------------------------------

  private alloc(ctx: ExprContext, type: number, values: MVal[]): MVal {
    const composite = this.types[type].composite;
    const payloadBytes =
      composite.kind === 'struct'
        ? composite.fields.reduce((s, f) => s + fieldBytes(f.storage), 0)
        : composite.kind === 'array'
          ? values.length * fieldBytes(composite.element.storage)
          : 0;
    // Roots do not change while an expression is evaluated: what they reach is found once.
    ctx.live ??= { reached: this.reachable(this.roots()), imports: this.count(this.reachable(this.importRoots())) };
    const live = this.count(ctx.live.reached);
    let extra = 0;
    for (const earlier of ctx.allocs) extra += this.objects[earlier].payloadBytes;
    this.allocations.push({
      live: { objects: live.objects + ctx.allocs.length, payloadBytes: live.payloadBytes + extra, hostObjects: live.hostObjects },
      imports: ctx.live.imports,
      payloadBytes,
    });
    const id = this.objects.length;
    this.objects.push({ type, values, payloadBytes });
    ctx.allocs.push(id);
    return { k: 'obj', id };
  }

  /** What instantiation holds now: globals and tables made so far, segments not dropped. */
  private roots(): MVal[] {
    return [
      ...this.globals.map((g) => g.val),
      ...this.tables.flatMap((t) => t.elements),
      ...this.elems.flatMap((e) => (e.mode === 'passive' ? e.items : [])),
      ...this.pendingItems,
    ];
  }

  private importRoots(): MVal[] {
    return [
      ...this.globals.filter((g) => g.imported).map((g) => g.val),
      ...this.tables.filter((t) => t.imported).flatMap((t) => t.elements),
    ];
  }

  private reachable(roots: readonly MVal[]): Reached {
    const objects = new Set<number>();
    const hosts = new Set<number>();
    const work = [...roots];
    while (work.length > 0) {
      const v = work.pop()!;
      if (v.k === 'host') hosts.add(v.id);
      else if (v.k === 'ext') work.push(v.inner);
      else if (v.k === 'obj' && !objects.has(v.id)) {
        objects.add(v.id);
        work.push(...this.objects[v.id].values);
      }
    }
    return { objects, hosts };
  }

  private count({ objects, hosts }: Reached): HeapCount {
    let payloadBytes = 0;
    for (const id of objects) payloadBytes += this.objects[id].payloadBytes;
    return { objects: objects.size, payloadBytes, hostObjects: hosts.size };
  }

  private heapModel(): HeapModel {
    return { hostObjects: this.hostCount, allocations: this.allocations, final: this.count(this.reachable(this.roots())) };
  }

  // ---- Output --------------------------------------------------------------------------------

  private heapText(heap: HeapType): string {
    return typeof heap === 'number' ? `$t${heap}` : heap;
  }

  private valTypeText(type: StorageType): string {
    if (typeof type === 'string') return type;
    return `(ref ${type.nullable ? 'null ' : ''}${this.heapText(type.heap)})`;
  }

  private fieldText(f: FieldType): string {
    return f.mutable ? `(field (mut ${this.valTypeText(f.storage)}))` : `(field ${this.valTypeText(f.storage)})`;
  }

  private typeText(index: number): string {
    const t = this.types[index];
    const c = t.composite;
    const body =
      c.kind === 'struct'
        ? `(struct${c.fields.map((f) => ` ${this.fieldText(f)}`).join('')})`
        : c.kind === 'array'
          ? `(array ${this.fieldText(c.element).slice('(field '.length, -1)})`
          : `(func${c.params.length > 0 ? ` (param ${c.params.map((p) => this.valTypeText(p)).join(' ')})` : ''}${
              c.results.length > 0 ? ` (result ${c.results.map((p) => this.valTypeText(p)).join(' ')})` : ''
            })`;
    if (t.final && t.supertype === undefined) return `(type $t${index} ${body})`;
    const sup = t.supertype === undefined ? '' : ` $t${t.supertype}`;
    return `(type $t${index} (sub${t.final ? ' final' : ''}${sup} ${body}))`;
  }

  private wat(): string {
    const lines = ['(module'];
    for (const g of this.groups) {
      const types = Array.from({ length: g.size }, (_, i) => this.typeText(g.start + i));
      lines.push(`  (rec ${types.join(' ')})`);
    }
    for (const g of this.globals) if (g.imported) lines.push(`  ${g.wat}`);
    for (const t of this.tables) if (t.imported) lines.push(`  ${t.wat}`);
    this.funcs.forEach((type, f) => lines.push(`  (func $f${f} (type $t${type}) unreachable)`));
    for (const g of this.globals) if (!g.imported) lines.push(`  ${g.wat}`);
    for (const t of this.tables) if (!t.imported) lines.push(`  ${t.wat}`);
    for (const e of this.elems) lines.push(`  ${e.wat}`);
    for (const e of this.exportFields) lines.push(`  (export "${e.name}" (${e.kind} ${e.ref}))`);
    lines.push(')');
    return lines.join('\n');
  }

  private expected(): { state: InstanceState; identity: number[] } {
    // The observable copy exports every global and table again (imports come first in
    // both lists, so a position is the index).
    const exported = [
      ...this.exportFields,
      ...this.globals.map((_, index) => ({ name: observeExport('global', index), kind: 'global' as const, index })),
      ...this.tables.map((_, index) => ({ name: observeExport('table', index), kind: 'table' as const, index })),
    ];
    const exports: Record<string, ExportState> = {};
    for (const e of exported) {
      if (e.kind === 'func') exports[e.name] = { kind: 'func', index: e.index };
      else if (e.kind === 'global') {
        const g = this.globals[e.index];
        const value = this.describe(g.val, new Set());
        exports[e.name] = { kind: 'global', type: storageTypeName(g.type), mutable: g.mutable, value };
      } else {
        const t = this.tables[e.index];
        const elements = t.elements.map((v) => this.describe(v, new Set()));
        exports[e.name] = { kind: 'table', type: storageTypeName(t.type), size: t.size, elements };
      }
    }
    const identity: number[] = [];
    const first = new Map<number, number>();
    const meet = (v: MVal): void => {
      if (v.k === 'ext') meet(v.inner);
      if (v.k !== 'obj') return;
      const seen = first.get(v.id);
      if (seen === undefined) first.set(v.id, identity.length);
      identity.push(seen ?? identity.length);
      for (const child of this.objects[v.id].values) meet(child);
    };
    for (const e of exported.sort((a, b) => compareExportNames(a.name, b.name))) {
      if (e.kind === 'global') meet(this.globals[e.index].val);
      else if (e.kind === 'table') for (const v of this.tables[e.index].elements) meet(v);
    }
    return { state: { exports }, identity };
  }

  private describe(v: MVal, path: Set<number>): StateValue {
    switch (v.k) {
      case 'i32':
        return v.v;
      case 'i64':
        return v.v.toString();
      case 'f32':
        return `0x${v.bits.toString(16).padStart(8, '0')}`;
      case 'f64':
        return `0x${v.bits.toString(16).padStart(16, '0')}`;
      case 'null':
        return null;
      case 'i31':
        return { i31: v.v };
      case 'func':
        return { func: v.index };
      case 'host':
        return { extern: v.value };
      case 'ext':
        return { extern: this.describe(v.inner, path) };
      case 'obj': {
        if (path.has(v.id)) return { cycle: true };
        path.add(v.id);
        const obj = this.objects[v.id];
        const type = this.lowestEquivalent(obj.type);
        const values = obj.values.map((x) => this.describe(x, path));
        path.delete(v.id);
        return this.kindOf(obj.type) === 'struct' ? { struct: type, fields: values } : { array: type, elements: values };
      }
    }
  }
}

function defaultable(f: FieldType): boolean {
  return typeof f.storage === 'string' || f.storage.nullable;
}

function defaultOf(storage: StorageType): MVal {
  switch (storage) {
    case 'i64':
      return { k: 'i64', v: 0n };
    case 'f32':
      return { k: 'f32', bits: 0 };
    case 'f64':
      return { k: 'f64', bits: 0n };
    case 'i32':
    case 'i8':
    case 'i16':
      return { k: 'i32', v: 0 };
    default:
      return { k: 'null' };
  }
}

/** A value as a field stores it: packed fields keep their low bits, unsigned. */
function packValue(storage: StorageType, v: MVal): MVal {
  if (storage === 'i8') return { k: 'i32', v: (v as { v: number }).v & 0xff };
  if (storage === 'i16') return { k: 'i32', v: (v as { v: number }).v & 0xffff };
  return v;
}

function fieldBytes(storage: StorageType): number {
  switch (storage) {
    case 'i8':
      return 1;
    case 'i16':
      return 2;
    case 'i64':
    case 'f64':
      return 8;
    case 'v128':
      return 16;
    default:
      return 4;
  }
}

/** The text of an f32 with exactly these bits: hex float, inf, or nan with its payload. */
function f32Text(bits: number): string {
  const sign = bits >>> 31 ? '-' : '';
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? `${sign}inf` : `${sign}nan:0x${mant.toString(16)}`;
  const digits = (mant << 1).toString(16).padStart(6, '0');
  return exp === 0 ? `${sign}0x0.${digits}p-126` : `${sign}0x1.${digits}p${exp - 127}`;
}

function f64Text(bits: bigint): string {
  const sign = bits >> 63n ? '-' : '';
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = bits & 0xfffffffffffffn;
  if (exp === 0x7ff) return mant === 0n ? `${sign}inf` : `${sign}nan:0x${mant.toString(16)}`;
  const digits = mant.toString(16).padStart(13, '0');
  return exp === 0 ? `${sign}0x0.${digits}p-1022` : `${sign}0x1.${digits}p${exp - 1023}`;
}
