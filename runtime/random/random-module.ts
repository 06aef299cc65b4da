// Seeded random generator of valid modules for differential testing against V8.
//
// A case is a module that exercises instantiation (imports of every kind, with subtypes,
// larger limits than declared, and repeated so two indices share one extern; globals
// with extended-const initializers; tables
// with and without initializers; every element and data segment encoding; several
// memories; recursion groups and declared subtypes), the values the host gives its
// imports, and the outcome the generator expects, which it tracks as it builds the
// module (so the harness itself is checked against V8). Some cases are meant to fail:
// an active segment out of bounds (a trap after earlier segments were written), or an
// import that does not match its declaration (a link error). Modules are valid by
// construction: every expression is built for the type it must have.
import { createHash } from 'node:crypto';
import { SeededRandom } from './seeded-random.ts';
import type { ExportState, InstanceState } from '../embedder/instance-state.ts';
import { typeIndex, type ConstOp, type GlobalType, type HeapType, type MemoryType, type RefType, type TableType, type ValType } from '../module/module.ts';
import {
  encodeModule,
  probeCode,
  type ExportDef,
  type ExportKind,
  type ImportDesc,
  type ModuleDef,
  type RecGroupDef,
  type SegmentMode,
  type TypeDef,
} from './random-module-binary.ts';
import type { StateValue } from '../embedder/state-value.ts';
import { storageTypeName } from '../module/type-names.ts';
import { bitsProbe, funcProbe, laneProbes, type DeclaredTypes } from '../v8/v8-instance-state.ts';

export type { RecGroupDef, TypeDef } from './random-module-binary.ts';

export const FEATURES = [
  'global-i32', 'global-i64', 'global-f32', 'global-f64', 'global-v128',
  'global-funcref', 'global-externref', 'global-typed-ref', 'global-non-null-ref', 'global-mutable',
  'nan-payload', 'negative-zero', 'infinity', 'subnormal',
  'extended-const', 'wraparound', 'global-get-imported', 'global-get-defined', 'ref-null-bottom',
  'rec-group', 'subtype', 'equivalent-types', 'type-concrete-param',
  'table-funcref', 'table-externref', 'table-typed', 'table-init-expr', 'table64',
  'elem-active-implicit', 'elem-active-explicit', 'elem-passive', 'elem-declarative',
  'elem-func-indices', 'elem-exprs', 'elem-offset-global',
  'data-active-implicit', 'data-active-explicit', 'data-passive', 'data-offset-global',
  'multi-memory', 'memory64', 'datacount', 'offset-huge',
  'import-func', 'import-global', 'import-table', 'import-table-typed', 'import-memory',
  'import-larger-than-declared', 'import-subtype', 'import-repeated', 'import-repeated-written',
  'export-import', 'export-alias', 'elem-subtype-items',
  'trap-elem', 'trap-data', 'trap-partial-state',
  'link-error-func', 'link-error-global', 'link-error-table', 'link-error-memory',
] as const;
export type Feature = (typeof FEATURES)[number];

interface ImportName {
  readonly module: string;
  readonly name: string;
}

/**
 * What the host provides for an import: `declared` is what the module's import says,
 * `actual` what the host creates (larger limits, a subtype, or for a link-error case
 * something that does not match). Function values are `{func: i}` in the module's
 * function index space (imported functions only).
 */
export type ImportSpec = ImportName &
  (
    | { readonly kind: 'func'; readonly declared: number; readonly actual: number }
    | { readonly kind: 'global'; readonly declared: GlobalType; readonly actual: GlobalType; readonly value: StateValue }
    | { readonly kind: 'table'; readonly declared: TableType; readonly actual: TableType; readonly elements: readonly StateValue[] }
    | {
        readonly kind: 'memory';
        readonly declared: MemoryType;
        readonly actual: MemoryType;
        /** Bytes the host writes before instantiating. */
        readonly writes: readonly { readonly offset: number; readonly bytes: Uint8Array }[];
      }
  );

export type Expected =
  | { readonly outcome: 'instance'; readonly state: InstanceState }
  /** After a trap: the imported tables and memories, keyed by import name, as `observer` exports them. */
  | { readonly outcome: 'trap'; readonly visible: InstanceState }
  | { readonly outcome: 'link-error' };

/** A module and the host's values for its imports: everything needed to instantiate it. */
export interface ModuleCase {
  readonly seed: number;
  /** The module under test, with probe exports (v8-instance-state.ts). */
  readonly bytes: Uint8Array;
  readonly declared: DeclaredTypes;
  /** The module's types before the probes' (index = type index). */
  readonly types: readonly TypeDef[];
  readonly groups: readonly RecGroupDef[];
  readonly imports: readonly ImportSpec[];
  /**
   * For V8 only: imports the host functions from module "host" at their actual types
   * and exports them, every imported global that is not an externref and every table of
   * a concrete element type, under the module's import names. The JS API cannot create
   * a global holding a NaN payload, a v128 or a typed reference, nor a typed table, and
   * a JS function enters a table only as a wasm function.
   */
  readonly provider: Uint8Array;
  /**
   * Imports what the module imports, defines nothing and exports the imported tables
   * and memories under their import names (with function probes): how both engines
   * describe what a trapping instantiation left behind.
   */
  readonly observer: Uint8Array;
  readonly observerDeclared: DeclaredTypes;
}

export interface GeneratedCase extends ModuleCase {
  /** Per type index, the first index of an equivalent type: the generator's type equivalence. */
  readonly typeClasses: readonly number[];
  readonly expected: Expected;
  readonly features: ReadonlySet<Feature>;
}

export function generateModule(seed: number): GeneratedCase {
  return new Generator(seed).run();
}

/**
 * The same module with other values for its imports: other numbers, host values and
 * memory bytes, and some references nulled. The imports' types stay as they were, so
 * the outcome may differ (an offset read from a global may now be out of bounds) but
 * the module links as before. Two instantiations of one compiled module with these
 * show whether a strategy's per-module work kept anything that depends on imports.
 */
export function revalueImports(c: ModuleCase, seed: number): ModuleCase {
  const rng = new SeededRandom(seed);
  const revalue = (type: ValType, value: StateValue): StateValue => {
    if (typeof type === 'string') return randomNumeric(rng, type);
    if (type.nullable && rng.chance(0.3)) return null;
    return isExternRef(type) ? randomHostRef(rng) : value;
  };
  const imports = c.imports.map((spec): ImportSpec => {
    switch (spec.kind) {
      case 'func':
        return spec;
      case 'global':
        return { ...spec, value: revalue(spec.actual.type, spec.value) };
      case 'table':
        return { ...spec, elements: spec.elements.map((v) => revalue(spec.actual.element, v)) };
      case 'memory':
        return { ...spec, writes: randomWrites(rng, spec.actual.limits.min * PAGE) };
    }
  });
  // A repeated import is one extern: every spec of a name takes the first one's values.
  const first = imports.map((spec) => imports.find((s) => s.module === spec.module && s.name === spec.name)!);
  const consistent = imports.map((spec, i): ImportSpec => {
    const f = first[i];
    if (spec.kind === 'global' && f.kind === 'global') return { ...spec, value: f.value };
    if (spec.kind === 'table' && f.kind === 'table') return { ...spec, elements: f.elements };
    if (spec.kind === 'memory' && f.kind === 'memory') return { ...spec, writes: f.writes };
    return spec;
  });
  return { ...c, imports: consistent, provider: providerModule(c.types, c.groups, consistent) };
}


