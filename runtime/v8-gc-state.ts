// The instance-state contract (instance-state.ts) read from a V8 instance whose globals,
// tables and struct/array fields hold GC values.
//
// V8 hands structs and arrays to JS as opaque objects: their type and contents are not
// reachable from JS. So the module being described carries probe functions (exports
// named with PROBE_PREFIX, never described) that look at a value through code:
//
// - `kind(anyref)` tells null, i31, a struct or array of a concrete type (the module's
//   type index, by `ref.test` from the most specific type down), or anything else
//   (a host value taken in by `any.convert_extern`); `xkind(externref)` the same after
//   `any.convert_extern`;
// - `i31(anyref)` is `i31.get_s`;
// - one getter per struct field and per array type (`array.len`, `array.get`), with
//   packed fields read by `get_u` and floats as their bits;
// - `eq(eqref, eqref)` is `ref.eq`, confirming object identity where JS identity sees
//   the same object twice.
//
// `gcProbesWat` writes these functions for a module's types; `describeV8GcInstance`
// calls them. Shapes of the types and the declared types of the exports come from the
// caller, as `DeclaredTypes` do for v8-instance-state.ts.
import type { ExportState, InstanceState } from './instance-state.ts';
import type { StateValue } from './state-value.ts';
import {
  bitsProbe,
  funcProbe,
  isProbe,
  PROBE_PREFIX,
  v8Wasm,
  type V8Global,
  type V8Instance,
  type V8Memory,
  type V8Module,
  type V8Table,
} from './v8-instance-state.ts';
import { createHash } from 'node:crypto';

/** How a slot's value is read: its storage type, or the family of a reference. */
export type GcSlotKind = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'any' | 'extern' | 'func';
export type GcRefKind = 'any' | 'extern' | 'func';

export type GcTypeShape =
  | { readonly kind: 'struct'; readonly fields: readonly GcSlotKind[] }
  | { readonly kind: 'array'; readonly element: GcSlotKind }
  | { readonly kind: 'func' };

export interface GcProbeType {
  readonly shape: GcTypeShape;
  /** Length of the declared supertype chain: a subtype is tested before its supertypes. */
  readonly depth: number;
}

export interface GcDeclaredTypes {
  /** By the module's type index. */
  readonly types: readonly GcTypeShape[];
  readonly globals: Readonly<Record<string, { readonly type: string; readonly mutable: boolean; readonly kind: GcSlotKind }>>;
  readonly tables: Readonly<Record<string, { readonly type: string; readonly kind: GcRefKind }>>;
}

export interface V8GcState {
  readonly state: InstanceState;
  /**
   * Object identity in the order values are described: for every struct or array met
   * (shared ones each time they are met), the position of its first meeting.
   */
  readonly identity: number[];
}

/** Results of the kind probes that are not type indices. */
export const KIND_NULL = -1;
export const KIND_I31 = -2;
export const KIND_OTHER = -3;

const GC_PREFIX = `${PROBE_PREFIX}gc:`;
const KIND = `${GC_PREFIX}kind`;
const XKIND = `${GC_PREFIX}xkind`;
const I31 = `${GC_PREFIX}i31`;
const EQ = `${GC_PREFIX}eq`;

export function fieldProbe(typeIndex: number, field: number): string {
  return `${GC_PREFIX}${typeIndex}.${field}`;
}

export function arrayLenProbe(typeIndex: number): string {
  return `${GC_PREFIX}${typeIndex}.len`;
}

export function arrayGetProbe(typeIndex: number): string {
  return `${GC_PREFIX}${typeIndex}.get`;
}

/**
 * The probe functions for a module with these types, as WAT module fields. Types are
 * named by `typeName(index)` (e.g. `$t3`); the functions need no other name in scope.
 */
