// Reading instructions generically: opcodes and the immediates that follow them, checked
// for well-formedness only (what the immediates mean is for validation). Shared by the
// constant-expression decoder and the function-body scan.
import type { ByteReader } from './byte-reader.ts';
import { readHeapType, readValType } from './decode-types.ts';
import {
  GC_BASE,
  GC_COUNT,
  IMM_BLOCK,
  IMM_BR_ON_CAST,
  IMM_BR_TABLE,
  IMM_BYTES16,
  IMM_DATA_IDX,
  IMM_DATA_IDX2,
  IMM_ELSE,
  IMM_END,
  IMM_F32,
  IMM_F64,
  IMM_HEAP_TYPE,
  IMM_I32,
  IMM_I64,
  IMM_IDX,
  IMM_IDX2,
  IMM_IF,
  IMM_ILLEGAL,
  IMM_LANE,
  IMM_MEMARG,
  IMM_MEMARG_LANE,
  IMM_NONE,
  IMM_SELECT_T,
  IMM_TRY_TABLE,
  INSTRUCTION_IMMEDIATES,
  MISC_BASE,
  MISC_COUNT,
  PREFIX_GC,
  PREFIX_MISC,
  PREFIX_SIMD,
  SIMD_BASE,
  SIMD_COUNT,
} from './instruction-table.ts';

const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** Reads an opcode and returns its flat index (see instruction-table.ts). */
export function readOpcode(r: ByteReader): number {
  const at = r.pos;
  const op = r.u8();
  if (op < PREFIX_GC || op > PREFIX_SIMD) {
    if (INSTRUCTION_IMMEDIATES[op] === IMM_ILLEGAL) r.fail(`illegal opcode ${hex(op)}`, at);
    return op;
  }
  const sub = r.u32();
  const base = op === PREFIX_GC ? GC_BASE : op === PREFIX_MISC ? MISC_BASE : SIMD_BASE;
  const count = op === PREFIX_GC ? GC_COUNT : op === PREFIX_MISC ? MISC_COUNT : SIMD_COUNT;
  if (sub >= count || INSTRUCTION_IMMEDIATES[base + sub] === IMM_ILLEGAL) {
    r.fail(`illegal opcode ${hex(op)} ${hex(sub)}`, at);
  }
  return base + sub;
}

/**
 * The open blocks of an expression, innermost last, so the `end` that closes the
 * expression can be told from nested ones, and an `else` is only accepted once, right
 * inside an `if`.
 */
export type BlockStack = number[];
const BLOCK = 0;
const IF = 1;
const IF_ELSE = 2;

/** A block type: empty (0x40), a value type, or a type index as a non-negative s33. */
function readBlockType(r: ByteReader): void {
  const b = r.peek();
  if (b === 0x40) {
    r.pos++;
  } else if (b >= 0x40 && b < 0x80) {
    // One byte of a negative s33: a value type's encoding.
    readValType(r);
  } else {
    readBlockTypeIndex(r);
  }
}

/** A block type's type index: a non-negative s33 (a negative one of more bytes is no value type). */
export function readBlockTypeIndex(r: ByteReader): number {
  const at = r.pos;
  const index = r.s33();
  if (index < 0) r.fail('malformed type index', at);
  return index;
}

/** A memarg's flags: bit 6 announces a memory index (multi-memory), bits 0-5 are the alignment exponent. */
export function readMemargFlags(r: ByteReader): number {
  const at = r.pos;
  const flags = r.u32();
  if (flags >= 0x80) r.fail('malformed memop flags', at);
  return flags;
}

function readMemarg(r: ByteReader): void {
  if (readMemargFlags(r) & 0x40) r.u32();
  r.u64AsNumber();
}

/** A try_table catch clause's kind: catch, catch_ref, catch_all, catch_all_ref. */
export function readCatchKind(r: ByteReader): number {
  const at = r.pos;
  const kind = r.u8();
  if (kind > 3) r.fail('malformed catch clause', at);
  return kind;
}

/** br_on_cast's flags: bits 0 and 1 make the source and target types nullable. */
export function readBrOnCastFlags(r: ByteReader): number {
  const at = r.pos;
  const flags = r.u8();
  if (flags & ~0x03) r.fail('malformed br_on_cast flags', at);
  return flags;
}

function readCatches(r: ByteReader): void {
  const n = r.count();
  for (let i = 0; i < n; i++) {
    // catch and catch_ref name a tag before the label; catch_all(_ref) only a label.
    if (readCatchKind(r) < 2) r.u32();
    r.u32();
  }
}

/**
 * Reads the immediates of an instruction whose opcode (at `opOffset`) is already read,
 * tracking block structure in `blocks`. Returns false when the instruction is the `end`
 * that closes the whole expression.
 */
export function readImmediates(r: ByteReader, imm: number, opOffset: number, blocks: BlockStack): boolean {
  switch (imm) {
    case IMM_NONE:
      return true;
    case IMM_BLOCK:
      readBlockType(r);
      blocks.push(BLOCK);
      return true;
    case IMM_IF:
      readBlockType(r);
      blocks.push(IF);
      return true;
    case IMM_TRY_TABLE:
      readBlockType(r);
      readCatches(r);
      blocks.push(BLOCK);
      return true;
    case IMM_ELSE: {
      const top = blocks.length - 1;
      if (top < 0 || blocks[top] !== IF) r.fail('END opcode expected', opOffset);
      blocks[top] = IF_ELSE;
      return true;
    }
    case IMM_END:
      if (blocks.length === 0) return false;
      blocks.pop();
      return true;
    case IMM_IDX:
    case IMM_DATA_IDX:
      r.u32();
      return true;
    case IMM_IDX2:
    case IMM_DATA_IDX2:
      r.u32();
      r.u32();
      return true;
    case IMM_BR_TABLE: {
      const n = r.count();
      for (let i = 0; i <= n; i++) r.u32();
      return true;
    }
    case IMM_SELECT_T: {
      const n = r.count();
      for (let i = 0; i < n; i++) readValType(r);
      return true;
    }
    case IMM_MEMARG:
      readMemarg(r);
      return true;
    case IMM_MEMARG_LANE:
      readMemarg(r);
      r.u8();
      return true;
    case IMM_I32:
      r.s32();
      return true;
    case IMM_I64:
      r.skipS64();
      return true;
    case IMM_F32:
      r.skip(4);
      return true;
    case IMM_F64:
      r.skip(8);
      return true;
    case IMM_BYTES16:
      r.skip(16);
      return true;
    case IMM_LANE:
      r.u8();
      return true;
    case IMM_HEAP_TYPE:
      readHeapType(r);
      return true;
    case IMM_BR_ON_CAST: {
      readBrOnCastFlags(r);
      r.u32();
      readHeapType(r);
      readHeapType(r);
      return true;
    }
    default:
      throw new Error(`unknown immediate format ${imm}`);
  }
}