// ---- Values chosen for their edges ---------------------------------------------------

const I32_EDGES = [0, 1, -1, 0x7fffffff, -0x80000000, 0x10000, 0x40000000, 3];
const I64_EDGES = [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1n << 32n, 0xffffffffn, 7n];
const F32_EDGES = [
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00001, 0x7f800001, 0xff812345, 1,
  0x807fffff, 0x3f800000, 0x00800000,
];
const F64_EDGES = [
  0n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n,
  0xfff8000000000000n, 0x7ff4000000000001n, 0x7ff0000000000001n, 1n, 0x800fffffffffffffn,
  0x3ff0000000000000n,
];
/** Offsets far out of bounds for a 64-bit address: 2^32, 2^53 + 1, -1 as u64. */
const HUGE_I64_OFFSETS = [1n << 32n, (1n << 53n) + 1n, (1n << 64n) - 1n];

const FUNCREF: RefType = { nullable: true, heap: 'func' };
const EXTERNREF: RefType = { nullable: true, heap: 'extern' };
const NUMERIC = ['i32', 'i64', 'f32', 'f64', 'v128'] as const;
type NumericType = (typeof NUMERIC)[number];
const PAGE = 65536;

// ---- The module being built, with the state it must produce ----------------------------

interface Expr {
  readonly ops: ConstOp[];
  readonly value: StateValue;
}

interface GlobalEntry {
  /** As the module declares it (for an import, its declared type). */
  readonly type: ValType;
  readonly mutable: boolean;
  readonly value: StateValue;
  /** Absent for an import. */
  readonly init?: ConstOp[];
}

interface TableEntry {
  readonly type: TableType;
  readonly init?: ConstOp[];
  /** Current contents; the length is the size (an import's actual size). */
  readonly elements: StateValue[];
  readonly importName?: string;
}

interface MemoryEntry {
  readonly type: MemoryType;
  readonly bytes: Uint8Array;
  readonly importName?: string;
}

interface ElemEntry {
  readonly mode: SegmentMode;
  readonly type: RefType;
  readonly items: { readonly funcs: number[] } | { readonly exprs: Expr[] };
}

interface DataEntry {
  readonly mode: SegmentMode;
  readonly bytes: Uint8Array;
}

type Mode = 'instance' | 'trap-elem' | 'trap-data' | 'link-error';

class Generator {
  private readonly rng: SeededRandom;
  private readonly seed: number;
  private readonly features = new Set<Feature>();
  private readonly mode: Mode;
  private readonly types: TypeDef[] = [];
  private readonly groups: RecGroupDef[] = [];
  /** Per type index: equal keys exactly when the types are equivalent (iso-recursive). */
  private typeKeys: string[] = [];
  private readonly imports: ImportSpec[] = [];
  /** Type index of every user function (imports first); probes come after these. */
  private readonly funcs: number[] = [];
  private importedFuncs = 0;
  /**
   * Per imported function: the first index importing the same function (an import
   * repeated under one name). A function at several indices is described by the first.
   */
  private readonly funcAlias: number[] = [];
  private readonly globals: GlobalEntry[] = [];
  private readonly tables: TableEntry[] = [];
  private readonly memories: MemoryEntry[] = [];
  private readonly elems: ElemEntry[] = [];
  private readonly datas: DataEntry[] = [];
  private readonly exports: ExportDef[] = [];
  private trapPlaced = false;
  /** Whether applying segments wrote into an imported table or memory (seen after a trap). */
  private wroteImport = false;

  constructor(seed: number) {
    this.seed = seed;
    this.rng = new SeededRandom(seed);
    const roll = this.rng.int(100);
    this.mode = roll < 6 ? 'trap-elem' : roll < 12 ? 'trap-data' : roll < 17 ? 'link-error' : 'instance';
  }

  run(): GeneratedCase {
    this.genTypes();
    this.genImports();
    if (this.mode === 'link-error') this.breakAnImport();
    const defined = this.rng.range(1, 5);
    for (let i = 0; i < defined; i++) this.funcs.push(this.rng.int(this.types.length));
    this.genGlobals();
    this.genTables();
    this.genMemories();
    this.genElems();
    this.genDatas();
    if (this.mode === 'trap-elem' && !this.trapPlaced) this.genActiveElem(true);
    if (this.mode === 'trap-data' && !this.trapPlaced) this.genActiveData(true);
    this.genExports();
    const expected = this.expectedOutcome();
    const module = this.encodeModule();
    const observer = observerModule(this.types, this.groups, this.imports);
    return {
      seed: this.seed,
      bytes: module.bytes,
      declared: module.declared,
      types: this.types,
      groups: this.groups,
      typeClasses: this.typeKeys.map((key) => this.typeKeys.indexOf(key)),
      imports: this.imports,
      provider: providerModule(this.types, this.groups, this.imports),
      observer: observer.bytes,
      observerDeclared: observer.declared,
      expected,
      features: this.features,
    };
  }

  // ---- Types ----

  /**
   * Recursion groups of function types, some declaring a supertype (with the same
   * signature, which is always a valid subtype), some referring to other types; and
   * sometimes a copy of an earlier group, whose types are equivalent to the original's.
   */
  private genTypes(): void {
    for (let g = this.rng.range(1, 4); g > 0; g--) {
      const start = this.types.length;
      const size = this.rng.chance(0.25) ? this.rng.range(2, 3) : 1;
      for (let i = 0; i < size; i++) this.types.push(this.genTypeDef(start + size));
      this.groups.push({ start, size, explicit: size > 1 || this.rng.chance(0.1) });
      if (size > 1) this.features.add('rec-group');
    }
    if (this.rng.chance(0.3)) {
      const original = this.rng.pick(this.groups);
      const start = this.types.length;
      const shift = (t: number): number => (t >= original.start && t < original.start + original.size ? t + start - original.start : t);
      const shiftVal = (t: ValType): ValType => (typeof t !== 'string' && typeof t.heap === 'number' ? { ...t, heap: typeIndex(shift(t.heap)) } : t);
      for (let i = 0; i < original.size; i++) {
        const def = this.types[original.start + i];
        this.types.push({
          final: def.final,
          ...(def.supertype === undefined ? {} : { supertype: shift(def.supertype) }),
          params: def.params.map(shiftVal),
          results: def.results.map(shiftVal),
        });
      }
      this.groups.push({ ...original, start });
    }
    this.typeKeys = typeKeys(this.types, this.groups);
    if (new Set(this.typeKeys).size < this.typeKeys.length) this.features.add('equivalent-types');
  }

  private genTypeDef(groupEnd: number): TypeDef {
    const index = this.types.length;
    const supers = this.types.flatMap((def, t) => (def.final ? [] : [t]));
    if (supers.length > 0 && this.rng.chance(0.4)) {
      const supertype = this.rng.pick(supers);
      this.features.add('subtype');
      const { params, results } = this.types[supertype];
      return { final: this.rng.chance(0.5), supertype, params, results };
    }
    const pool: ValType[] = ['i32', 'i64', 'f32', 'f64', FUNCREF, EXTERNREF];
    const concrete = (): ValType => ({ nullable: this.rng.chance(0.7), heap: typeIndex(this.rng.int(groupEnd)) });
    const valType = (): ValType => (this.rng.chance(0.15) ? concrete() : this.rng.pick(pool));
    const params = Array.from({ length: this.rng.int(3) }, valType);
    const results = Array.from({ length: this.rng.int(2) }, valType);
    if ([...params, ...results].some((t) => typeof t !== 'string' && typeof t.heap === 'number')) {
      this.features.add('type-concrete-param');
    }
    return { final: index % 2 === 0 ? this.rng.chance(0.3) : this.rng.chance(0.7), params, results };
  }

