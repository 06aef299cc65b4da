// The binary decoder (https://webassembly.github.io/spec/core/binary/modules.html):
// module bytes to the `Module` of module.ts, or a 'malformed' CompileError.
import { ByteReader } from './byte-reader.ts';
import { readLocals, scanInstructions } from './decode-code.ts';
import { decodeConstExpr } from './decode-const-expr.ts';
import type { BlockStack } from './decode-instruction.ts';
import { decodeNameSection } from './decode-names.ts';
import { checkLimit, DEFAULT_LIMITS, type ImplementationLimits } from '../implementation-limits.ts';
import {
  readGlobalType,
  readMemoryType,
  readRecType,
  readRefType,
  readTableType,
  readTagType,
} from './decode-types.ts';
import type {
  ConstExpr,
  CustomSection,
  DataSegment,
  ElementItems,
  ElementSegment,
  Export,
  ExternKind,
  ExternType,
  FunctionBody,
  GlobalDef,
  Import,
  MemoryDef,
  Module,
  NameSection,
  RecGroup,
  RefType,
  SegmentMode,
  SubType,
  TableDef,
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
  const checkBodies = options.checkBodies ?? true;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const count = (name: keyof ImplementationLimits, what: string): number => {
    const n = r.count();
    checkLimit(limits, name, n, what);
    return n;
  };
  const r = new ByteReader(bytes);
  const blocks: BlockStack = [];

  if (r.u32le() !== MAGIC) r.fail('magic header not detected', 0);
  if (r.u32le() !== VERSION) r.fail('unknown binary version', 4);

  const types: SubType[] = [];
  const recGroups: RecGroup[] = [];
  const imports: Import[] = [];
  let funcs: number[] = [];
  const tables: TableDef[] = [];
  const memories: MemoryDef[] = [];
  const globals: GlobalDef[] = [];
  const tags: number[] = [];
  const exports: Export[] = [];
  let start: number | undefined;
  const elements: ElementSegment[] = [];
  let dataCount: number | undefined;
  let codes: FunctionBody[] | undefined;
  const datas: DataSegment[] = [];
  const customs: CustomSection[] = [];
  let names: NameSection | undefined;

  let lastOrder = 0;
  let codeSectionAt = -1;
  let dataSectionAt = -1;
  let firstDataUseAt = -1;

  while (r.pos < bytes.length) {
    const sectionAt = r.pos;
    const id = r.u8();
    if (id >= SECTION_ORDER.length) r.fail('malformed section id', sectionAt);
    const size = r.length();
    const end = r.pos + size;
    r.end = end;
    if (id !== SECTION_CUSTOM) {
      const order = SECTION_ORDER[id];
      if (order <= lastOrder) r.fail('unexpected content after last section', sectionAt);
      lastOrder = order;
    }

    switch (id) {
      case SECTION_CUSTOM: {
        const name = r.name();
        const offset = r.pos;
        customs.push({ name, offset, size: end - offset });
        if (name === 'name' && names === undefined) names = decodeNameSection(bytes, offset, end);
        r.pos = end;
        break;
      }
      case SECTION_TYPE: {
        const n = count('types', 'types');
        for (let i = 0; i < n; i++) {
          readRecType(r, types, recGroups);
          checkLimit(limits, 'types', types.length, 'types');
        }
        break;
      }
      case SECTION_IMPORT: {
        const n = count('imports', 'imports');
        for (let i = 0; i < n; i++) imports.push(readImport(r));
        break;
      }
      case SECTION_FUNCTION: {
        const n = count('functions', 'functions');
        funcs = new Array<number>(n);
        for (let i = 0; i < n; i++) funcs[i] = r.u32();
        break;
      }
      case SECTION_TABLE: {
        const n = count('tables', 'tables');
        for (let i = 0; i < n; i++) tables.push(readTable(r, blocks));
        break;
      }
      case SECTION_MEMORY: {
        const n = count('memories', 'memories');
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          memories.push({ type: readMemoryType(r), offset });
        }
        break;
      }
      case SECTION_TAG: {
        const n = count('tags', 'tags');
        for (let i = 0; i < n; i++) tags.push(readTagType(r));
        break;
      }
      case SECTION_GLOBAL: {
        const n = count('globals', 'globals');
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          const type = readGlobalType(r);
          globals.push({ type, init: decodeConstExpr(r, blocks), offset });
        }
        break;
      }
      case SECTION_EXPORT: {
        const n = count('exports', 'exports');
        for (let i = 0; i < n; i++) exports.push(readExport(r));
        break;
      }
      case SECTION_START:
        start = r.u32();
        break;
      case SECTION_ELEMENT: {
        const n = count('elementSegments', 'element segments');
        for (let i = 0; i < n; i++) elements.push(readElementSegment(r, blocks));
        break;
      }
      case SECTION_DATA_COUNT:
        dataCount = r.u32();
        break;
      case SECTION_CODE: {
        codeSectionAt = r.pos;
        const n = r.count();
        codes = new Array<FunctionBody>(n);
        for (let i = 0; i < n; i++) {
          const bodySize = r.length();
          const offset = r.pos;
          r.end = offset + bodySize;
          readLocals(r);
          if (!checkBodies) r.pos = r.end;
          else if (scanInstructions(r, blocks) && firstDataUseAt < 0) firstDataUseAt = offset;
          r.end = end;
          codes[i] = { offset, size: bodySize };
        }
        break;
      }
      case SECTION_DATA: {
        dataSectionAt = r.pos;
        const n = count('dataSegments', 'data segments');
        for (let i = 0; i < n; i++) datas.push(readDataSegment(r, blocks));
        break;
      }
    }

    if (r.pos !== end) r.fail('section size mismatch', r.pos);
    r.end = bytes.length;
  }

  codes ??= [];
  if (codes.length !== funcs.length) {
    r.fail('function and code section have inconsistent lengths', codeSectionAt < 0 ? bytes.length : codeSectionAt);
  }
  if (dataCount !== undefined && dataCount !== datas.length) {
    r.fail('data count and data section have inconsistent lengths', dataSectionAt < 0 ? bytes.length : dataSectionAt);
  }
  if (dataCount === undefined && firstDataUseAt >= 0) r.fail('data count section required', firstDataUseAt);

  return {
    types,
    recGroups,
    imports,
    funcs,
    tables,
    memories,
    globals,
    tags,
    exports,
    start,
    elements,
    dataCount,
    codes,
    datas,
    customs,
    names,
    byteLength: bytes.length,
  };
}

function readImport(r: ByteReader): Import {
  const offset = r.pos;
  const module = r.name();
  const name = r.name();
  const kindAt = r.pos;
  let desc: ExternType;
  switch (r.u8()) {
    case 0x00:
      desc = { kind: 'func', typeIndex: r.u32() };
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
  let mode: SegmentMode<'table'>;
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

function readDataSegment(r: ByteReader, blocks: BlockStack): DataSegment {
  const offset = r.pos;
  // 0: active in memory 0; 1: passive; 2: active with an explicit memory index.
  const flags = r.u32();
  if (flags > 2) r.fail('malformed data segment kind', offset);
  let mode: SegmentMode<'memory'>;
  if (flags === 1) {
    mode = PASSIVE;
  } else {
    const memory = flags === 2 ? r.u32() : 0;
    mode = { kind: 'active', memory, offset: decodeConstExpr(r, blocks) };
  }
  return { mode, bytes: r.view(r.count()), offset };
}
