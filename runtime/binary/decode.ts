// The binary decoder (https://webassembly.github.io/spec/core/binary/modules.html):
// module bytes to the `Module` of module.ts, or a 'malformed' CompileError.
import { ByteReader } from './byte-reader.ts';
import { readLocals, scanInstructions } from './decode-code.ts';
import { decodeConstExpr } from './decode-const-expr.ts';
import type { BlockStack } from './decode-instruction.ts';
import { decodeNameSection } from './decode-names.ts';
import { checkLimit, DEFAULT_LIMITS, type ImplementationLimits } from '../implementation-limits.ts';
import { emptyModule } from '../module/empty-module.ts';
import { DataSegmentsBuilder, exactAsNumber } from '../module/data-segments.ts';
import {
  readGlobalType,
  readMemoryType,
  readRecType,
  readRefType,
  readTableType,
  readTagType,
  readTypeIndex,
} from './decode-types.ts';
import type {
  ConstExpr,
  CustomSection,
  ElementItems,
  ElementMode,
  ElementSegment,
  Export,
  ExternKind,
  ExternType,
  FunctionBody,
  GlobalDef,
  Import,
  MemoryDef,
  Module,
  RecGroup,
  RefType,
  SubType,
  TableDef,
  TypeIndex,
} from '../module/module.ts';

const MAGIC = 0x6d736100; // "\0asm"
const VERSION = 1;

const SECTION_CUSTOM = 0;
const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_TABLE = 4;
const SECTION_MEMORY = 5;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_START = 8;
const SECTION_ELEMENT = 9;
const SECTION_CODE = 10;
const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;
const SECTION_TAG = 13;

/** Position of each non-custom section id in the required order (tag and data count sit out of id order). */
const SECTION_ORDER = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6];

const I32_CONST = 0x41;
const I64_CONST = 0x42;
const END = 0x0b;

const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

const FUNCREF: RefType = { nullable: true, heap: 'func' };
const NON_NULL_FUNCREF: RefType = { nullable: false, heap: 'func' };
const PASSIVE = { kind: 'passive' } as const;
const DECLARATIVE = { kind: 'declarative' } as const;

export interface DecodeOptions {
  /**
   * Read every instruction of every function body (the default), as the spec requires
   * to find malformed bodies. When false, a body is only delimited by its size and its
   * local declarations are read: malformed instructions, and the rule that instructions
   * using a data index require the data count section, are left for a body validator.
   */
  readonly checkBodies?: boolean;
  /** Counts past these are refused at the section's count, before its entries are read. */
  readonly limits?: ImplementationLimits;
}

/** Decodes a module, or throws a CompileError of kind 'malformed'. */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): Module {
  const customs: CustomSection[] = [];
  const d: Decoder = {
    r: new ByteReader(bytes),
    blocks: [],
    checkBodies: options.checkBodies ?? true,
    limits: options.limits ?? DEFAULT_LIMITS,
    // Every section is optional.
    module: emptyModule({ start: undefined, dataCount: undefined, customs, names: undefined, byteLength: bytes.length }),
    customs,
    codeSectionAt: -1,
    dataSectionAt: -1,
    firstDataUseAt: -1,
  };
  readPreamble(d.r);
  let lastOrder = 0;
  while (d.r.pos < bytes.length) lastOrder = readSection(d, lastOrder);
  checkSectionsAgree(d);
  return d.module;
}

/** A module as its sections fill it in. */
type ModuleFields = { -readonly [K in keyof Module]: Module[K] };

/** What decoding carries from one section to the next. */
interface Decoder {
  readonly r: ByteReader;
  readonly blocks: BlockStack;
  readonly checkBodies: boolean;
  readonly limits: ImplementationLimits;
  readonly module: ModuleFields;
  /** The module's custom sections, in order. */
  readonly customs: CustomSection[];
  /** Where the code and data sections start, and the first body that uses a data index (-1: none). */
  codeSectionAt: number;
  dataSectionAt: number;
  firstDataUseAt: number;
}