  private isSubtype(a: number, b: number): boolean {
    if (this.typeKeys[a] === this.typeKeys[b]) return true;
    const supertype = this.types[a].supertype;
    return supertype !== undefined && this.isSubtype(supertype, b);
  }

  private valMatches(actual: ValType, expected: ValType): boolean {
    if (typeof actual === 'string' || typeof expected === 'string') return actual === expected;
    if (actual.nullable && !expected.nullable) return false;
    const [a, e] = [actual.heap, expected.heap];
    if (a === 'extern' || e === 'extern') return a === e;
    if (e === 'func') return true;
    return typeof a === 'number' && typeof e === 'number' && this.isSubtype(a, e);
  }

  /** `type` or one of its supertypes (declared supertypes, then the abstract ones). */
  private supertypeOf(type: ValType): ValType {
    if (typeof type === 'string' || !this.rng.chance(0.5)) return type;
    const nullable = type.nullable || this.rng.chance(0.5);
    if (typeof type.heap !== 'number') return { nullable, heap: type.heap };
    const chain: HeapType[] = ['func'];
    for (let t: number | undefined = type.heap; t !== undefined; t = this.types[t].supertype) chain.push(typeIndex(t));
    return { nullable, heap: this.rng.pick(chain) };
  }

  // ---- Imports ----

  /**
   * Function imports are generated first so other imports' values can name them; they
   * are then interleaved with the rest keeping their relative order, so the k-th
   * function import is still function k. Some imports are repeated (same module and
   * name), so two indices hold the same extern.
   */
  private genImports(): void {
    const funcImports: (ImportSpec & { kind: 'func' })[] = [];
    for (let k = this.rng.chance(0.7) ? this.rng.range(1, 4) : 0; k > 0; k--) {
      const repeat = funcImports.length > 0 && this.rng.chance(0.12) ? this.rng.int(funcImports.length) : -1;
      const actual = repeat >= 0 ? funcImports[repeat].actual : this.rng.int(this.types.length);
      const chain: number[] = [];
      for (let t: number | undefined = actual; t !== undefined; t = this.types[t].supertype) chain.push(t);
      const declared = this.rng.pick(chain);
      if (declared !== actual) this.features.add('import-subtype');
      if (repeat >= 0) this.features.add('import-repeated');
      const name = repeat >= 0 ? funcImports[repeat] : this.importName(`f${funcImports.length}`);
      this.funcAlias.push(repeat >= 0 ? this.funcAlias[repeat] : funcImports.length);
      funcImports.push({ kind: 'func', module: name.module, name: name.name, declared, actual });
      this.funcs.push(declared);
      this.features.add('import-func');
    }
    this.importedFuncs = funcImports.length;

    const others: ImportSpec[] = [];
    for (let i = this.rng.int(5); i > 0; i--) others.push(this.importGlobal());
    if (this.mode === 'trap-elem' || this.rng.chance(0.4)) others.push(this.importTable());
    if (this.rng.chance(0.15)) others.push(this.importTable());
    if (this.mode === 'trap-data' || this.rng.chance(0.4)) others.push(this.importMemory());
    if (this.rng.chance(0.15)) others.push(this.importMemory());
    for (let i = this.rng.int(3); i > 0; i--) others.push(this.importGlobal());
    if (others.length > 0 && this.rng.chance(0.25)) others.push(this.repeatImport(this.rng.pick(others)));

    let f = 0;
    for (const entry of others) {
      while (f < funcImports.length && this.rng.chance(0.4)) this.imports.push(funcImports[f++]);
      this.imports.push(entry);
    }
    while (f < funcImports.length) this.imports.push(funcImports[f++]);
  }

  /** The same extern imported again: the model's table or memory is shared by both indices. */
  private repeatImport(spec: ImportSpec): ImportSpec {
    this.features.add('import-repeated');
    switch (spec.kind) {
      case 'global': {
        const declared = spec.actual.mutable ? spec.declared : { ...spec.declared, type: this.supertypeOf(spec.actual.type) };
        this.globals.push({ type: declared.type, mutable: declared.mutable, value: spec.value });
        return { ...spec, declared };
      }
      case 'table':
        this.tables.push(this.tables.find((t) => t.importName === spec.name)!);
        return spec;
      case 'memory':
        this.memories.push(this.memories.find((m) => m.importName === spec.name)!);
        return spec;
      case 'func':
        throw new Error('function imports are repeated in genImports');
    }
  }

  private canonicalFunc(func: number): number {
    return func < this.funcAlias.length ? this.funcAlias[func] : func;
  }

  private importName(name: string): ImportName {
    return { module: this.rng.pick(['env', 'host', '', 'm\u00e9']), name };
  }

  /** An immutable global may be given a subtype of what the module declares. */
  private importGlobal(): ImportSpec {
    const actual: GlobalType = { type: this.pickValType(this.importedFuncs), mutable: this.rng.chance(0.3) };
    const declared: GlobalType = actual.mutable ? actual : { ...actual, type: this.supertypeOf(actual.type) };
    if (declared.type !== actual.type) this.features.add('import-subtype');
    const value = this.hostValueOf(actual.type);
    const index = this.globals.length;
    this.globals.push({ type: declared.type, mutable: declared.mutable, value });
    this.features.add('import-global');
    return { kind: 'global', ...this.importName(`g${index}`), declared, actual, value };
  }

  /** A value the host can give an import of `type`; functions are limited to imported ones. */
  private hostValueOf(type: ValType): StateValue {
    if (typeof type === 'string') return randomNumeric(this.rng, type);
    if (type.heap === 'extern') return type.nullable && this.rng.chance(0.3) ? null : randomHostRef(this.rng);
    const candidates = this.funcsOfHeap(type.heap, this.importedFuncs);
    if (candidates.length === 0 || (type.nullable && this.rng.chance(0.3))) return null;
    return { func: this.canonicalFunc(this.rng.pick(candidates)) };
  }


  /** A typed table's element type may be written with an equivalent type's index. */
  private importTable(): ImportSpec {
    const roll = this.rng.int(100);
    const typed = roll >= 80 ? this.rng.int(this.types.length) : undefined;
    const element: RefType = typed === undefined ? (roll < 40 ? FUNCREF : EXTERNREF) : { nullable: true, heap: typeIndex(typed) };
    const addressType = this.rng.chance(0.15) ? 'i64' : 'i32';
    const declared: TableType = { addressType, element, limits: this.randomLimits(6, 4) };
    let actualElement = element;
    if (typed !== undefined) {
      this.features.add('import-table-typed');
      const equivalents = this.typeKeys.flatMap((key, t) => (key === this.typeKeys[typed] ? [t] : []));
      actualElement = { nullable: true, heap: typeIndex(this.rng.pick(equivalents)) };
    }
    const actual: TableType = { addressType, element: actualElement, limits: this.actualLimits(declared.limits) };
    const elements = Array.from({ length: actual.limits.min }, () => this.hostValueOf(element));
    const index = this.tables.length;
    const name = `t${index}`;
    this.tables.push({ type: declared, elements: [...elements], importName: name });
    this.features.add('import-table');
    if (addressType === 'i64') this.features.add('table64');
    return { kind: 'table', ...this.importName(name), declared, actual, elements };
  }

