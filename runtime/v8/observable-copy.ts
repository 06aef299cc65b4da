// A copy of a module whose whole initialized state V8 can be made to show, for
// comparing V8's instance state with ours (v8-observed-state.ts). It is made from the
// binary, so it works for any module. The copy differs from the module only in ways
// instantiation cannot see:
// - every global, table and memory is also exported, as `__observe:global:3` etc.,
//   so state that the module keeps internal is compared too;
// - probe functions are appended (after every existing function, so no index moves):
//   the bits and lanes of float and v128 globals that v8-instance-state.ts reads, and
//   the GC probes below;
// - the start section is removed, because our runtime does not run code: both sides
//   then stop where our runtime stops (`skipStart`).
//
// V8's JS API shows structs and arrays only as opaque objects, and v8-instance-state.ts
// describes references as func or host values only. So exports of the any hierarchy
// (structs, arrays, i31, eq, any) and of the extern hierarchy (which may hold
// externalized structs, arrays and i31s) are renamed to probe names, which that reader
// skips, and V8's side describes them through GC probes: a root probe per such global
// or table returns its value, and per struct or array type a test probe (`ref.test`),
// field or element readers and a length; `i31.get_s`, `any.convert_extern` (to see into
// an extern value) and `ref.eq` (object identity) are probes too. JS passes the opaque
// objects back into them. Our side describes the renamed exports directly and gives
// them their names back (`observedState`).
import type { CompiledModule } from '../module/compile.ts';
import type { ExportState, InstanceState } from '../embedder/instance-state.ts';
import type { ExternKind, StorageType, SubType, ValType } from '../module/module.ts';
import { storageTypeName } from '../module/type-names.ts';
import { moduleHeapFamily } from '../module/ref-family.ts';
import { bitsProbe, isProbe, laneProbes, PROBE_PREFIX, type DeclaredTypes } from './v8-instance-state.ts';
import { concatBytes } from '../binary/wasm-bytes.ts';

export const OBSERVE_PREFIX = '__observe:';

export function observeExport(kind: 'global' | 'table' | 'memory', index: number): string {
  return `${OBSERVE_PREFIX}${kind}:${index}`;
}

const GC_EXPORT_PREFIX = `${PROBE_PREFIX}gc-export:`;

/**
 * The name under which an export of the copy is described: a GC export's own name
 * again, `undefined` for a probe.
 */
export function observedName(exportName: string): string | undefined {
  if (exportName.startsWith(GC_EXPORT_PREFIX)) return exportName.slice(GC_EXPORT_PREFIX.length);
  return isProbe(exportName) ? undefined : exportName;
}

/**
 * The state of the copy as the module's own exports plus the observed ones: probes
 * dropped, GC exports under their names again.
 */
export function observedState(state: InstanceState): InstanceState {
  const exports: Record<string, ExportState> = {};
  for (const [name, value] of Object.entries(state.exports)) {
    const observed = observedName(name);
    if (observed !== undefined) exports[observed] = value;
  }
  return { exports };
}

/** An export whose value v8-instance-state.ts cannot describe: read through the GC probes. */
export interface GcRoot {
  readonly exportName: string;
  readonly kind: 'global' | 'table';
  readonly index: number;
  /** The hierarchy of the global's or table's type. */
  readonly family: 'any' | 'extern';
}

export interface ObservableCopy {
  readonly bytes: Uint8Array;
  /** Types of the exported globals and tables runtime/v8-instance-state.ts describes. */
  readonly declared: DeclaredTypes;
  readonly gcRoots: readonly GcRoot[];
  /** The module had a start function, which the copy does not. */
  readonly startRemoved: boolean;
}

/** Names of the GC probes (see the file comment). */
export const gcProbe = {
  global: (index: number) => `${PROBE_PREFIX}gc-global:${index}`,
  table: (index: number) => `${PROBE_PREFIX}gc-table:${index}`,
  tableSize: (index: number) => `${PROBE_PREFIX}gc-table-size:${index}`,
  test: (type: number) => `${PROBE_PREFIX}gc-test:${type}`,
  field: (type: number, field: number, lane = '') => `${PROBE_PREFIX}gc-field:${type}:${field}${lane}`,
  length: (type: number) => `${PROBE_PREFIX}gc-length:${type}`,
  element: (type: number, lane = '') => `${PROBE_PREFIX}gc-element:${type}${lane}`,
  i31Test: `${PROBE_PREFIX}gc-i31-test`,
  i31: `${PROBE_PREFIX}gc-i31`,
  /** `any.convert_extern`: an extern value as the any-hierarchy value it is. */
  internalize: `${PROBE_PREFIX}gc-internalize`,
  /** `ref.eq` of two eqref values, as 1 or 0. */
  eq: `${PROBE_PREFIX}gc-eq`,
} as const;

