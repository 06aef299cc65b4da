import { wabtAssembler } from '../../workloads/wat.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.ts';
import { readLocals } from './decode-code.ts';
import { readImmediates, readOpcode } from './decode-instruction.ts';
import { decode } from './decode.ts';
import {
  GC_BASE,
  IMM_BLOCK,
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
  IMM_SELECT_T,
  IMM_TRY_TABLE,
  INSTRUCTION_IMMEDIATES,
  INSTRUCTION_NAMES,
  MISC_BASE,
  SIMD_BASE,
} from './instruction-table.ts';

/** Names of the instructions at flat opcodes `from`..`to`, holes included as ''. */
const names = (from: number, to: number): string[] => INSTRUCTION_NAMES.slice(from, to + 1);

describe('the opcode table', () => {
  it('leaves the reserved single-byte opcodes illegal', () => {
    const illegal = INSTRUCTION_IMMEDIATES.slice(0, 0x100).reduce<number[]>(
      (acc, imm, op) => (imm === IMM_ILLEGAL ? [...acc, op] : acc),
      [],
    );
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(illegal).toEqual([
      0x06, 0x07, 0x09, ...range(0x16, 0x19), 0x1d, 0x1e, 0x27, ...range(0xc5, 0xcf), ...range(0xd7, 0xff),
    ]);
  });

  it('places the prefixed ranges', () => {
    expect(names(GC_BASE, GC_BASE + 0x1e).every((n) => n !== '')).toBe(true);
    expect(INSTRUCTION_NAMES[GC_BASE + 0x1e]).toBe('i31.get_u');
    expect(names(MISC_BASE, MISC_BASE + 0x11).every((n) => n !== '')).toBe(true);
    expect(INSTRUCTION_NAMES[MISC_BASE + 0x11]).toBe('table.fill');
    expect(INSTRUCTION_NAMES[SIMD_BASE + 0xff]).toBe('f64x2.convert_low_i32x4_u');
    expect(INSTRUCTION_NAMES[SIMD_BASE + 0x113]).toBe('i32x4.relaxed_dot_i8x16_i7x16_add_s');
    const simdHoles = names(SIMD_BASE, SIMD_BASE + 0x113).flatMap((n, i) => (n === '' ? [i] : []));
    expect(simdHoles).toEqual([
      0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee,
    ]);
  });

  it('marks exactly the instructions that use a data index', () => {
    const dataInstructions = INSTRUCTION_NAMES.filter(
      (_, flat) => INSTRUCTION_IMMEDIATES[flat] === IMM_DATA_IDX || INSTRUCTION_IMMEDIATES[flat] === IMM_DATA_IDX2,
    );
    expect(dataInstructions.sort()).toEqual(['array.init_data', 'array.new_data', 'data.drop', 'memory.init']);
  });
});

// Instructions wabt 1.0.39 cannot assemble (GC and typed function references); their
// encodings are covered by hand-made bytes in decode.test.ts.
const NOT_IN_WABT = new Set([
  'call_ref', 'return_call_ref', 'ref.eq', 'ref.as_non_null', 'br_on_null', 'br_on_non_null',
]);

/** Text for one instruction with sample immediates, and the names a decoder reads for it. */
function sample(flat: number): { text: string; names: string[] } | undefined {
  const name = INSTRUCTION_NAMES[flat];
  if (name === '' || flat >= GC_BASE && flat < MISC_BASE || NOT_IN_WABT.has(name)) return undefined;
  const imm = INSTRUCTION_IMMEDIATES[flat];
  switch (imm) {
    case IMM_ELSE:
    case IMM_END:
      return undefined;
    case IMM_BLOCK:
      return { text: `${name} (result i32) end`, names: [name, 'end'] };
    case IMM_IF:
      return { text: 'if (type 0) nop else nop end', names: ['if', 'nop', 'else', 'nop', 'end'] };
    case IMM_TRY_TABLE:
      return { text: 'try_table (catch 0 0) (catch_ref 0 0) (catch_all 0) (catch_all_ref 0) end', names: [name, 'end'] };
  }
  const immediates: Record<number, string> = {
    [IMM_IDX]: '1',
    [IMM_IDX2]: '1 0',
    [IMM_DATA_IDX]: '0',
    [IMM_DATA_IDX2]: '1 0',
    [IMM_BR_TABLE]: '0 1 2 300',
    [IMM_SELECT_T]: '(result i32 externref)',
    [IMM_MEMARG]: '1 offset=0x100000000 align=1',
    [IMM_MEMARG_LANE]: 'offset=70000 1',
    [IMM_I32]: '-2147483648',
    [IMM_I64]: '-9223372036854775808',
    [IMM_F32]: 'nan:0x200000',
    [IMM_F64]: '-inf',
    [IMM_LANE]: '1',
    [IMM_HEAP_TYPE]: 'extern',
  };
  let text = `${name} ${immediates[imm] ?? ''}`;
  if (name === 'call_indirect' || name === 'return_call_indirect') text = `${name} 1 (type 0)`;
  if (name === 'v128.const') text = 'v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 255';
  if (imm === IMM_BYTES16 && name !== 'v128.const') text = `${name} 31 30 29 28 27 26 25 24 23 22 21 20 19 18 17 16`;
  return { text, names: [name] };
}

describe('instructions assembled by wabt', () => {
  let assemble: (wat: string) => Uint8Array;
  beforeAll(async () => {
    const assembleFile = await wabtAssembler({ validate: false });
    assemble = (wat) => assembleFile('test.wat', wat);
  });

  it('read back, by name and immediate length, as every instruction of one body', () => {
    const samples = INSTRUCTION_NAMES.flatMap((_, flat) => sample(flat) ?? []);
    expect(samples.length).toBeGreaterThan(450);
    // Type-incorrect on purpose: only the encoding matters, so the module is not validated.
    const bytes = assemble(`
      (module
        (type (func))
        (memory 1) (memory i64 1) (table 2 funcref) (tag) (data "") (elem func)
        (func (local i32) ${samples.map((s) => s.text).join('\n')}))`);
    const { offset, size } = decode(bytes).codes[0];
    const r = new ByteReader(bytes, offset, offset + size);
    readLocals(r);
    const read: string[] = [];
    const blocks: number[] = [];
    for (;;) {
      const at = r.pos;
      const flat = readOpcode(r);
      if (!readImmediates(r, INSTRUCTION_IMMEDIATES[flat], at, blocks)) break;
      read.push(INSTRUCTION_NAMES[flat]);
    }
    expect(read).toEqual(samples.flatMap((s) => s.names));
    expect(r.pos).toBe(offset + size);
  });
});