  private importMemory(): ImportSpec {
    const addressType = this.rng.chance(0.15) ? 'i64' : 'i32';
    const declared: MemoryType = { addressType, limits: this.randomLimits(2, 2), shared: false };
    const actual: MemoryType = { ...declared, limits: this.actualLimits(declared.limits) };
    const bytes = new Uint8Array(actual.limits.min * PAGE);
    const writes = randomWrites(this.rng, bytes.length);
    for (const write of writes) bytes.set(write.bytes, write.offset);
    const index = this.memories.length;
    const name = `m${index}`;
    this.memories.push({ type: declared, bytes, importName: name });
    this.features.add('import-memory');
    if (addressType === 'i64') this.features.add('memory64');
    return { kind: 'memory', ...this.importName(name), declared, actual, writes };
  }

  private randomLimits(maxMin: number, maxExtra: number): { min: number; max?: number } {
    const min = this.rng.int(maxMin + 1);
    return this.rng.chance(0.4) ? { min, max: min + this.rng.int(maxExtra + 1) } : { min };
  }

  /** Limits an import of `declared` accepts: at least its minimum, within its maximum. */
  private actualLimits(declared: { min: number; max?: number }): { min: number; max?: number } {
    if (!this.rng.chance(0.3)) return declared;
    const ceiling = declared.max ?? declared.min + 2;
    const min = this.rng.range(declared.min, ceiling);
    if (min > declared.min) this.features.add('import-larger-than-declared');
    return declared.max === undefined ? { min } : { min, max: this.rng.range(min, declared.max) };
  }

  /**
   * Replaces one import's actual extern with one that does not match its declaration.
   * The module stays valid (it only sees declared types); linking must fail.
   */
  private breakAnImport(): void {
    for (const i of this.rng.shuffle(Array.from(this.imports.keys()))) {
      const spec = this.imports[i];
      // The host gives one extern per name: a repeated import cannot be broken alone.
      if (this.imports.some((other, j) => j !== i && other.module === spec.module && other.name === spec.name)) continue;
      const broken = this.broken(spec);
      if (broken !== undefined) {
        this.imports[i] = broken;
        this.features.add(`link-error-${spec.kind}`);
        return;
      }
    }
    // Nothing breakable (no imports, or only functions of equivalent types): a memory
    // import whose host memory has the other address type never matches.
    const memory = this.importMemory();
    if (memory.kind !== 'memory') throw new Error('importMemory made no memory');
    const addressType = memory.actual.addressType === 'i32' ? 'i64' : 'i32';
    this.imports.push({ ...memory, actual: { ...memory.actual, addressType } });
    this.features.add('link-error-memory');
  }

  private broken(spec: ImportSpec): ImportSpec | undefined {
    switch (spec.kind) {
      case 'func': {
        // A function another import holds must keep a type its holder accepts.
        if (this.heldByImports(this.imports.filter((s) => s.kind === 'func').indexOf(spec))) return undefined;
        const unrelated = Array.from(this.types.keys()).filter((t) => !this.isSubtype(t, spec.declared));
        return unrelated.length === 0 ? undefined : { ...spec, actual: this.rng.pick(unrelated) };
      }
      case 'global': {
        const { declared } = spec;
        const options: GlobalType[] = [{ type: spec.actual.type, mutable: !declared.mutable }];
        if (typeof declared.type === 'string') {
          options.push({ ...declared, type: this.rng.pick(NUMERIC.filter((t) => t !== declared.type)) });
        } else {
          options.push({ ...declared, type: declared.type.heap === 'extern' ? FUNCREF : EXTERNREF });
          // A mutable global's type is invariant: a strict subtype does not match.
          if (declared.mutable && declared.type.nullable) options.push({ ...declared, type: { ...declared.type, nullable: false } });
        }
        const actual = this.rng.pick(options);
        const nonNullFuncs = typeof actual.type !== 'string' && !actual.type.nullable;
        if (nonNullFuncs && this.funcsOfHeap((actual.type as RefType).heap, this.importedFuncs).length === 0) return undefined;
        return { ...spec, actual, value: this.hostValueOf(actual.type) };
      }
      case 'table': {
        const actual = this.brokenLimits(spec.declared, spec.actual) ?? {
          ...spec.actual,
          element: isExternRef(spec.declared.element) ? FUNCREF : EXTERNREF,
        };
        return { ...spec, actual, elements: new Array<StateValue>(actual.limits.min).fill(null) };
      }
      case 'memory': {
        const actual = this.brokenLimits(spec.declared, spec.actual) ?? spec.actual;
        if (actual === spec.actual) return undefined;
        const fits = spec.writes.filter(({ offset, bytes }) => offset + bytes.length <= actual.limits.min * PAGE);
        return { ...spec, actual, writes: fits };
      }
    }
  }

  private heldByImports(func: number): boolean {
    const holds = (v: StateValue): boolean => v !== null && typeof v === 'object' && 'func' in v && v.func === func;
    return this.imports.some(
      (spec) => (spec.kind === 'global' && holds(spec.value)) || (spec.kind === 'table' && spec.elements.some(holds)),
    );
  }

  /** `actual` with limits or address type that `declared` does not accept, if any. */
  private brokenLimits<T extends TableType | MemoryType>(declared: T, actual: T): T | undefined {
    const { min, max } = declared.limits;
    const options: T[] = [{ ...actual, addressType: actual.addressType === 'i32' ? 'i64' : 'i32' }];
    if (min > 0) options.push({ ...actual, limits: { min: min - 1 } });
    if (max !== undefined) {
      options.push({ ...actual, limits: { min: actual.limits.min } });
      options.push({ ...actual, limits: { min: actual.limits.min, max: max + 1 } });
    }
    return this.rng.chance(0.8) ? this.rng.pick(options) : undefined;
  }

  // ---- Globals ----

  private genGlobals(): void {
    for (let i = this.rng.int(11); i > 0; i--) {
      const type = this.pickValType(this.funcs.length);
      const expr = this.exprOf(type, this.globals.length);
      const mutable = this.rng.chance(0.3);
      this.globals.push({ type, mutable, value: expr.value, init: expr.ops });
    }
    for (const { type, mutable, value } of this.globals) this.noteGlobal(type, mutable, value);
  }

  private noteGlobal(type: ValType, mutable: boolean, value: StateValue): void {
    if (mutable) this.features.add('global-mutable');
    if (typeof type === 'string') {
      this.features.add(`global-${type}`);
      if (type === 'f32' || type === 'f64') this.noteFloat(type, BigInt(value as string));
      return;
    }
    if (typeof type.heap === 'number') this.features.add('global-typed-ref');
    else this.features.add(type.heap === 'extern' ? 'global-externref' : 'global-funcref');
    if (!type.nullable) this.features.add('global-non-null-ref');
  }

