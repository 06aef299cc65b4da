// Every Wasm 3.0 instruction's text name and immediate format, indexed by a flat opcode:
// single-byte opcodes are themselves, prefixed ones (0xFB, 0xFC, 0xFD followed by a u32)
// are offset into ranges above 0xFF. Opcodes from the binary format chapter
// (https://webassembly.github.io/spec/core/binary/instructions.html).

/** Immediate formats. */
export const IMM_NONE = 0;
/** block, loop: a block type; opens a block. */
export const IMM_BLOCK = 1;
/** if: a block type; opens a block that may take one `else`. */
export const IMM_IF = 2;
export const IMM_ELSE = 3;
export const IMM_END = 4;
/** try_table: a block type and a vector of catch clauses; opens a block. */
export const IMM_TRY_TABLE = 5;
/** One index (u32). */
export const IMM_IDX = 6;
/** Two indices. */
export const IMM_IDX2 = 7;
/** data.drop: a data index. Kept apart: data indices require the data count section. */
export const IMM_DATA_IDX = 8;
/** memory.init, array.new_data, array.init_data: two indices, one a data index. */
export const IMM_DATA_IDX2 = 9;
export const IMM_BR_TABLE = 10;
/** select with a vector of value types. */
export const IMM_SELECT_T = 11;
export const IMM_MEMARG = 12;
/** A memarg, then a lane index. */
export const IMM_MEMARG_LANE = 13;
export const IMM_I32 = 14;
export const IMM_I64 = 15;
export const IMM_F32 = 16;
export const IMM_F64 = 17;
/** 16 raw bytes: v128.const, i8x16.shuffle. */
export const IMM_BYTES16 = 18;
export const IMM_LANE = 19;
export const IMM_HEAP_TYPE = 20;
/** br_on_cast, br_on_cast_fail: flags byte, label, two heap types. */
export const IMM_BR_ON_CAST = 21;
export const IMM_ILLEGAL = 255;

export const PREFIX_GC = 0xfb;
export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;

/** Flat opcode of the first instruction of each prefix's range. */
export const GC_BASE = 0x100;
export const MISC_BASE = GC_BASE + 0x20;
export const SIMD_BASE = MISC_BASE + 0x20;
export const GC_COUNT = 0x1f;
export const MISC_COUNT = 0x12;
export const SIMD_COUNT = 0x114;
const TOTAL = SIMD_BASE + SIMD_COUNT;

/** Text name of each flat opcode ('' when illegal). */
export const INSTRUCTION_NAMES: readonly string[] = new Array<string>(TOTAL).fill('');
/** Immediate format of each flat opcode. */
export const INSTRUCTION_IMMEDIATES: Uint8Array = new Uint8Array(TOTAL).fill(IMM_ILLEGAL);

/** Assigns consecutive opcodes from `first`; '-' leaves a hole. */
function define(first: number, imm: number, names: string): void {
  let code = first;
  for (const name of names.trim().split(/\s+/)) {
    if (name !== '-') {
      (INSTRUCTION_NAMES as string[])[code] = name;
      INSTRUCTION_IMMEDIATES[code] = imm;
    }
    code++;
  }
}

// ---- Single-byte opcodes ----------------------------------------------------------------

define(0x00, IMM_NONE, 'unreachable nop');
define(0x02, IMM_BLOCK, 'block loop');
define(0x04, IMM_IF, 'if');
define(0x05, IMM_ELSE, 'else');
define(0x08, IMM_IDX, 'throw');
define(0x0a, IMM_NONE, 'throw_ref');
define(0x0b, IMM_END, 'end');
define(0x0c, IMM_IDX, 'br br_if');
define(0x0e, IMM_BR_TABLE, 'br_table');
define(0x0f, IMM_NONE, 'return');
define(0x10, IMM_IDX, 'call');
define(0x11, IMM_IDX2, 'call_indirect');
define(0x12, IMM_IDX, 'return_call');
define(0x13, IMM_IDX2, 'return_call_indirect');
define(0x14, IMM_IDX, 'call_ref return_call_ref');
define(0x1a, IMM_NONE, 'drop select');
define(0x1c, IMM_SELECT_T, 'select');
define(0x1f, IMM_TRY_TABLE, 'try_table');
define(0x20, IMM_IDX, 'local.get local.set local.tee global.get global.set table.get table.set');
define(0x28, IMM_MEMARG, `
  i32.load i64.load f32.load f64.load
  i32.load8_s i32.load8_u i32.load16_s i32.load16_u
  i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u
  i32.store i64.store f32.store f64.store
  i32.store8 i32.store16 i64.store8 i64.store16 i64.store32`);
define(0x3f, IMM_IDX, 'memory.size memory.grow');
define(0x41, IMM_I32, 'i32.const');
define(0x42, IMM_I64, 'i64.const');
define(0x43, IMM_F32, 'f32.const');
define(0x44, IMM_F64, 'f64.const');
define(0x45, IMM_NONE, `
  i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
  i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
  f32.eq f32.ne f32.lt f32.gt f32.le f32.ge
  f64.eq f64.ne f64.lt f64.gt f64.le f64.ge
  i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
  i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
  i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
  i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
  f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt
  f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign
  f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt
  f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign
  i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
  i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
  f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
  f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
  i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64
  i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s`);