export function observableCopy(compiled: CompiledModule): ObservableCopy {
  const { module, info } = compiled;
  const builder = new ProbeBuilder(module.types.length, info.funcTypes.length);
  const gcFamily = (type: ValType): 'any' | 'extern' | undefined => {
    if (typeof type === 'string') return undefined;
    const family = moduleHeapFamily(module.types, type.heap);
    return family === 'any' || family === 'extern' ? family : undefined;
  };

  const exports: { name: string; kind: ExternKind; index: number }[] = [];
  const globals: Record<string, { type: string; mutable: boolean }> = {};
  const tables: Record<string, { type: string }> = {};
  const gcRoots: GcRoot[] = [];
  const observed = [
    ...module.exports,
    ...info.globals.map((_, i) => ({ name: observeExport('global', i), kind: 'global' as const, index: i })),
    ...info.tables.map((_, i) => ({ name: observeExport('table', i), kind: 'table' as const, index: i })),
    ...info.memories.map((_, i) => ({ name: observeExport('memory', i), kind: 'memory' as const, index: i })),
  ];
  for (const { name, kind, index } of observed) {
    if (kind === 'global') {
      const { type, mutable } = info.globals[index];
      const family = gcFamily(type);
      if (family !== undefined) {
        gcRoots.push({ exportName: name, kind, index, family });
        exports.push({ name: GC_EXPORT_PREFIX + name, kind, index });
        continue;
      }
      globals[name] = { type: storageTypeName(type), mutable };
      builder.addGlobalBitsProbes(name, index, type);
    } else if (kind === 'table') {
      const { element } = info.tables[index];
      const family = gcFamily(element);
      if (family !== undefined) {
        gcRoots.push({ exportName: name, kind, index, family });
        exports.push({ name: GC_EXPORT_PREFIX + name, kind, index });
        continue;
      }
      tables[name] = { type: storageTypeName(element) };
    }
    exports.push({ name, kind, index });
  }
  if (gcRoots.length > 0) {
    for (const { kind, index, family } of gcRoots) {
      if (kind === 'global') builder.addGlobalRootProbe(index, family);
      else builder.addTableRootProbes(index, family, info.tables[index].addressType);
    }
    builder.addTypeProbes(module.types);
  }
  exports.push(...builder.exports);

  const sections = readSections(compiled.bytes).filter((section) => section.id !== START_SECTION);
  const withVec = (id: number, extra: readonly Uint8Array[]): void => {
    if (extra.length === 0) return;
    const section = sections.find((s) => s.id === id);
    const old = section === undefined ? { count: 0, rest: new Uint8Array(0) } : splitVec(section.content);
    setSection(sections, id, concatBytes([u32(old.count + extra.length), old.rest, ...extra]));
  };
  withVec(TYPE_SECTION, builder.types);
  withVec(FUNCTION_SECTION, builder.funcTypeIndices);
  setSection(sections, EXPORT_SECTION, concatBytes([u32(exports.length), ...exports.map(encodeExport)]));
  withVec(CODE_SECTION, builder.bodies);

  const parts: Uint8Array[] = [compiled.bytes.subarray(0, 8)];
  for (const { id, content } of sections) parts.push(Uint8Array.of(id), u32(content.length), content);
  return {
    bytes: concatBytes(parts),
    declared: { globals, tables },
    gcRoots,
    startRemoved: module.start !== undefined,
  };
}

/** The module without its start section: what V8 can instantiate without running code. */
export function withoutStartSection(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const { id, content } of readSections(bytes)) {
    if (id !== START_SECTION) parts.push(Uint8Array.of(id), u32(content.length), content);
  }
  return concatBytes(parts);
}

// ---- Probes ---------------------------------------------------------------------------

const I32 = 0x7f;
const I64 = 0x7e;
const FUNCREF = 0x70;
const EXTERNREF = 0x6f;
const ANYREF = 0x6e;
const EQREF = 0x6d;
const I31_HEAP = 0x6c;

const LOCAL_GET = 0x20;
const GLOBAL_GET = 0x23;
const TABLE_GET = 0x25;
const REF_EQ = 0xd3;
const I32_REINTERPRET_F32 = 0xbc;
const I64_REINTERPRET_F64 = 0xbd;
const GC = 0xfb;
const STRUCT_GET = 2;
const STRUCT_GET_U = 4;
const ARRAY_GET = 11;
const ARRAY_GET_U = 13;
const ARRAY_LEN = 15;
const REF_TEST = 20;
const REF_CAST = 22;
const ANY_CONVERT_EXTERN = 26;
const I31_GET_S = 29;
const MISC = 0xfc;
const TABLE_SIZE = 16;
const SIMD = 0xfd;
const I64X2_EXTRACT_LANE = 29;

