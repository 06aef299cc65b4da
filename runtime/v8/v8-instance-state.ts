// The instance-state contract (instance-state.ts) read from a V8 instance, so V8 can be
// the oracle our runtime is compared against.
//
// V8's JS API loses what the contract keeps: float globals come back as JS numbers (NaN
// payloads gone), v128 globals cannot be read at all, and table elements are function
// objects with no index. So the module being described carries "probe" exports whose
// names start with PROBE_PREFIX: tiny functions that read a global's bits through code,
// and an export of every function so a function object maps back to its index by
// identity. (An exported function's `.name` is its index in the module that *defined*
// it, which for a re-exported import is another module's index space.) Probes are never
// described.
//
// Static facts V8 does not expose without type reflection (a global's value type and
// mutability, a table's element type) come from the caller as `DeclaredTypes`.
import { createHash } from 'node:crypto';
import type { ExportState, InstanceState } from '../embedder/instance-state.ts';
import type { StateValue } from '../embedder/state-value.ts';

// The slice of the JS API this file and the harness use. The project's `lib` has no
// WebAssembly typings (they live in lib.dom), and pulling in the DOM for this is worse.
export interface V8Module {
  readonly __brand?: 'WebAssembly.Module';
}
export interface V8Instance {
  readonly exports: Readonly<Record<string, unknown>>;
}
export interface V8Global {
  value: unknown;
}
export interface V8Table {
  /** A BigInt for a table64. */
  readonly length: number | bigint;
  get(index: number | bigint): unknown;
  set(index: number | bigint, value: unknown): void;
}
export interface V8Memory {
  readonly buffer: ArrayBuffer;
}
type Limits = { initial: number | bigint; maximum?: number | bigint; address?: 'i32' | 'i64' };
export interface V8WebAssembly {
  validate(bytes: Uint8Array): boolean;
  readonly Module: {
    new (bytes: Uint8Array): V8Module;
    exports(module: V8Module): { name: string; kind: 'function' | 'table' | 'memory' | 'global' | 'tag' }[];
  };
  readonly Instance: new (module: V8Module, imports?: Record<string, Record<string, unknown>>) => V8Instance;
  readonly Global: new (descriptor: { value: string; mutable?: boolean }, value?: unknown) => V8Global;
  readonly Table: new (descriptor: Limits & { element: 'anyfunc' | 'externref' }, value?: unknown) => V8Table;
  readonly Memory: new (descriptor: Limits) => V8Memory;
  readonly RuntimeError: new () => Error;
  readonly LinkError: new () => Error;
}
export const v8Wasm = (globalThis as unknown as { WebAssembly: V8WebAssembly }).WebAssembly;

export const PROBE_PREFIX = '__probe:';

/** Export name of the probe returning a f32/f64 global's bits as i32/i64. */
export function bitsProbe(globalExport: string): string {
  return `${PROBE_PREFIX}bits:${globalExport}`;
}

/** Export names of the probes returning a v128 global's i64x2 lanes 0 and 1. */
export function laneProbes(globalExport: string): readonly [string, string] {
  return [`${PROBE_PREFIX}lo:${globalExport}`, `${PROBE_PREFIX}hi:${globalExport}`];
}

/** Export name under which function `index` is exported for identity mapping. */
export function funcProbe(index: number): string {
  return `${PROBE_PREFIX}func:${index}`;
}

export function isProbe(exportName: string): boolean {
  return exportName.startsWith(PROBE_PREFIX);
}

/** The state without probe exports, for comparing a runtime's full description. */
export function withoutProbes(state: InstanceState): InstanceState {
  const exports: Record<string, ExportState> = {};
  for (const [name, value] of Object.entries(state.exports)) if (!isProbe(name)) exports[name] = value;
  return { exports };
}

/** Text-format types (`i32`, `externref`, `(ref null 2)`) of the exported globals and tables. */
export interface DeclaredTypes {
  readonly globals: Readonly<Record<string, { readonly type: string; readonly mutable: boolean }>>;
  readonly tables: Readonly<Record<string, { readonly type: string }>>;
}