define(0xd0, IMM_HEAP_TYPE, 'ref.null');
define(0xd1, IMM_NONE, 'ref.is_null');
define(0xd2, IMM_IDX, 'ref.func');
define(0xd3, IMM_NONE, 'ref.eq ref.as_non_null');
define(0xd5, IMM_IDX, 'br_on_null br_on_non_null');

// ---- 0xFB: GC -----------------------------------------------------------------------------

define(GC_BASE + 0x00, IMM_IDX, 'struct.new struct.new_default');
define(GC_BASE + 0x02, IMM_IDX2, 'struct.get struct.get_s struct.get_u struct.set');
define(GC_BASE + 0x06, IMM_IDX, 'array.new array.new_default');
define(GC_BASE + 0x08, IMM_IDX2, 'array.new_fixed');
define(GC_BASE + 0x09, IMM_DATA_IDX2, 'array.new_data');
define(GC_BASE + 0x0a, IMM_IDX2, 'array.new_elem');
define(GC_BASE + 0x0b, IMM_IDX, 'array.get array.get_s array.get_u array.set');
define(GC_BASE + 0x0f, IMM_NONE, 'array.len');
define(GC_BASE + 0x10, IMM_IDX, 'array.fill');
define(GC_BASE + 0x11, IMM_IDX2, 'array.copy');
define(GC_BASE + 0x12, IMM_DATA_IDX2, 'array.init_data');
define(GC_BASE + 0x13, IMM_IDX2, 'array.init_elem');
// The nullable forms share the text name; the opcode carries the `null`.
define(GC_BASE + 0x14, IMM_HEAP_TYPE, 'ref.test ref.test ref.cast ref.cast');
define(GC_BASE + 0x18, IMM_BR_ON_CAST, 'br_on_cast br_on_cast_fail');
define(GC_BASE + 0x1a, IMM_NONE, 'any.convert_extern extern.convert_any ref.i31 i31.get_s i31.get_u');

// ---- 0xFC: saturating truncation, bulk memory, tables -----------------------------------

define(MISC_BASE + 0x00, IMM_NONE, `
  i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
  i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`);
define(MISC_BASE + 0x08, IMM_DATA_IDX2, 'memory.init');
define(MISC_BASE + 0x09, IMM_DATA_IDX, 'data.drop');
define(MISC_BASE + 0x0a, IMM_IDX2, 'memory.copy');
define(MISC_BASE + 0x0b, IMM_IDX, 'memory.fill');
define(MISC_BASE + 0x0c, IMM_IDX2, 'table.init');
define(MISC_BASE + 0x0d, IMM_IDX, 'elem.drop');
define(MISC_BASE + 0x0e, IMM_IDX2, 'table.copy');
define(MISC_BASE + 0x0f, IMM_IDX, 'table.grow table.size table.fill');

// ---- 0xFD: SIMD, relaxed SIMD ------------------------------------------------------------

define(SIMD_BASE + 0x00, IMM_MEMARG, `
  v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u
  v128.load32x2_s v128.load32x2_u v128.load8_splat v128.load16_splat v128.load32_splat
  v128.load64_splat v128.store`);
define(SIMD_BASE + 0x0c, IMM_BYTES16, 'v128.const i8x16.shuffle');
define(SIMD_BASE + 0x0e, IMM_NONE, `
  i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat`);
define(SIMD_BASE + 0x15, IMM_LANE, `
  i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane
  i16x8.extract_lane_s i16x8.extract_lane_u i16x8.replace_lane
  i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane
  f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane`);
define(SIMD_BASE + 0x23, IMM_NONE, `
  i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u
  i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u
  i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u
  f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge
  f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge
  v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true`);
define(SIMD_BASE + 0x54, IMM_MEMARG_LANE, `
  v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane
  v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane`);
define(SIMD_BASE + 0x5c, IMM_MEMARG, 'v128.load32_zero v128.load64_zero');
define(SIMD_BASE + 0x5e, IMM_NONE, `
  f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
  i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask
  i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
  f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest
  i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u
  i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil f64x2.floor
  i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc i8x16.avgr_u
  i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u
  i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u
  i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask
  i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u
  i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u
  i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u
  i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u f64x2.nearest i16x8.mul
  i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u - i16x8.avgr_u
  i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u
  i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - -
  i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u
  i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - - i32x4.mul
  i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
  i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
  i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - -
  i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u
  i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - - i64x2.mul
  i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
  i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
  f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div
  f32x4.min f32x4.max f32x4.pmin f32x4.pmax
  f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div
  f64x2.min f64x2.max f64x2.pmin f64x2.pmax
  i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
  i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero
  f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u
  i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
  i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero
  f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd
  i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect
  f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max
  i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s`);