/** A section's entry count, refused past its limit before any entry is read. */
function sectionCount({ r, limits }: Decoder, name: keyof ImplementationLimits, what: string): number {
  const n = r.count();
  checkLimit(limits, name, n, what);
  return n;
}

/** The magic number and the version. */
function readPreamble(r: ByteReader): void {
  if (r.u32le() !== MAGIC) r.fail('magic header not detected', 0);
  if (r.u32le() !== VERSION) r.fail('unknown binary version', 4);
}

/** One section: id, size and contents, in the required order. Returns the section's position in that order. */
function readSection(d: Decoder, lastOrder: number): number {
  const r = d.r;
  const sectionAt = r.pos;
  const id = r.u8();
  if (id >= SECTION_ORDER.length) r.fail('malformed section id', sectionAt);
  const size = r.length();
  const end = r.pos + size;
  r.end = end;
  let order = lastOrder;
  if (id !== SECTION_CUSTOM) {
    order = SECTION_ORDER[id];
    if (order <= lastOrder) r.fail('unexpected content after last section', sectionAt);
  }
  SECTION_READERS[id](d, end);
  if (r.pos !== end) r.fail('section size mismatch', r.pos);
  r.end = r.bytes.length;
  return order;
}

/** The counts that two sections both give must agree. */
function checkSectionsAgree({ r, module, codeSectionAt, dataSectionAt, firstDataUseAt }: Decoder): void {
  const byteLength = r.bytes.length;
  if (module.codes.length !== module.funcs.length) {
    r.fail('function and code section have inconsistent lengths', codeSectionAt < 0 ? byteLength : codeSectionAt);
  }
  if (module.dataCount !== undefined && module.dataCount !== module.datas.length) {
    r.fail('data count and data section have inconsistent lengths', dataSectionAt < 0 ? byteLength : dataSectionAt);
  }
  if (module.dataCount === undefined && firstDataUseAt >= 0) r.fail('data count section required', firstDataUseAt);
}

/** The reader of each section, by section id. */
const SECTION_READERS: Readonly<Record<number, (d: Decoder, end: number) => void>> = {
  [SECTION_CUSTOM]: readCustomSection,
  [SECTION_TYPE]: readTypeSection,
  [SECTION_IMPORT]: readImportSection,
  [SECTION_FUNCTION]: readFunctionSection,
  [SECTION_TABLE]: readTableSection,
  [SECTION_MEMORY]: readMemorySection,
  [SECTION_GLOBAL]: readGlobalSection,
  [SECTION_EXPORT]: readExportSection,
  [SECTION_START]: readStartSection,
  [SECTION_ELEMENT]: readElementSection,
  [SECTION_CODE]: readCodeSection,
  [SECTION_DATA]: readDataSection,
  [SECTION_DATA_COUNT]: readDataCountSection,
  [SECTION_TAG]: readTagSection,
};

function readCustomSection({ r, module, customs }: Decoder, end: number): void {
  const name = r.name();
  const offset = r.pos;
  customs.push({ name, offset, size: end - offset });
  if (name === 'name' && module.names === undefined) module.names = decodeNameSection(r.bytes, offset, end);
  r.pos = end;
}

function readTypeSection(d: Decoder): void {
  const { r, module, limits } = d;
  const types: SubType[] = [];
  const recGroups: RecGroup[] = [];
  const n = sectionCount(d, 'types', 'types');
  for (let i = 0; i < n; i++) {
    readRecType(r, types, recGroups);
    checkLimit(limits, 'types', types.length, 'types');
  }
  module.types = types;
  module.recGroups = recGroups;
}

function readImportSection(d: Decoder): void {
  const { r, module } = d;
  const imports: Import[] = [];
  const n = sectionCount(d, 'imports', 'imports');
  for (let i = 0; i < n; i++) imports.push(readImport(r));
  module.imports = imports;
}

function readFunctionSection(d: Decoder): void {
  const { r, module } = d;
  const n = sectionCount(d, 'functions', 'functions');
  const funcs = new Array<TypeIndex>(n);
  for (let i = 0; i < n; i++) funcs[i] = readTypeIndex(r);
  module.funcs = funcs;
}