export function describeV8Instance(
  instance: V8Instance,
  module: V8Module,
  declared: DeclaredTypes,
): InstanceState {
  const exports = instance.exports;
  const funcIndex = new Map<unknown, number>();
  for (const { name, kind } of v8Wasm.Module.exports(module)) {
    const match = isProbe(name) ? /^func:(\d+)$/.exec(name.slice(PROBE_PREFIX.length)) : null;
    if (kind !== 'function' || match === null) continue;
    // A function at several indices (an import repeated) is described by the lowest.
    const index = Number(match[1]);
    const known = funcIndex.get(exports[name]);
    if (known === undefined || index < known) funcIndex.set(exports[name], index);
  }
  const state: Record<string, ExportState> = {};
  for (const { name, kind } of v8Wasm.Module.exports(module)) {
    if (isProbe(name)) continue;
    state[name] = describeExport(name, kind, exports[name], exports, funcIndex, declared);
  }
  return { exports: state };
}

function describeExport(
  name: string,
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag',
  value: unknown,
  exports: V8Instance['exports'],
  funcIndex: ReadonlyMap<unknown, number>,
  declared: DeclaredTypes,
): ExportState {
  switch (kind) {
    case 'function':
      return { kind: 'func', index: indexOf(funcIndex, value) };
    case 'memory': {
      const bytes = new Uint8Array((value as V8Memory).buffer);
      return {
        kind: 'memory',
        pages: bytes.length / 65536,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
    }
    case 'table': {
      const table = value as V8Table;
      const type = declaredOf(declared.tables, name).type;
      // A table64's length and indices are BigInts in the JS API.
      const table64 = typeof table.length === 'bigint';
      const elements: StateValue[] = [];
      for (let i = 0; i < Number(table.length); i++) {
        elements.push(describeRef(type, table.get(table64 ? BigInt(i) : i), funcIndex));
      }
      return { kind: 'table', type, size: elements.length, elements };
    }
    case 'global': {
      const { type, mutable } = declaredOf(declared.globals, name);
      return { kind: 'global', type, mutable, value: globalValue(name, type, value as V8Global, exports, funcIndex) };
    }
    case 'tag':
      throw new TypeError(`export "${name}": tags are not described`);
  }
}

function globalValue(
  name: string,
  type: string,
  global: V8Global,
  exports: V8Instance['exports'],
  funcIndex: ReadonlyMap<unknown, number>,
): StateValue {
  switch (type) {
    case 'i32':
      return global.value as number;
    case 'i64':
      return (global.value as bigint).toString();
    case 'f32':
      return hex((callProbe(exports, bitsProbe(name)) as number) >>> 0, 8);
    case 'f64':
      return hex(BigInt.asUintN(64, callProbe(exports, bitsProbe(name)) as bigint), 16);
    case 'v128': {
      // Lane 0 holds bytes 0-7 little-endian, so the bytes in memory order are lane 0's
      // then lane 1's, each written little-endian.
      const bytes = Buffer.alloc(16);
      const [lo, hi] = laneProbes(name);
      bytes.writeBigInt64LE(callProbe(exports, lo) as bigint, 0);
      bytes.writeBigInt64LE(callProbe(exports, hi) as bigint, 8);
      return `0x${bytes.toString('hex')}`;
    }
    default:
      return describeRef(type, global.value, funcIndex);
  }
}

/** A reference of a func- or extern-family type (the only families the generator makes). */
function describeRef(type: string, value: unknown, funcIndex: ReadonlyMap<unknown, number>): StateValue {
  if (value === null) return null;
  if (isExternFamily(type)) return { extern: value };
  return { func: indexOf(funcIndex, value) };
}

function isExternFamily(type: string): boolean {
  return type === 'externref' || type === 'nullexternref' || /^\(ref (null )?(no)?extern\)$/.test(type);
}

/**
 * A function's index in the described instance; one of another instance (written into
 * an imported table by an instantiation that then trapped) keeps its index in its own
 * instance, as instance-state.ts describes it, which V8 gives as the function's name.
 */
function indexOf(funcIndex: ReadonlyMap<unknown, number>, func: unknown): number {
  const index = funcIndex.get(func);
  if (index !== undefined) return index;
  const name = typeof func === 'function' ? func.name : '';
  if (!/^\d+$/.test(name)) throw new TypeError(`function "${name}" has no probe export and no index name`);
  return Number(name);
}

function callProbe(exports: V8Instance['exports'], name: string): unknown {
  const probe = exports[name];
  if (typeof probe !== 'function') throw new TypeError(`missing probe export "${name}"`);
  return (probe as () => unknown)();
}

function declaredOf<T>(record: Readonly<Record<string, T>>, name: string): T {
  const entry = record[name];
  if (entry === undefined) throw new TypeError(`export "${name}" has no declared type`);
  return entry;
}

function hex(value: number | bigint, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}
