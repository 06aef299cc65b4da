// The binary encoding of generated modules (random-module.ts): a module given as plain
// data, written section by section. Only what the generator emits is supported.
//
// Modules are encoded here rather than assembled with wabt: wabt 1.0.39 cannot write
// table initializers, rejects `global.get` of a defined global in a constant expression
// (legal since Wasm 3.0), and encodes data segments of a second memory with a wrong
// memory index.
import type { ConstOp, GlobalType, HeapType, MemoryType, RefType, TableType, ValType } from '../module/module.ts';

export interface TypeDef {
  readonly final: boolean;
  readonly supertype?: number;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface RecGroupDef {
  readonly start: number;
  readonly size: number;
  /** Written as `rec` even when of size 1 (which means the same as no `rec`). */
  readonly explicit: boolean;
}

export type ImportDesc =
  | { readonly kind: 'func'; readonly type: number }
  | { readonly kind: 'table'; readonly type: TableType }
  | { readonly kind: 'memory'; readonly type: MemoryType }
  | { readonly kind: 'global'; readonly type: GlobalType };

export type ExportKind = 'func' | 'table' | 'memory' | 'global';

export interface ExportDef {
  readonly name: string;
  readonly kind: ExportKind;
  readonly index: number;
}

export type SegmentMode =
  | { readonly kind: 'active'; readonly index: number; readonly offset: readonly ConstOp[]; readonly explicit: boolean }
  | { readonly kind: 'passive' }
  | { readonly kind: 'declarative' };

export interface ElemDef {
  readonly mode: SegmentMode;
  readonly type: RefType;
  /** Function indices (the funcref-only encodings) or one expression per item. */
  readonly items: { readonly funcs: readonly number[] } | { readonly exprs: readonly (readonly ConstOp[])[] };
}

export interface DataDef {
  readonly mode: SegmentMode;
  readonly bytes: Uint8Array;
}

export interface ModuleDef {
  readonly types: readonly TypeDef[];
  readonly groups: readonly RecGroupDef[];
  readonly imports?: readonly { readonly module: string; readonly name: string; readonly desc: ImportDesc }[];
  /** Type index of each defined function; `bodies` holds their instructions (without `end`). */
  readonly funcs?: readonly number[];
  readonly bodies?: readonly (readonly number[])[];
  readonly tables?: readonly { readonly type: TableType; readonly init?: readonly ConstOp[] }[];
  readonly memories?: readonly MemoryType[];
  readonly globals?: readonly { readonly type: GlobalType; readonly init: readonly ConstOp[] }[];
  readonly exports?: readonly ExportDef[];
  readonly elems?: readonly ElemDef[];
  readonly dataCount?: boolean;
  readonly datas?: readonly DataDef[];
}

export function encodeModule(def: ModuleDef): Uint8Array {
  const w = new Writer();
  w.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  w.section(1, def.types.length > 0, (s) => s.vec(def.groups, (group) => writeRecGroup(s, def.types, group)));
  const imports = def.imports ?? [];
  w.section(2, imports.length > 0, (s) =>
    s.vec(imports, ({ module, name, desc }) => {
      s.name(module).name(name);
      writeImportDesc(s, desc);
    }),
  );
  const funcs = def.funcs ?? [];
  w.section(3, funcs.length > 0, (s) => s.vec(funcs, (t) => s.u32(t)));
  const tables = def.tables ?? [];
  w.section(4, tables.length > 0, (s) =>
    s.vec(tables, ({ type, init }) => {
      // The table-with-initializer encoding: 0x40 0x00 tabletype expr.
      if (init !== undefined) s.byte(0x40).byte(0x00);
      writeTableType(s, type);
      if (init !== undefined) s.expr(init);
    }),
  );
  const memories = def.memories ?? [];
  w.section(5, memories.length > 0, (s) => s.vec(memories, (type) => writeLimits(s, type.addressType, type.limits)));
  const globals = def.globals ?? [];
  w.section(6, globals.length > 0, (s) =>
    s.vec(globals, ({ type, init }) => {
      writeGlobalType(s, type);
      s.expr(init);
    }),
  );
  const exports = def.exports ?? [];
  w.section(7, exports.length > 0, (s) => s.vec(exports, ({ name, kind, index }) => s.name(name).byte(EXPORT_KIND[kind]).u32(index)));
  const elems = def.elems ?? [];
  w.section(9, elems.length > 0, (s) => s.vec(elems, (elem) => writeElem(s, elem)));
  const datas = def.datas ?? [];
  w.section(12, def.dataCount === true, (s) => s.u32(datas.length));
  const bodies = def.bodies ?? [];
  w.section(10, bodies.length > 0, (s) => s.vec(bodies, (body) => s.u32(body.length + 2).byte(0x00).bytes(body).byte(0x0b)));
  w.section(11, datas.length > 0, (s) => s.vec(datas, (data) => writeData(s, data)));
  return w.finish();
}

/** Instructions of a probe reading global `index`: see v8-instance-state.ts. */
export const probeCode = {
  /** i32.reinterpret_f32 */
  f32Bits: (index: number): number[] => [0x23, ...u32(index), 0xbc],
  /** i64.reinterpret_f64 */
  f64Bits: (index: number): number[] => [0x23, ...u32(index), 0xbd],
  /** i64x2.extract_lane */
  v128Lane: (index: number, lane: 0 | 1): number[] => [0x23, ...u32(index), 0xfd, ...u32(29), lane],
  /** unreachable: a valid body for any function type. */
  unreachable: (): number[] => [0x00],
};

const EXPORT_KIND: Record<ExportKind, number> = { func: 0x00, table: 0x01, memory: 0x02, global: 0x03 };

const HEAP_BYTES: Partial<Record<string, number>> = { func: 0x70, extern: 0x6f, nofunc: 0x73, noextern: 0x72 };

const ARITH_OPCODES: Partial<Record<string, number>> = {
  'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c, 'i64.add': 0x7c, 'i64.sub': 0x7d, 'i64.mul': 0x7e,
};

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

class Writer {
  private readonly out: number[] = [];