  private noteFloat(type: 'f32' | 'f64', bits: bigint): void {
    const [expBits, fracBits] = type === 'f32' ? [8n, 23n] : [11n, 52n];
    const exp = (bits >> fracBits) & ((1n << expBits) - 1n);
    const frac = bits & ((1n << fracBits) - 1n);
    if (exp === (1n << expBits) - 1n) {
      if (frac === 0n) this.features.add('infinity');
      else if (frac !== 1n << (fracBits - 1n)) this.features.add('nan-payload');
    } else if (exp === 0n && frac !== 0n) this.features.add('subnormal');
    else if (exp === 0n && bits !== 0n) this.features.add('negative-zero');
  }

  /**
   * A value type; a non-nullable function type only where a function of that type
   * exists among the first `funcLimit` functions (so a value can be built).
   */
  private pickValType(funcLimit: number): ValType {
    const roll = this.rng.int(100);
    if (roll < 55) return this.rng.pick(NUMERIC);
    if (roll < 70) return FUNCREF;
    if (roll < 82) return EXTERNREF;
    const t = typeIndex(this.rng.int(this.types.length));
    if (roll < 90 && this.funcsOfHeap(t, funcLimit).length > 0) return { nullable: false, heap: t };
    if (roll < 94 && funcLimit > 0) return { nullable: false, heap: 'func' };
    return { nullable: true, heap: t };
  }

  /** A constant expression of `type` that may read the first `globalLimit` globals. */
  private exprOf(type: ValType, globalLimit: number): Expr {
    if (typeof type !== 'string') return this.refExpr(type, globalLimit);
    const reads = this.readableGlobals(type, globalLimit);
    if (reads.length > 0 && this.rng.chance(0.25)) return this.globalGet(this.rng.pick(reads));
    if (type === 'i32' || type === 'i64') return this.intExpr(type, globalLimit, 2);
    const value = randomNumeric(this.rng, type);
    return { ops: [constOp(type, value)], value };
  }

  /** An i32/i64 expression tree of const, global.get and add/sub/mul, wrapping as Wasm does. */
  private intExpr(type: 'i32' | 'i64', globalLimit: number, depth: number): Expr {
    if (depth > 0 && this.rng.chance(0.35)) {
      const left = this.intExpr(type, globalLimit, depth - 1);
      const right = this.intExpr(type, globalLimit, depth - 1);
      const op = this.rng.pick(['add', 'sub', 'mul'] as const);
      const a = BigInt(left.value as number | string);
      const b = BigInt(right.value as number | string);
      const exact = op === 'add' ? a + b : op === 'sub' ? a - b : a * b;
      const value = wrap(type, exact);
      this.features.add('extended-const');
      if (value !== exact) this.features.add('wraparound');
      return { ops: [...left.ops, ...right.ops, { op: `${type}.${op}` }], value: intValue(type, value) };
    }
    const reads = this.readableGlobals(type, globalLimit);
    if (reads.length > 0 && this.rng.chance(0.3)) return this.globalGet(this.rng.pick(reads));
    const value = randomNumeric(this.rng, type);
    return { ops: [constOp(type, value)], value };
  }

  /** Immutable globals among the first `limit` whose type matches `type`. */
  private readableGlobals(type: ValType, limit: number): number[] {
    const out: number[] = [];
    for (let g = 0; g < limit; g++) {
      const global = this.globals[g];
      if (!global.mutable && this.valMatches(global.type, type)) out.push(g);
    }
    return out;
  }

  private globalGet(global: number): Expr {
    this.features.add(this.globals[global].init === undefined ? 'global-get-imported' : 'global-get-defined');
    return { ops: [{ op: 'global.get', global }], value: this.globals[global].value };
  }

  private refExpr(type: RefType, globalLimit: number): Expr {
    const options: (() => Expr)[] = [];
    if (type.nullable) options.push(() => this.refNull(type.heap));
    const funcs = this.funcsOfHeap(type.heap, this.funcs.length);
    if (funcs.length > 0) {
      options.push(() => {
        const func = this.rng.pick(funcs);
        return { ops: [{ op: 'ref.func', func }], value: { func: this.canonicalFunc(func) } };
      });
    }
    const reads = this.readableGlobals(type, globalLimit);
    if (reads.length > 0) options.push(() => this.globalGet(this.rng.pick(reads)));
    if (options.length === 0) throw new Error(`no constant of type ${storageTypeName(type)}`);
    return this.rng.pick(options)();
  }

  private refNull(heap: HeapType): Expr {
    if (this.rng.chance(0.15)) {
      this.features.add('ref-null-bottom');
      return { ops: [{ op: 'ref.null', heap: heap === 'extern' ? 'noextern' : 'nofunc' }], value: null };
    }
    return { ops: [{ op: 'ref.null', heap }], value: null };
  }

  /** Functions among the first `limit` whose `(ref type)` matches `(ref heap)`. */
  private funcsOfHeap(heap: HeapType, limit: number): number[] {
    if (heap === 'extern' || heap === 'noextern' || heap === 'nofunc') return [];
    const out: number[] = [];
    for (let f = 0; f < limit; f++) if (heap === 'func' || this.isSubtype(this.funcs[f], heap as number)) out.push(f);
    return out;
  }

  // ---- Tables and memories ----

  private genTables(): void {
    for (let i = this.rng.int(4); i > 0; i--) {
      const element = this.pickTableElement();
      const addressType = this.rng.chance(0.15) ? 'i64' : 'i32';
      const type: TableType = { addressType, element, limits: this.randomLimits(8, 4) };
      let init: Expr | undefined;
      if (!element.nullable || this.rng.chance(0.5)) {
        // Tables are validated before defined globals exist: only imports are visible.
        init = this.refExpr(element, this.importedGlobals());
        this.features.add('table-init-expr');
      }
      const elements = new Array<StateValue>(type.limits.min).fill(init?.value ?? null);
      this.tables.push({ type, init: init?.ops, elements });
      if (addressType === 'i64') this.features.add('table64');
    }
    for (const { type } of this.tables) {
      const heap = type.element.heap;
      this.features.add(typeof heap === 'number' ? 'table-typed' : heap === 'extern' ? 'table-externref' : 'table-funcref');
    }
  }

  private importedGlobals(): number {
    const defined = this.globals.findIndex((g) => g.init !== undefined);
    return defined < 0 ? this.globals.length : defined;
  }

  private pickTableElement(): RefType {
    const roll = this.rng.int(100);
    if (roll < 40) return FUNCREF;
    if (roll < 65) return EXTERNREF;
    const t = typeIndex(this.rng.int(this.types.length));
    if (roll < 90 || this.funcsOfHeap(t, this.funcs.length).length === 0) return { nullable: true, heap: t };
    return { nullable: false, heap: t };
  }

  private genMemories(): void {
    for (let i = this.rng.int(this.memories.length === 0 ? 4 : 3); i > 0; i--) {
      const addressType = this.rng.chance(0.15) ? 'i64' : 'i32';
      const type: MemoryType = { addressType, limits: this.randomLimits(2, 2), shared: false };
      this.memories.push({ type, bytes: new Uint8Array(type.limits.min * PAGE) });
      if (addressType === 'i64') this.features.add('memory64');
    }
    if (this.memories.length > 1) this.features.add('multi-memory');
  }

  // ---- Segments ----