export function gcProbesWat(types: readonly GcProbeType[], typeName: (index: number) => string): string {
  const lines: string[] = [];
  const concrete = types
    .map((t, index) => ({ index, depth: t.depth, kind: t.shape.kind }))
    .filter((t) => t.kind !== 'func')
    // Deepest first: an object passes `ref.test` for its own type and every supertype,
    // and only its own type (or one equivalent to it, lowest index first) is as deep.
    .sort((a, b) => b.depth - a.depth || a.index - b.index);
  lines.push(
    `(func $__gc_kind (export "${KIND}") (param $v anyref) (result i32)`,
    `  (if (ref.is_null (local.get $v)) (then (return (i32.const ${KIND_NULL}))))`,
    `  (if (ref.test (ref i31) (local.get $v)) (then (return (i32.const ${KIND_I31}))))`,
    ...concrete.map(
      ({ index }) => `  (if (ref.test (ref ${typeName(index)}) (local.get $v)) (then (return (i32.const ${index}))))`,
    ),
    `  (i32.const ${KIND_OTHER}))`,
    `(func (export "${XKIND}") (param externref) (result i32) (call $__gc_kind (any.convert_extern (local.get 0))))`,
    `(func (export "${I31}") (param anyref) (result i32) (i31.get_s (ref.cast (ref i31) (local.get 0))))`,
    `(func (export "${EQ}") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))`,
  );
  types.forEach(({ shape }, index) => {
    const name = typeName(index);
    const cast = `(ref.cast (ref ${name}) (local.get 0))`;
    if (shape.kind === 'struct') {
      shape.fields.forEach((kind, f) => {
        const get = `(struct.get${packedSuffix(kind)} ${name} ${f} ${cast})`;
        lines.push(`(func (export "${fieldProbe(index, f)}") (param anyref) (result ${probeResult(kind)}) ${asBits(kind, get)})`);
      });
    } else if (shape.kind === 'array') {
      const kind = shape.element;
      const get = `(array.get${packedSuffix(kind)} ${name} ${cast} (local.get 1))`;
      lines.push(
        `(func (export "${arrayLenProbe(index)}") (param anyref) (result i32) (array.len ${cast}))`,
        `(func (export "${arrayGetProbe(index)}") (param anyref i32) (result ${probeResult(kind)}) ${asBits(kind, get)})`,
      );
    }
  });
  return lines.join('\n');
}

/** The probe returning a f32/f64 global's bits (as v8-instance-state.ts reads it), as a WAT field. */
export function bitsProbeWat(exportName: string, globalName: string, type: 'f32' | 'f64'): string {
  const [result, op] = type === 'f32' ? ['i32', 'i32.reinterpret_f32'] : ['i64', 'i64.reinterpret_f64'];
  return `(func (export "${bitsProbe(exportName)}") (result ${result}) (${op} (global.get ${globalName})))`;
}

function packedSuffix(kind: GcSlotKind): string {
  return kind === 'i8' || kind === 'i16' ? '_u' : '';
}

function probeResult(kind: GcSlotKind): string {
  switch (kind) {
    case 'i8':
    case 'i16':
    case 'i32':
    case 'f32':
      return 'i32';
    case 'i64':
    case 'f64':
      return 'i64';
    case 'any':
      return 'anyref';
    case 'extern':
      return 'externref';
    case 'func':
      return 'funcref';
  }
}

function asBits(kind: GcSlotKind, get: string): string {
  if (kind === 'f32') return `(i32.reinterpret_f32 ${get})`;
  if (kind === 'f64') return `(i64.reinterpret_f64 ${get})`;
  return get;
}

