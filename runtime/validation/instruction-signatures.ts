// Typing rules that are a fixed signature (https://webassembly.github.io/spec/core/valid/instructions.html):
// every numeric instruction and most vector ones pop fixed types and push at most one,
// so validating them is one table lookup. The signatures follow from the instructions'
// names, whose shape the spec's naming conventions fix (`t.op`, `t.op_t2_sx`,
// `shape.op`); the loads and stores get their value type and natural alignment here too.
import {
  IMM_LANE,
  IMM_MEMARG,
  IMM_MEMARG_LANE,
  IMM_NONE,
  INSTRUCTION_IMMEDIATES,
  INSTRUCTION_NAMES,
  MISC_BASE,
  SIMD_BASE,
  SIMD_COUNT,
} from '../binary/instruction-table.ts';
import { F32, F64, I32, I64, V128 } from './operand-types.ts';

const TOTAL = INSTRUCTION_NAMES.length;
const MAX_PARAMS = 3;

/** Operand count of each flat opcode with a fixed signature, -1 for the others. */
export const SIMPLE_ARITY: Int8Array = new Int8Array(TOTAL).fill(-1);
/** Operand types, `MAX_PARAMS` slots per opcode, bottom of the stack first. */
export const SIMPLE_PARAMS: Int32Array = new Int32Array(TOTAL * MAX_PARAMS);
/** The pushed type, or 0 (BOT) for none. */
export const SIMPLE_RESULT: Int32Array = new Int32Array(TOTAL);
/** Lanes of the shape of a lane instruction (extract/replace_lane, load/store_lane): lane indices are below it. */
export const LANE_COUNT: Uint8Array = new Uint8Array(TOTAL);

/** For loads and stores: log2 of the natural alignment, and the loaded or stored type. */
export const NATURAL_ALIGNMENT: Uint8Array = new Uint8Array(TOTAL);
export const MEMORY_VALUE: Int32Array = new Int32Array(TOTAL);
/** Whether a memarg instruction stores (pops a value, pushes nothing). */
export const IS_STORE: Uint8Array = new Uint8Array(TOTAL);

const NUM: Readonly<Record<string, number>> = { i32: I32, i64: I64, f32: F32, f64: F64 };

function simple(op: number, params: readonly number[], result: number): void {
  SIMPLE_ARITY[op] = params.length;
  params.forEach((t, i) => (SIMPLE_PARAMS[op * MAX_PARAMS + i] = t));
  SIMPLE_RESULT[op] = result;
}

const TESTS = new Set(['eqz']);
const COMPARISONS = new Set(['eq', 'ne', 'lt', 'lt_s', 'lt_u', 'gt', 'gt_s', 'gt_u', 'le', 'le_s', 'le_u', 'ge', 'ge_s', 'ge_u']);
const UNARY = new Set(['clz', 'ctz', 'popcnt', 'abs', 'neg', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest', 'extend8_s', 'extend16_s', 'extend32_s']);
/** `t.op_t2` and `t.op_t2_sx`: a conversion from t2. */
const CONVERSION = /^[a-z_]+?_(i32|i64|f32|f64)(?:_[su])?$/;

/** i32.add, i64.eqz, f32.convert_i64_u, i32.trunc_sat_f64_s… */
function numeric(op: number): void {
  const [shape, name] = INSTRUCTION_NAMES[op].split('.');
  const t = NUM[shape];
  const conversion = CONVERSION.exec(name);
  if (TESTS.has(name)) simple(op, [t], I32);
  else if (COMPARISONS.has(name)) simple(op, [t, t], I32);
  else if (UNARY.has(name)) simple(op, [t], t);
  else if (conversion !== null) simple(op, [NUM[conversion[1]]], t);
  else simple(op, [t, t], t);
}

const LANES: Readonly<Record<string, number>> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };
/** The scalar type of a shape's lanes as a value: narrow integer lanes are i32. */
const LANE_TYPE: Readonly<Record<string, number>> = { i8x16: I32, i16x8: I32, i32x4: I32, i64x2: I64, f32x4: F32, f64x2: F64 };
const VEC_TERNARY = new Set(['bitselect', 'relaxed_madd', 'relaxed_nmadd', 'relaxed_laneselect', 'relaxed_dot_i8x16_i7x16_add_s']);
const VEC_UNARY = /^(not|abs|neg|popcnt|sqrt|ceil|floor|trunc|nearest|extend_|extadd_pairwise|convert|trunc_sat|demote|promote|relaxed_trunc)/;

/** The vector instructions without immediates, and the lane ones (whose lane is checked apart). */
function vector(op: number): void {
  const [shape, name] = INSTRUCTION_NAMES[op].split('.');
  const lane = LANE_TYPE[shape];
  if (name === 'splat') simple(op, [lane], V128);
  else if (name.startsWith('extract_lane')) simple(op, [V128], lane);
  else if (name === 'replace_lane') simple(op, [V128, lane], V128);
  else if (name === 'shl' || name === 'shr_s' || name === 'shr_u') simple(op, [V128, I32], V128);
  else if (name === 'all_true' || name === 'bitmask' || name === 'any_true') simple(op, [V128], I32);
  else if (VEC_TERNARY.has(name)) simple(op, [V128, V128, V128], V128);
  else if (VEC_UNARY.test(name)) simple(op, [V128], V128);
  else simple(op, [V128, V128], V128);
  if (INSTRUCTION_IMMEDIATES[op] === IMM_LANE) LANE_COUNT[op] = LANES[shape];
}

/** `t.load`, `t.loadN_sx`, `t.storeN`, `v128.loadNxM_sx`, `v128.loadN_splat|zero|lane`, `v128.storeN_lane`. */
function memoryAccess(op: number): void {
  const [shape, name] = INSTRUCTION_NAMES[op].split('.');
  const store = name.startsWith('store');
  const bits = /^(?:load|store)(\d+)/.exec(name);
  const lanes = /^load(\d+)x(\d+)/.exec(name);
  let bytes: number;
  if (lanes !== null) bytes = (Number(lanes[1]) * Number(lanes[2])) / 8;
  else if (bits !== null) bytes = Number(bits[1]) / 8;
  else bytes = shape === 'v128' ? 16 : shape === 'i32' || shape === 'f32' ? 4 : 8;
  NATURAL_ALIGNMENT[op] = Math.log2(bytes);
  MEMORY_VALUE[op] = shape === 'v128' ? V128 : NUM[shape];
  IS_STORE[op] = store ? 1 : 0;
  if (INSTRUCTION_IMMEDIATES[op] === IMM_MEMARG_LANE) LANE_COUNT[op] = 16 / bytes;
}

for (let op = 0x45; op <= 0xc4; op++) numeric(op);
for (let op = MISC_BASE; op < MISC_BASE + 8; op++) numeric(op);
for (let op = 0x28; op <= 0x3e; op++) memoryAccess(op);
for (let op = SIMD_BASE; op < SIMD_BASE + SIMD_COUNT; op++) {
  const imm = INSTRUCTION_IMMEDIATES[op];
  if (imm === IMM_NONE || imm === IMM_LANE) vector(op);
  else if (imm === IMM_MEMARG || imm === IMM_MEMARG_LANE) memoryAccess(op);
}