  private genElems(): void {
    for (let i = this.rng.int(7); i > 0; i--) {
      const roll = this.rng.int(100);
      if (roll < 60 && this.tables.length > 0) this.genActiveElem(false);
      else this.genInactiveElem(roll < 80 ? 'passive' : 'declarative');
    }
  }

  /** An active segment in bounds, or out of bounds when `trap` or when the trap mode rolls it. */
  private genActiveElem(trap: boolean): void {
    const index = this.rng.int(this.tables.length);
    const table = this.tables[index];
    const tableType = table.type.element;
    const funcForm = isFuncref(tableType) && this.rng.chance(0.5);
    const type = funcForm ? FUNCREF : this.itemType(tableType);
    const size = table.elements.length;
    const makeTrap = trap || this.rollTrap('trap-elem');
    const count = this.rng.int(makeTrap ? 4 : Math.min(size, 6) + 1);
    const items = this.elemItems(type, funcForm, count);
    const addressType = table.type.addressType;
    const target = makeTrap ? this.outOfBounds(addressType, size, count) : this.inBounds(size, count);
    const offset = this.offsetExpr(addressType, target, 'elem-offset-global');
    // The encodings without a table index (0 and 4) mean table 0 and funcref items.
    const explicit = !(index === 0 && isFuncref(tableType) && isFuncref(type)) || this.rng.chance(0.5);
    this.features.add(explicit ? 'elem-active-explicit' : 'elem-active-implicit');
    if (makeTrap) this.noteTrap('trap-elem');
    this.elems.push({ mode: { kind: 'active', index, offset, explicit }, type, items });
  }

  private genInactiveElem(kind: 'passive' | 'declarative'): void {
    const funcForm = this.rng.chance(0.5);
    const type = funcForm ? FUNCREF : this.itemType(this.rng.chance(0.3) ? EXTERNREF : FUNCREF);
    this.features.add(kind === 'passive' ? 'elem-passive' : 'elem-declarative');
    this.elems.push({ mode: { kind }, type, items: this.elemItems(type, funcForm, this.rng.int(6)) });
  }

  /** The segment's element type: the table's, or a subtype (non-nullable, or a concrete function type). */
  private itemType(tableType: RefType): RefType {
    if (tableType.heap === 'extern' || !this.rng.chance(0.35)) return tableType;
    const heap = tableType.heap === 'func' && this.rng.chance(0.6) ? typeIndex(this.rng.int(this.types.length)) : tableType.heap;
    const narrowed: RefType = { nullable: tableType.nullable && this.rng.chance(0.5), heap };
    if (!narrowed.nullable && this.funcsOfHeap(heap, this.funcs.length).length === 0) return tableType;
    if (narrowed.nullable !== tableType.nullable || narrowed.heap !== tableType.heap) this.features.add('elem-subtype-items');
    return narrowed;
  }

  private elemItems(type: RefType, funcForm: boolean, count: number): ElemEntry['items'] {
    if (funcForm) {
      this.features.add('elem-func-indices');
      return { funcs: Array.from({ length: count }, () => this.rng.int(this.funcs.length)) };
    }
    this.features.add('elem-exprs');
    return { exprs: Array.from({ length: count }, () => this.refExpr(type, this.globals.length)) };
  }

  private genDatas(): void {
    for (let i = this.rng.int(7); i > 0; i--) {
      if (this.memories.length > 0 && this.rng.chance(0.7)) this.genActiveData(false);
      else {
        this.features.add('data-passive');
        this.datas.push({ mode: { kind: 'passive' }, bytes: this.rng.bytes(this.rng.int(16)) });
      }
    }
  }

  private genActiveData(trap: boolean): void {
    const index = this.rng.int(this.memories.length);
    const memory = this.memories[index];
    const size = memory.bytes.length;
    const makeTrap = trap || this.rollTrap('trap-data');
    const bytes = this.rng.bytes(this.rng.int(makeTrap ? 24 : Math.min(size, 24) + 1));
    const addressType = memory.type.addressType;
    const target = makeTrap ? this.outOfBounds(addressType, size, bytes.length) : this.inBounds(size, bytes.length);
    const offset = this.offsetExpr(addressType, target, 'data-offset-global');
    const explicit = index !== 0 || this.rng.chance(0.5);
    this.features.add(explicit ? 'data-active-explicit' : 'data-active-implicit');
    if (makeTrap) this.noteTrap('trap-data');
    this.datas.push({ mode: { kind: 'active', index, offset, explicit }, bytes });
  }

  private rollTrap(mode: Mode): boolean {
    return this.mode === mode && !this.trapPlaced && this.rng.chance(0.4);
  }

  private noteTrap(feature: 'trap-elem' | 'trap-data'): void {
    this.trapPlaced = true;
    this.features.add(feature);
  }

  /** An offset where `count` items fit in `size`, favouring both ends. */
  private inBounds(size: number, count: number): bigint {
    const room = size - count;
    return BigInt(this.rng.pick([0, room, this.rng.int(room + 1)]));
  }

  /** An offset where `count` items do not fit: just past the end, or far past it. */
  private outOfBounds(addressType: 'i32' | 'i64', size: number, count: number): bigint {
    if (this.rng.chance(0.3)) {
      this.features.add('offset-huge');
      return addressType === 'i32' ? 0xffffffffn : this.rng.pick(HUGE_I64_OFFSETS);
    }
    return BigInt(size - count + 1 + this.rng.int(3));
  }

  /**
   * An offset expression evaluating to `target` (unsigned): a constant, or an imported
   * or defined global adjusted by add/sub, or an arbitrary tree corrected by a constant.
   */
  private offsetExpr(type: 'i32' | 'i64', target: bigint, feature: Feature): ConstOp[] {
    const signed = wrap(type, target);
    const reads = this.readableGlobals(type, this.globals.length);
    const roll = this.rng.int(100);
    if (roll < 45 || (roll < 80 && reads.length === 0)) return [constOp(type, intValue(type, signed))];
    this.features.add(feature);
    const base = roll < 80 ? this.globalGet(this.rng.pick(reads)) : this.intExpr(type, this.globals.length, 2);
    const have = BigInt(base.value as number | string);
    if (have === signed && base.ops.length === 1) return base.ops;
    this.features.add('extended-const');
    const sub = this.rng.chance(0.5);
    const delta = wrap(type, sub ? have - signed : signed - have);
    return [...base.ops, constOp(type, intValue(type, delta)), { op: `${type}.${sub ? 'sub' : 'add'}` }];
  }

  // ---- Exports ----

  private genExports(): void {
    const counts: Record<ExportKind, number> = {
      func: this.funcs.length,
      global: this.globals.length,
      table: this.tables.length,
      memory: this.memories.length,
    };
    const chance: Record<ExportKind, number> = { func: 0.5, global: 0.85, table: 0.85, memory: 0.85 };
    for (const kind of ['func', 'global', 'table', 'memory'] as const) {
      for (let index = 0; index < counts[kind]; index++) {
        if (!this.rng.chance(chance[kind])) continue;
        // V8 cannot tell which of a function's indices an export names: see funcAlias.
        if (kind === 'func' && this.canonicalFunc(index) !== index) continue;
        this.exports.push({ name: `${kind}${index}`, kind, index });
        if (this.isImported(kind, index)) this.features.add('export-import');
        if (this.rng.chance(0.08)) {
          this.exports.push({ name: `${kind}${index}\u00b7alias`, kind, index });
          this.features.add('export-alias');
        }
      }
    }
  }