export function describeV8GcInstance(instance: V8Instance, module: V8Module, declared: GcDeclaredTypes): V8GcState {
  const exports = instance.exports;
  // By name: identity is reported in that order, whatever order the module exports in.
  const list = [...v8Wasm.Module.exports(module)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const funcIndex = new Map<unknown, number>();
  for (const { name, kind } of list) {
    const match = /^func:(\d+)$/.exec(name.slice(PROBE_PREFIX.length));
    if (kind === 'function' && isProbe(name) && match !== null) funcIndex.set(exports[name], Number(match[1]));
  }
  const reader = new Reader(exports, declared, funcIndex);
  const state: Record<string, ExportState> = {};
  for (const { name, kind } of list) {
    if (isProbe(name)) continue;
    state[name] = reader.export(name, kind, exports[name]);
  }
  return { state: { exports: state }, identity: reader.identity };
}

class Reader {
  readonly identity: number[] = [];
  private readonly firstMeeting = new Map<unknown, number>();
  private readonly byType = new Map<number, unknown[]>();
  private readonly exports: V8Instance['exports'];
  private readonly declared: GcDeclaredTypes;
  private readonly funcIndex: ReadonlyMap<unknown, number>;

  constructor(exports: V8Instance['exports'], declared: GcDeclaredTypes, funcIndex: ReadonlyMap<unknown, number>) {
    this.exports = exports;
    this.declared = declared;
    this.funcIndex = funcIndex;
  }

  export(name: string, kind: 'function' | 'table' | 'memory' | 'global' | 'tag', value: unknown): ExportState {
    switch (kind) {
      case 'function':
        return { kind: 'func', index: this.funcIndexOf(value) };
      case 'global': {
        const { type, mutable, kind: slot } = declaredOf(this.declared.globals, name);
        // Floats are read as their bits through a probe: the JS API would drop NaN payloads.
        const raw = slot === 'f32' || slot === 'f64' ? this.call(bitsProbe(name)) : (value as V8Global).value;
        return { kind: 'global', type, mutable, value: this.slot(slot, raw, new Set()) };
      }
      case 'table': {
        const { type, kind: slot } = declaredOf(this.declared.tables, name);
        const table = value as V8Table;
        const elements: StateValue[] = [];
        for (let i = 0; i < Number(table.length); i++) elements.push(this.slot(slot, table.get(i), new Set()));
        return { kind: 'table', type, size: elements.length, elements };
      }
      case 'memory': {
        const bytes = new Uint8Array((value as V8Memory).buffer);
        return { kind: 'memory', pages: bytes.length / 65536, sha256: createHash('sha256').update(bytes).digest('hex') };
      }
      case 'tag':
        throw new TypeError(`export "${name}": tags are not described`);
    }
  }

  /** A value as a probe or the JS API gives it: floats as bits, packed fields unsigned. */
  private slot(kind: GcSlotKind, value: unknown, path: Set<unknown>): StateValue {
    switch (kind) {
      case 'i8':
      case 'i16':
      case 'i32':
        return value as number;
      case 'i64':
        return (value as bigint).toString();
      case 'f32':
        return hex((value as number) >>> 0, 8);
      case 'f64':
        return hex(BigInt.asUintN(64, value as bigint), 16);
      case 'func':
        return value === null ? null : { func: this.funcIndexOf(value) };
      case 'extern': {
        if (value === null) return null;
        const k = this.call(XKIND, value) as number;
        // A host value stays itself in both hierarchies; anything else was externalized.
        return k === KIND_OTHER ? { extern: value } : { extern: this.anyRef(k, value, path) };
      }
      case 'any': {
        if (value === null) return null;
        const k = this.call(KIND, value) as number;
        return k === KIND_OTHER ? { extern: value } : this.anyRef(k, value, path);
      }
    }
  }

  private anyRef(k: number, value: unknown, path: Set<unknown>): StateValue {
    if (k === KIND_NULL) throw new TypeError('a non-null value classified as null');
    if (k === KIND_I31) return { i31: this.call(I31, value) as number };
    this.meet(k, value);
    if (path.has(value)) return { cycle: true };
    const shape = this.declared.types[k];
    path.add(value);
    let result: StateValue;
    if (shape.kind === 'struct') {
      result = { struct: k, fields: shape.fields.map((f, i) => this.slot(f, this.call(fieldProbe(k, i), value), path)) };
    } else if (shape.kind === 'array') {
      const length = this.call(arrayLenProbe(k), value) as number;
      const elements: StateValue[] = [];
      for (let i = 0; i < length; i++) elements.push(this.slot(shape.element, this.call(arrayGetProbe(k), value, i), path));
      result = { array: k, elements };
    } else {
      throw new TypeError(`kind probe answered function type ${k}`);
    }
    path.delete(value);
    return result;
  }

  /**
   * Records an object's identity. JS identity is the fast path; an object JS has not
   * seen is compared by `ref.eq` with the earlier objects of its type, so identity does
   * not rest on how V8 hands objects to JS.
   */
  private meet(k: number, value: unknown): void {
    let first = this.firstMeeting.get(value);
    if (first === undefined) {
      const earlier = this.byType.get(k) ?? [];
      const same = earlier.find((other) => this.call(EQ, other, value) === 1);
      first = same === undefined ? this.identity.length : this.firstMeeting.get(same)!;
      this.firstMeeting.set(value, first);
      if (same === undefined) {
        earlier.push(value);
        this.byType.set(k, earlier);
      }
    }
    this.identity.push(first);
  }

  private funcIndexOf(func: unknown): number {
    const index = this.funcIndex.get(func);
    if (index === undefined) throw new TypeError(`a function has no probe export (${funcProbe(0).slice(0, -1)}N)`);
    return index;
  }

  private call(name: string, ...args: unknown[]): unknown {
    const probe = this.exports[name];
    if (typeof probe !== 'function') throw new TypeError(`missing probe export "${name}"`);
    return (probe as (...a: unknown[]) => unknown)(...args);
  }
}

function declaredOf<T>(record: Readonly<Record<string, T>>, name: string): T {
  const entry = record[name];
  if (entry === undefined) throw new TypeError(`export "${name}" has no declared type`);
  return entry;
}

function hex(value: number | bigint, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}