/** Collects probe functions, their types and exports for appending to a module. */
class ProbeBuilder {
  readonly types: Uint8Array[] = [];
  readonly funcTypeIndices: Uint8Array[] = [];
  readonly bodies: Uint8Array[] = [];
  readonly exports: { name: string; kind: 'func'; index: number }[] = [];
  private readonly names = new Set<string>();
  private readonly typeIndices = new Map<string, number>();
  private readonly firstNewType: number;
  private readonly firstNewFunc: number;

  /** New types and functions are numbered after the module's `types` and `funcs`. */
  constructor(types: number, funcs: number) {
    this.firstNewType = types;
    this.firstNewFunc = funcs;
  }

  addGlobalBitsProbes(exportName: string, global: number, type: ValType): void {
    const get = [GLOBAL_GET, ...u32(global)];
    if (type === 'f32') this.add(bitsProbe(exportName), [], [I32], [...get, I32_REINTERPRET_F32]);
    if (type === 'f64') this.add(bitsProbe(exportName), [], [I64], [...get, I64_REINTERPRET_F64]);
    if (type === 'v128') {
      laneProbes(exportName).forEach((name, lane) => this.add(name, [], [I64], [...get, ...extractLane(lane)]));
    }
  }

  /** A probe returning the global's value, typed as its hierarchy's top. */
  addGlobalRootProbe(global: number, family: 'any' | 'extern'): void {
    const name = gcProbe.global(global);
    if (!this.has(name)) this.add(name, [], [topOf(family)], [GLOBAL_GET, ...u32(global)]);
  }

  /** Probes returning the table's size and an element, typed as its hierarchy's top. */
  addTableRootProbes(table: number, family: 'any' | 'extern', addressType: 'i32' | 'i64'): void {
    if (this.has(gcProbe.table(table))) return;
    const address = addressType === 'i64' ? I64 : I32;
    this.add(gcProbe.table(table), [address], [topOf(family)], [LOCAL_GET, 0, TABLE_GET, ...u32(table)]);
    this.add(gcProbe.tableSize(table), [], [address], [MISC, ...u32(TABLE_SIZE), ...u32(table)]);
  }

  addTypeProbes(types: readonly SubType[]): void {
    this.add(gcProbe.i31Test, [ANYREF], [I32], [LOCAL_GET, 0, GC, ...u32(REF_TEST), I31_HEAP]);
    this.add(gcProbe.i31, [ANYREF], [I32], [LOCAL_GET, 0, GC, ...u32(REF_CAST), I31_HEAP, GC, ...u32(I31_GET_S)]);
    this.add(gcProbe.internalize, [EXTERNREF], [ANYREF], [LOCAL_GET, 0, GC, ...u32(ANY_CONVERT_EXTERN)]);
    this.add(gcProbe.eq, [EQREF, EQREF], [I32], [LOCAL_GET, 0, LOCAL_GET, 1, REF_EQ]);
    types.forEach(({ composite }, t) => {
      if (composite.kind === 'func') return;
      const cast = [LOCAL_GET, 0, GC, ...u32(REF_CAST), ...s33(t)];
      this.add(gcProbe.test(t), [ANYREF], [I32], [LOCAL_GET, 0, GC, ...u32(REF_TEST), ...s33(t)]);
      if (composite.kind === 'struct') {
        composite.fields.forEach(({ storage }, f) => {
          const get = [...cast, GC, ...u32(isPacked(storage) ? STRUCT_GET_U : STRUCT_GET), ...u32(t), ...u32(f)];
          this.addRead((lane) => gcProbe.field(t, f, lane), [ANYREF], storage, get, types);
        });
      } else {
        this.add(gcProbe.length(t), [ANYREF], [I32], [...cast, GC, ...u32(ARRAY_LEN)]);
        const { storage } = composite.element;
        const get = [...cast, LOCAL_GET, 1, GC, ...u32(isPacked(storage) ? ARRAY_GET_U : ARRAY_GET), ...u32(t)];
        this.addRead((lane) => gcProbe.element(t, lane), [ANYREF, I32], storage, get, types);
      }
    });
  }