function readTableSection(d: Decoder): void {
  const { r, blocks, module } = d;
  const tables: TableDef[] = [];
  const n = sectionCount(d, 'tables', 'tables');
  for (let i = 0; i < n; i++) tables.push(readTable(r, blocks));
  module.tables = tables;
}

function readMemorySection(d: Decoder): void {
  const { r, module } = d;
  const memories: MemoryDef[] = [];
  const n = sectionCount(d, 'memories', 'memories');
  for (let i = 0; i < n; i++) {
    const offset = r.pos;
    memories.push({ type: readMemoryType(r), offset });
  }
  module.memories = memories;
}

function readTagSection(d: Decoder): void {
  const { r, module } = d;
  const tags: TypeIndex[] = [];
  const n = sectionCount(d, 'tags', 'tags');
  for (let i = 0; i < n; i++) tags.push(readTagType(r));
  module.tags = tags;
}

function readGlobalSection(d: Decoder): void {
  const { r, blocks, module } = d;
  const globals: GlobalDef[] = [];
  const n = sectionCount(d, 'globals', 'globals');
  for (let i = 0; i < n; i++) {
    const offset = r.pos;
    const type = readGlobalType(r);
    globals.push({ type, init: decodeConstExpr(r, blocks), offset });
  }
  module.globals = globals;
}

function readExportSection(d: Decoder): void {
  const { r, module } = d;
  const exports: Export[] = [];
  const n = sectionCount(d, 'exports', 'exports');
  for (let i = 0; i < n; i++) exports.push(readExport(r));
  module.exports = exports;
}

function readStartSection({ r, module }: Decoder): void {
  module.start = r.u32();
}

function readElementSection(d: Decoder): void {
  const { r, blocks, module } = d;
  const elements: ElementSegment[] = [];
  const n = sectionCount(d, 'elementSegments', 'element segments');
  for (let i = 0; i < n; i++) elements.push(readElementSegment(r, blocks));
  module.elements = elements;
}

function readDataCountSection({ r, module }: Decoder): void {
  module.dataCount = r.u32();
}

/**
 * Function bodies: each delimited by its size, its locals read, and its instructions
 * scanned unless `checkBodies` is off. Notes the first body that uses a data index.
 */
function readCodeSection(d: Decoder, end: number): void {
  const { r, blocks } = d;
  d.codeSectionAt = r.pos;
  const n = r.count();
  const codes = new Array<FunctionBody>(n);
  for (let i = 0; i < n; i++) {
    const bodySize = r.length();
    checkLimit(d.limits, 'functionBodyBytes', bodySize, `code entry ${i}: body bytes`);
    const offset = r.pos;
    r.end = offset + bodySize;
    readLocals(r);
    if (!d.checkBodies) r.pos = r.end;
    else if (scanInstructions(r, blocks) && d.firstDataUseAt < 0) d.firstDataUseAt = offset;
    r.end = end;
    codes[i] = { offset, size: bodySize };
  }
  d.module.codes = codes;
}

/** Data segments go into columns (data-segments.ts): nothing is allocated per segment. */
function readDataSection(d: Decoder): void {
  const { r, blocks } = d;
  d.dataSectionAt = r.pos;
  const n = sectionCount(d, 'dataSegments', 'data segments');
  const datas = new DataSegmentsBuilder(r.bytes, n);
  for (let i = 0; i < n; i++) readDataSegment(r, blocks, datas);
  d.module.datas = datas.finish();
}

function readImport(r: ByteReader): Import {
  const offset = r.pos;
  const module = r.name();
  const name = r.name();
  const kindAt = r.pos;
  let desc: ExternType;
  switch (r.u8()) {
    case 0x00:
      desc = { kind: 'func', typeIndex: readTypeIndex(r) };
      break;
    case 0x01:
      desc = { kind: 'table', type: readTableType(r) };
      break;
    case 0x02:
      desc = { kind: 'memory', type: readMemoryType(r) };
      break;
    case 0x03:
      desc = { kind: 'global', type: readGlobalType(r) };
      break;
    case 0x04:
      desc = { kind: 'tag', typeIndex: readTagType(r) };
      break;
    default:
      r.fail('malformed import kind', kindAt);
  }
  return { module, name, desc, offset };
}

