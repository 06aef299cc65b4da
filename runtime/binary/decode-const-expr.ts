// Decoding of the expressions outside function bodies (global, table and segment
// initializers, segment offsets). The binary format allows any instruction there; the
// constant ones are decoded with their operands, every other one is kept by name so
// validation can reject it.
import type { ByteReader } from './byte-reader.ts';
import { type BlockStack, readImmediates, readOpcode } from './decode-instruction.ts';
import { readHeapType, readTypeIndex } from './decode-types.ts';
import { GC_BASE, INSTRUCTION_IMMEDIATES, INSTRUCTION_NAMES, SIMD_BASE } from './instruction-table.ts';
import type { ConstExpr, ConstOp } from '../module/module.ts';

const END = 0x0b;

// Operand-free ops are immutable, so one object per opcode serves every expression.
const OPERAND_FREE = new Map<number, ConstOp>([
  [0x6a, { op: 'i32.add' }],
  [0x6b, { op: 'i32.sub' }],
  [0x6c, { op: 'i32.mul' }],
  [0x7c, { op: 'i64.add' }],
  [0x7d, { op: 'i64.sub' }],
  [0x7e, { op: 'i64.mul' }],
  [GC_BASE + 0x1a, { op: 'any.convert_extern' }],
  [GC_BASE + 0x1b, { op: 'extern.convert_any' }],
  [GC_BASE + 0x1c, { op: 'ref.i31' }],
]);
const others = new Map<number, ConstOp>();

function other(flat: number): ConstOp {
  let op = others.get(flat);
  if (op === undefined) {
    op = { op: 'other', name: INSTRUCTION_NAMES[flat] };
    others.set(flat, op);
  }
  return op;
}

/** Decodes an expression up to and including the `end` that closes it. */
export function decodeConstExpr(r: ByteReader, blocks: BlockStack): ConstExpr {
  const offset = r.pos;
  const ops: ConstOp[] = [];
  const offsets: number[] = [];
  blocks.length = 0;
  for (;;) {
    const at = r.pos;
    const flat = readOpcode(r);
    let op: ConstOp;
    switch (flat) {
      case END:
        if (blocks.length === 0) return { ops, offsets, offset };
        blocks.pop();
        op = other(flat);
        break;
      case 0x41:
        op = { op: 'i32.const', value: r.s32() };
        break;
      case 0x42:
        op = { op: 'i64.const', value: r.s64() };
        break;
      case 0x43:
        op = { op: 'f32.const', bits: r.u32le() };
        break;
      case 0x44:
        op = { op: 'f64.const', bits: r.u64le() };
        break;
      case SIMD_BASE + 0x0c:
        op = { op: 'v128.const', bytes: r.view(16) };
        break;
      case 0x23:
        op = { op: 'global.get', global: r.u32() };
        break;
      case 0xd0:
        op = { op: 'ref.null', heap: readHeapType(r) };
        break;
      case 0xd2:
        op = { op: 'ref.func', func: r.u32() };
        break;
      case GC_BASE + 0x00:
        op = { op: 'struct.new', type: readTypeIndex(r) };
        break;
      case GC_BASE + 0x01:
        op = { op: 'struct.new_default', type: readTypeIndex(r) };
        break;
      case GC_BASE + 0x06:
        op = { op: 'array.new', type: readTypeIndex(r) };
        break;
      case GC_BASE + 0x07:
        op = { op: 'array.new_default', type: readTypeIndex(r) };
        break;
      case GC_BASE + 0x08: {
        const type = readTypeIndex(r);
        op = { op: 'array.new_fixed', type, length: r.u32() };
        break;
      }
      default:
        op = OPERAND_FREE.get(flat) ?? other(flat);
        readImmediates(r, INSTRUCTION_IMMEDIATES[flat], at, blocks);
    }
    ops.push(op);
    offsets.push(at);
  }
}