  private isImported(kind: ExportKind, index: number): boolean {
    switch (kind) {
      case 'func':
        return index < this.importedFuncs;
      case 'global':
        return this.globals[index].init === undefined;
      case 'table':
        return this.tables[index].importName !== undefined;
      case 'memory':
        return this.memories[index].importName !== undefined;
    }
  }

  // ---- The outcome instantiation must have ----

  /** Applies active segments in the spec's order (elements, then data) until one traps. */
  private expectedOutcome(): Expected {
    if (this.mode === 'link-error') return { outcome: 'link-error' };
    if (!this.applyElems() || !this.applyDatas()) {
      if (this.wroteImport) this.features.add('trap-partial-state');
      const visible: Record<string, ExportState> = {};
      for (const table of this.tables) if (table.importName !== undefined) visible[table.importName] = tableState(table);
      for (const memory of this.memories) {
        if (memory.importName !== undefined) visible[memory.importName] = memoryState(memory);
      }
      return { outcome: 'trap', visible: { exports: visible } };
    }
    const state: Record<string, ExportState> = {};
    for (const { name, kind, index } of this.exports) {
      switch (kind) {
        case 'func':
          state[name] = { kind, index };
          break;
        case 'global': {
          const { type, mutable, value } = this.globals[index];
          state[name] = { kind, type: storageTypeName(type), mutable, value };
          break;
        }
        case 'table':
          state[name] = tableState(this.tables[index]);
          break;
        case 'memory':
          state[name] = memoryState(this.memories[index]);
          break;
      }
    }
    return { outcome: 'instance', state: { exports: state } };
  }

  private applyElems(): boolean {
    for (const { mode, items } of this.elems) {
      if (mode.kind !== 'active') continue;
      const values: StateValue[] = 'funcs' in items ? items.funcs.map((func) => ({ func: this.canonicalFunc(func) })) : items.exprs.map((e) => e.value);
      const table = this.tables[mode.index];
      const offset = this.evalOffset(table.type.addressType, mode.offset);
      if (offset + BigInt(values.length) > BigInt(table.elements.length)) return false;
      table.elements.splice(Number(offset), values.length, ...values);
      if (table.importName !== undefined && values.length > 0) this.wroteImport = true;
      if (values.length > 0 && this.tables.indexOf(table) !== mode.index) this.features.add('import-repeated-written');
    }
    return true;
  }

  private applyDatas(): boolean {
    for (const { mode, bytes } of this.datas) {
      if (mode.kind !== 'active') continue;
      const memory = this.memories[mode.index];
      const offset = this.evalOffset(memory.type.addressType, mode.offset);
      if (offset + BigInt(bytes.length) > BigInt(memory.bytes.length)) return false;
      memory.bytes.set(bytes, Number(offset));
      if (memory.importName !== undefined && bytes.length > 0) this.wroteImport = true;
      if (bytes.length > 0 && this.memories.indexOf(memory) !== mode.index) this.features.add('import-repeated-written');
    }
    return true;
  }

  /** Evaluates an offset expression the generator built, as an unsigned address. */
  private evalOffset(type: 'i32' | 'i64', ops: readonly ConstOp[]): bigint {
    const stack: bigint[] = [];
    for (const op of ops) {
      switch (op.op) {
        case 'i32.const':
          stack.push(BigInt(op.value));
          break;
        case 'i64.const':
          stack.push(op.value);
          break;
        case 'global.get':
          stack.push(BigInt(this.globals[op.global].value as number | string));
          break;
        case 'i32.add': case 'i32.sub': case 'i32.mul': case 'i64.add': case 'i64.sub': case 'i64.mul': {
          const b = stack.pop()!;
          const a = stack.pop()!;
          const kind = op.op.slice(4);
          stack.push(kind === 'add' ? a + b : kind === 'sub' ? a - b : a * b);
          break;
        }
        default:
          throw new Error(`unexpected offset op ${op.op}`);
      }
    }
    return BigInt.asUintN(type === 'i32' ? 32 : 64, stack.pop()!);
  }

  // ---- Encoding ----

  /** The module with its probes: bit readers for float and v128 globals, an export of every function. */
  private encodeModule(): { bytes: Uint8Array; declared: DeclaredTypes } {
    const probeI32 = this.types.length;
    const probeI64 = probeI32 + 1;
    const exports = [...this.exports];
    const probes: { type: number; body: number[] }[] = [];
    const declared = { globals: {} as Record<string, { type: string; mutable: boolean }>, tables: {} as Record<string, { type: string }> };
    const addProbe = (name: string, type: number, body: number[]): void => {
      exports.push({ name, kind: 'func', index: this.funcs.length + probes.length });
      probes.push({ type, body });
    };
    for (const { name, kind, index } of this.exports) {
      if (kind === 'table') declared.tables[name] = { type: storageTypeName(this.tables[index].type.element) };
      if (kind !== 'global') continue;
      const { type, mutable } = this.globals[index];
      declared.globals[name] = { type: storageTypeName(type), mutable };
      if (type === 'f32') addProbe(bitsProbe(name), probeI32, probeCode.f32Bits(index));
      if (type === 'f64') addProbe(bitsProbe(name), probeI64, probeCode.f64Bits(index));
      if (type === 'v128') {
        const [lo, hi] = laneProbes(name);
        addProbe(lo, probeI64, probeCode.v128Lane(index, 0));
        addProbe(hi, probeI64, probeCode.v128Lane(index, 1));
      }
    }
    for (let f = 0; f < this.funcs.length; f++) exports.push({ name: funcProbe(f), kind: 'func', index: f });
    const userFuncs = this.funcs.slice(this.importedFuncs);
    const datacount = this.datas.length > 0 && this.rng.chance(0.5);
    if (datacount) this.features.add('datacount');
    const def: ModuleDef = {
      types: [...this.types, { final: true, params: [], results: ['i32'] }, { final: true, params: [], results: ['i64'] }],
      groups: [...this.groups, { start: probeI32, size: 1, explicit: false }, { start: probeI64, size: 1, explicit: false }],
      imports: this.imports.map((spec) => ({ module: spec.module, name: spec.name, desc: declaredDesc(spec) })),
      funcs: [...userFuncs, ...probes.map((p) => p.type)],
      bodies: [...userFuncs.map(() => probeCode.unreachable()), ...probes.map((p) => p.body)],
      tables: this.tables.filter((t) => t.importName === undefined),
      memories: this.memories.filter((m) => m.importName === undefined).map((m) => m.type),
      globals: this.globals.flatMap(({ type, mutable, init }) => (init === undefined ? [] : [{ type: { type, mutable }, init }])),
      exports,
      elems: this.elems.map(({ mode, type, items }) => ({
        mode,
        type,
        items: 'funcs' in items ? items : { exprs: items.exprs.map((e) => e.ops) },
      })),
      dataCount: datacount,
      datas: this.datas,
    };
    return { bytes: encodeModule(def), declared };
  }

}

// ---- The modules around the module under test -------------------------------------------------