function readExport(r: ByteReader): Export {
  const offset = r.pos;
  const name = r.name();
  const kindAt = r.pos;
  const kind = EXTERN_KINDS[r.u8()];
  if (kind === undefined) r.fail('malformed export kind', kindAt);
  return { name, kind, index: r.u32(), offset };
}

function readTable(r: ByteReader, blocks: BlockStack): TableDef {
  const offset = r.pos;
  if (r.peek() !== 0x40) return { type: readTableType(r), offset };
  // The table-with-initializer encoding: 0x40 0x00 tabletype expr.
  r.pos++;
  const zeroAt = r.pos;
  if (r.u8() !== 0) r.fail('zero byte expected', zeroAt);
  const type = readTableType(r);
  return { type, init: decodeConstExpr(r, blocks), offset };
}

function readElementSegment(r: ByteReader, blocks: BlockStack): ElementSegment {
  const offset = r.pos;
  // Bit 0: passive or declarative (bit 1 tells which), else active; for active segments
  // bit 1 gives an explicit table index; bit 2: items are expressions, not indices.
  const flags = r.u32();
  if (flags > 7) r.fail('malformed elements segment kind', offset);
  let mode: ElementMode;
  if (flags & 1) {
    mode = flags & 2 ? DECLARATIVE : PASSIVE;
  } else {
    const table = flags & 2 ? r.u32() : 0;
    mode = { kind: 'active', table, offset: decodeConstExpr(r, blocks) };
  }
  const explicitType = (flags & 3) !== 0;
  let type: RefType;
  let items: ElementItems;
  if (flags & 4) {
    type = explicitType ? readRefType(r) : FUNCREF;
    const n = r.count();
    const exprs = new Array<ConstExpr>(n);
    for (let i = 0; i < n; i++) exprs[i] = decodeConstExpr(r, blocks);
    items = { kind: 'exprs', exprs };
  } else {
    if (explicitType) {
      const kindAt = r.pos;
      if (r.u8() !== 0x00) r.fail('malformed element kind', kindAt);
    }
    type = NON_NULL_FUNCREF;
    const n = r.count();
    const indices = new Uint32Array(n);
    for (let i = 0; i < n; i++) indices[i] = r.u32();
    items = { kind: 'funcs', indices };
  }
  return { mode, type, items, offset };
}

function readDataSegment(r: ByteReader, blocks: BlockStack, datas: DataSegmentsBuilder): void {
  const at = r.pos;
  // 0: active in memory 0; 1: passive; 2: active with an explicit memory index.
  const flags = r.u32();
  if (flags > 2) r.fail('malformed data segment kind', at);
  if (flags === 1) {
    const length = r.count();
    datas.passive(at, r.pos, length);
    r.skip(length);
    return;
  }
  const memory = flags === 2 ? r.u32() : 0;
  const offsetAt = r.pos;
  // An offset of one constant and `end` (nearly every one) is read without making a
  // ConstExpr. Whatever fails here fails the same way in decodeConstExpr, which reads
  // the same bytes first.
  const opcode = r.peek();
  if (opcode === I32_CONST || opcode === I64_CONST) {
    r.pos++;
    const value = opcode === I32_CONST ? r.s32() : r.s64();
    if ((typeof value === 'number' || exactAsNumber(value)) && r.peek() === END) {
      r.pos++;
      const length = r.count();
      datas.activeConstant(at, memory, opcode === I32_CONST ? 'i32' : 'i64', Number(value), offsetAt, r.pos, length);
      r.skip(length);
      return;
    }
    r.pos = offsetAt;
  }
  const offset = decodeConstExpr(r, blocks);
  const length = r.count();
  datas.active(at, memory, offset, r.pos, length);
  r.skip(length);
}