  byte(b: number): this {
    this.out.push(b);
    return this;
  }

  bytes(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]);
    return this;
  }

  u32(value: number): this {
    return this.bytes(u32(value));
  }

  /** Signed LEB128 of any width (i32 and i64 immediates, s33 heap type indices). */
  sleb(value: bigint): this {
    for (;;) {
      const byte = Number(value & 0x7fn);
      value >>= 7n;
      const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
      this.out.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  name(text: string): this {
    const bytes = new TextEncoder().encode(text);
    return this.u32(bytes.length).bytes(bytes);
  }

  vec<T>(items: readonly T[], write: (item: T) => void): this {
    this.u32(items.length);
    for (const item of items) write(item);
    return this;
  }

  section(id: number, present: boolean, write: (body: Writer) => void): void {
    if (!present) return;
    const body = new Writer();
    write(body);
    this.byte(id).u32(body.out.length).bytes(body.out);
  }

  expr(ops: readonly ConstOp[]): this {
    for (const op of ops) writeConstOp(this, op);
    return this.byte(0x0b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

function writeRecGroup(s: Writer, types: readonly TypeDef[], { start, size, explicit }: RecGroupDef): void {
  if (explicit) s.byte(0x4e).u32(size);
  for (let i = start; i < start + size; i++) writeSubType(s, types[i]);
}

function writeSubType(s: Writer, { final, supertype, params, results }: TypeDef): void {
  // A final type without supertypes may be written as its bare composite type.
  if (!final || supertype !== undefined) {
    s.byte(final ? 0x4f : 0x50);
    s.vec(supertype === undefined ? [] : [supertype], (t) => s.u32(t));
  }
  s.byte(0x60);
  s.vec(params, (t) => writeValType(s, t));
  s.vec(results, (t) => writeValType(s, t));
}

function writeHeapType(s: Writer, heap: HeapType): void {
  if (typeof heap === 'number') s.sleb(BigInt(heap));
  else s.byte(HEAP_BYTES[heap]!);
}

function writeValType(s: Writer, type: ValType): void {
  if (typeof type === 'string') {
    s.byte({ i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b }[type]);
  } else if (type.nullable && typeof type.heap === 'string') {
    writeHeapType(s, type.heap);
  } else {
    s.byte(type.nullable ? 0x63 : 0x64);
    writeHeapType(s, type.heap);
  }
}

function writeGlobalType(s: Writer, { type, mutable }: GlobalType): void {
  writeValType(s, type);
  s.byte(mutable ? 1 : 0);
}

function writeLimits(s: Writer, addressType: 'i32' | 'i64', { min, max }: { min: number; max?: number }): void {
  s.byte((max === undefined ? 0 : 1) | (addressType === 'i64' ? 4 : 0)).u32(min);
  if (max !== undefined) s.u32(max);
}

function writeTableType(s: Writer, type: TableType): void {
  writeValType(s, type.element);
  writeLimits(s, type.addressType, type.limits);
}

function writeImportDesc(s: Writer, desc: ImportDesc): void {
  switch (desc.kind) {
    case 'func':
      s.byte(0x00).u32(desc.type);
      return;
    case 'table':
      s.byte(0x01);
      writeTableType(s, desc.type);
      return;
    case 'memory':
      s.byte(0x02);
      writeLimits(s, desc.type.addressType, desc.type.limits);
      return;
    case 'global':
      s.byte(0x03);
      writeGlobalType(s, desc.type);
      return;
  }
}

function writeConstOp(s: Writer, op: ConstOp): void {
  switch (op.op) {
    case 'i32.const':
      s.byte(0x41).sleb(BigInt(op.value));
      return;
    case 'i64.const':
      s.byte(0x42).sleb(op.value);
      return;
    case 'f32.const': {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32LE(op.bits >>> 0);
      s.byte(0x43).bytes(bytes);
      return;
    }
    case 'f64.const': {
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64LE(op.bits);
      s.byte(0x44).bytes(bytes);
      return;
    }
    case 'v128.const':
      s.byte(0xfd).u32(12).bytes(op.bytes);
      return;
    case 'ref.null':
      s.byte(0xd0);
      writeHeapType(s, op.heap);
      return;
    case 'ref.func':
      s.byte(0xd2).u32(op.func);
      return;
    case 'global.get':
      s.byte(0x23).u32(op.global);
      return;
    default: {
      const opcode = ARITH_OPCODES[op.op];
      if (opcode === undefined) throw new Error(`the generator does not emit ${op.op}`);
      s.byte(opcode);
    }
  }
}

/** Element segment encodings 0-7 (https://webassembly.github.io/spec/core/binary/modules.html#element-section). */
function writeElem(s: Writer, { mode, type, items }: ElemDef): void {
  const exprForm = 'exprs' in items;
  const modeBits = mode.kind === 'active' ? (mode.explicit ? 2 : 0) : mode.kind === 'passive' ? 1 : 3;
  s.u32((exprForm ? 4 : 0) | modeBits);
  if (mode.kind === 'active' && mode.explicit) s.u32(mode.index);
  if (mode.kind === 'active') s.expr(mode.offset);
  // Encodings 0 and 4 imply funcref; the others name the element kind or type.
  if (modeBits !== 0) {
    if (exprForm) writeValType(s, type);
    else s.byte(0x00);
  }
  if (exprForm) s.vec(items.exprs, (ops) => s.expr(ops));
  else s.vec(items.funcs, (f) => s.u32(f));
}

function writeData(s: Writer, { mode, bytes }: DataDef): void {
  if (mode.kind === 'active') {
    if (mode.explicit) s.u32(2).u32(mode.index);
    else s.u32(0);
    s.expr(mode.offset);
  } else {
    s.u32(1);
  }
  s.u32(bytes.length).bytes(bytes);
}