function observerModule(
  types: readonly TypeDef[],
  groups: readonly RecGroupDef[],
  imports: readonly ImportSpec[],
): { bytes: Uint8Array; declared: DeclaredTypes } {
  const tables: Record<string, { type: string }> = {};
  const exports: ExportDef[] = [];
  let table = 0;
  let memory = 0;
  const named = new Set<string>();
  for (const spec of imports) {
    const first = !named.has(spec.name);
    named.add(spec.name);
    if (spec.kind === 'table') {
      if (first) exports.push({ name: spec.name, kind: 'table', index: table });
      tables[spec.name] = { type: storageTypeName(spec.declared.element) };
      table++;
    }
    if (spec.kind === 'memory') {
      if (first) exports.push({ name: spec.name, kind: 'memory', index: memory });
      memory++;
    }
  }
  const funcs = imports.filter((spec) => spec.kind === 'func').length;
  for (let f = 0; f < funcs; f++) exports.push({ name: funcProbe(f), kind: 'func', index: f });
  const bytes = encodeModule({
    types,
    groups,
    imports: imports.map((spec) => ({ module: spec.module, name: spec.name, desc: declaredDesc(spec) })),
    exports,
  });
  return { bytes, declared: { globals: {}, tables } };
}

/** One definition per import name (a repeated import is one extern). */
function providerModule(types: readonly TypeDef[], groups: readonly RecGroupDef[], imports: readonly ImportSpec[]): Uint8Array {
  const distinct = imports.filter((spec, i) => imports.findIndex((s) => s.name === spec.name) === i);
  const funcs = distinct.flatMap((spec) => (spec.kind === 'func' ? [spec] : []));
  const globals = distinct.flatMap((spec) => (spec.kind === 'global' && !isExternRef(spec.actual.type) ? [spec] : []));
  const tables = distinct.flatMap((spec) => (spec.kind === 'table' && typeof spec.actual.element.heap === 'number' ? [spec] : []));
  // The module's function k is the provider's import of the same name.
  const moduleFuncs = imports.filter((spec) => spec.kind === 'func');
  const providerFunc = (value: StateValue): StateValue =>
    value !== null && typeof value === 'object' && 'func' in value
      ? { func: funcs.findIndex((spec) => spec.name === moduleFuncs[value.func].name) }
      : value;
  return encodeModule({
    types,
    groups,
    imports: funcs.map((spec) => ({ module: 'host', name: spec.name, desc: { kind: 'func', type: spec.actual } })),
    tables: tables.map((spec) => ({ type: spec.actual })),
    globals: globals.map(({ actual, value }) => ({ type: actual, init: [valueOp(actual.type, providerFunc(value))] })),
    exports: [
      ...funcs.map((spec, index) => ({ name: spec.name, kind: 'func' as const, index })),
      ...tables.map((spec, index) => ({ name: spec.name, kind: 'table' as const, index })),
      ...globals.map((spec, index) => ({ name: spec.name, kind: 'global' as const, index })),
    ],
  });
}

// ---- Helpers ---------------------------------------------------------------------------------

function randomNumeric(rng: SeededRandom, type: NumericType): StateValue {
  switch (type) {
    case 'i32':
      return rng.chance(0.5) ? rng.pick(I32_EDGES) : rng.u32() | 0;
    case 'i64':
      return (rng.chance(0.5) ? rng.pick(I64_EDGES) : BigInt.asIntN(64, rng.u64())).toString();
    case 'f32':
      return hex(rng.chance(0.6) ? rng.pick(F32_EDGES) : rng.u32(), 8);
    case 'f64':
      return hex(rng.chance(0.6) ? rng.pick(F64_EDGES) : rng.u64(), 16);
    case 'v128':
      return `0x${Buffer.from(rng.bytes(16)).toString('hex')}`;
  }
}

function randomHostRef(rng: SeededRandom): StateValue {
  const n = rng.int(1000);
  return { extern: rng.pick([n, `host-${n}`, { host: n }, [n, 'x']]) };
}

/** A few runs of random bytes at random offsets of a memory of `size` bytes. */
function randomWrites(rng: SeededRandom, size: number): { offset: number; bytes: Uint8Array }[] {
  const writes: { offset: number; bytes: Uint8Array }[] = [];
  for (let i = size === 0 ? 0 : rng.int(4); i > 0; i--) {
    const bytes = rng.bytes(rng.range(1, 32));
    writes.push({ offset: rng.int(size - bytes.length + 1), bytes });
  }
  return writes;
}

/**
 * Canonical keys of iso-recursive types: a group is written out with references into
 * itself as relative positions and references out of it as the target's key, so two
 * types are equivalent exactly when their keys are equal.
 */
function typeKeys(types: readonly TypeDef[], groups: readonly RecGroupDef[]): string[] {
  const keys: string[] = [];
  for (const { start, size } of groups) {
    const ref = (t: number): string => (t >= start && t < start + size ? `r${t - start}` : `{${keys[t]}}`);
    const val = (t: ValType): string =>
      typeof t === 'string' ? t : `${t.nullable ? 'null ' : ''}${typeof t.heap === 'number' ? ref(t.heap) : t.heap}`;
    const body = types
      .slice(start, start + size)
      .map((d) => `${d.final ? 'final' : 'open'}${d.supertype === undefined ? '' : `<${ref(d.supertype)}`}(${d.params.map(val)})(${d.results.map(val)})`)
      .join(';');
    for (let i = 0; i < size; i++) keys.push(`[${body}]${i}`);
  }
  return keys;
}

function declaredDesc(spec: ImportSpec): ImportDesc {
  switch (spec.kind) {
    case 'func':
      return { kind: 'func', type: spec.declared };
    case 'global':
      return { kind: 'global', type: spec.declared };
    case 'table':
      return { kind: 'table', type: spec.declared };
    case 'memory':
      return { kind: 'memory', type: spec.declared };
  }
}

function isFuncref(type: RefType): boolean {
  return type.nullable && type.heap === 'func';
}

function isExternRef(type: ValType): boolean {
  return typeof type !== 'string' && type.heap === 'extern';
}

function hex(value: number | bigint, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

function wrap(type: 'i32' | 'i64', value: bigint): bigint {
  return BigInt.asIntN(type === 'i32' ? 32 : 64, value);
}

function intValue(type: 'i32' | 'i64', value: bigint): StateValue {
  return type === 'i32' ? Number(value) : value.toString();
}

function constOp(type: NumericType, value: StateValue): ConstOp {
  switch (type) {
    case 'i32':
      return { op: 'i32.const', value: value as number };
    case 'i64':
      return { op: 'i64.const', value: BigInt(value as string) };
    case 'f32':
      return { op: 'f32.const', bits: Number(value) };
    case 'f64':
      return { op: 'f64.const', bits: BigInt(value as string) };
    case 'v128':
      return { op: 'v128.const', bytes: new Uint8Array(Buffer.from((value as string).slice(2), 'hex')) };
  }
}

/** The single instruction that produces `value` (functions by index) for a provider global. */
function valueOp(type: ValType, value: StateValue): ConstOp {
  if (typeof type === 'string') return constOp(type, value);
  if (value === null) return { op: 'ref.null', heap: type.heap };
  return { op: 'ref.func', func: (value as { func: number }).func };
}

function tableState(table: TableEntry): ExportState {
  const { elements } = table;
  return { kind: 'table', type: storageTypeName(table.type.element), size: elements.length, elements: [...elements] };
}

function memoryState(memory: MemoryEntry): ExportState {
  return {
    kind: 'memory',
    pages: memory.bytes.length / PAGE,
    sha256: createHash('sha256').update(memory.bytes).digest('hex'),
  };
}