  /** A probe returning a stored value: floats as bits, v128 as two i64 lanes, references widened to their hierarchy's top. */
  private addRead(
    name: (lane: string) => string,
    params: number[],
    storage: StorageType,
    get: number[],
    types: readonly SubType[],
  ): void {
    switch (storage) {
      case 'i8':
      case 'i16':
      case 'i32':
        return this.add(name(''), params, [I32], get);
      case 'i64':
        return this.add(name(''), params, [I64], get);
      case 'f32':
        return this.add(name(''), params, [I32], [...get, I32_REINTERPRET_F32]);
      case 'f64':
        return this.add(name(''), params, [I64], [...get, I64_REINTERPRET_F64]);
      case 'v128':
        this.add(name(':lo'), params, [I64], [...get, ...extractLane(0)]);
        return this.add(name(':hi'), params, [I64], [...get, ...extractLane(1)]);
      default: {
        const family = moduleHeapFamily(types, storage.heap);
        // exnref cannot cross into JS; such a field is reported when read (v8-observed-state.ts).
        if (family === 'exn') return;
        return this.add(name(''), params, [topOf(family)], get);
      }
    }
  }

  private has(name: string): boolean {
    return this.names.has(name);
  }

  private add(name: string, params: readonly number[], results: readonly number[], code: readonly number[]): void {
    this.funcTypeIndices.push(u32(this.typeIndex(params, results)));
    this.bodies.push(sized(Uint8Array.of(0, ...code, 0x0b)));
    this.exports.push({ name, kind: 'func', index: this.firstNewFunc + this.exports.length });
    this.names.add(name);
  }

  private typeIndex(params: readonly number[], results: readonly number[]): number {
    const key = `${params.join(',')}->${results.join(',')}`;
    let index = this.typeIndices.get(key);
    if (index === undefined) {
      index = this.firstNewType + this.types.length;
      this.types.push(Uint8Array.of(0x60, ...u32(params.length), ...params, ...u32(results.length), ...results));
      this.typeIndices.set(key, index);
    }
    return index;
  }
}

function topOf(family: 'func' | 'extern' | 'any'): number {
  return family === 'func' ? FUNCREF : family === 'extern' ? EXTERNREF : ANYREF;
}

function isPacked(storage: StorageType): boolean {
  return storage === 'i8' || storage === 'i16';
}

function extractLane(lane: number): number[] {
  return [SIMD, ...u32(I64X2_EXTRACT_LANE), lane];
}

// ---- Sections --------------------------------------------------------------------------

const TYPE_SECTION = 1;
const FUNCTION_SECTION = 3;
const EXPORT_SECTION = 7;
const START_SECTION = 8;
const CODE_SECTION = 10;
/** Section ids in the order the binary format requires (custom sections, 0, go anywhere). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

interface Section {
  readonly id: number;
  content: Uint8Array;
}

function readSections(bytes: Uint8Array): Section[] {
  const sections: Section[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = readU32(bytes, at);
    at = size.end;
    sections.push({ id, content: bytes.subarray(at, at + size.value) });
    at += size.value;
  }
  return sections;
}

/** Replaces a section's content, or inserts the section where the binary format orders it. */
function setSection(sections: Section[], id: number, content: Uint8Array): void {
  const existing = sections.find((s) => s.id === id);
  if (existing !== undefined) {
    existing.content = content;
    return;
  }
  const rank = SECTION_ORDER.indexOf(id);
  const after = sections.findIndex((s) => s.id !== 0 && SECTION_ORDER.indexOf(s.id) > rank);
  sections.splice(after === -1 ? sections.length : after, 0, { id, content });
}

function splitVec(content: Uint8Array): { count: number; rest: Uint8Array } {
  const count = readU32(content, 0);
  return { count: count.value, rest: content.subarray(count.end) };
}

const EXTERN_KIND_BYTE: Record<ExternKind, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

function encodeExport({ name, kind, index }: { name: string; kind: ExternKind; index: number }): Uint8Array {
  const utf8 = new TextEncoder().encode(name);
  return concatBytes([u32(utf8.length), utf8, Uint8Array.of(EXTERN_KIND_BYTE[kind]), u32(index)]);
}

function sized(bytes: Uint8Array): Uint8Array {
  return concatBytes([u32(bytes.length), bytes]);
}

function readU32(bytes: Uint8Array, start: number): { value: number; end: number } {
  let value = 0;
  let shift = 0;
  let at = start;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, end: at };
    shift += 7;
  }
}

function u32(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Uint8Array.from(out);
}

/** A non-negative type index as a heap type: signed LEB128 (s33). */
function s33(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value === 0 && (byte & 0x40) === 0) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

