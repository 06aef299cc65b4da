// Function-body validation, cross-checked against V8 wherever V8 can say: each invalid
// module here is one V8 rejects in the same function, and each valid one is one V8
// compiles, so no expectation comes from this runtime alone. Exception handling
// (try_table, exnref) is off in Node 24.9's V8, so those cases are checked against the
// spec's rules only.
import { readFileSync } from 'node:fs';
import { compile as watr } from 'watr';
import { beforeAll, describe, expect, it } from 'vitest';
import { section, SECTION, uleb, wasmModule, type Bytes } from '../binary/wasm-bytes.ts';
import { GC_BASE, INSTRUCTION_NAMES, MISC_BASE, SIMD_BASE } from '../binary/instruction-table.ts';
import { CompileError } from '../errors.ts';
import { compile } from '../module/compile.ts';
import { DEFAULT_LIMITS } from '../implementation-limits.ts';
import { decode } from '../binary/decode.ts';
import { v8Wasm } from '../v8/v8-instance-state.ts';
import { wabtAssembler } from '../../workloads/wat.ts';
import { NPM_MODULES, npmModuleFile } from '../../workloads/real-world.ts';
import { F32, F64, I32, I64, V128 } from './operand-types.ts';
import { IS_STORE, LANE_COUNT, NATURAL_ALIGNMENT, SIMPLE_ARITY, SIMPLE_PARAMS, SIMPLE_RESULT } from './instruction-signatures.ts';

let wabt: (fileName: string, source: string) => Uint8Array;
beforeAll(async () => {
  wabt = await wabtAssembler({ validate: false });
});

/** watr, which has all of the Wasm 3.0 text format; wabt where watr refuses the text. Neither validates. */
function assemble(source: string): Uint8Array {
  try {
    return watr(source);
  } catch {
    return wabt('case.wat', source);
  }
}

function compileError(bytes: Uint8Array): CompileError | undefined {
  try {
    compile(bytes);
  } catch (error) {
    if (error instanceof CompileError) return error;
    throw error;
  }
  return undefined;
}

/** The function V8 names when it rejects `bytes` in a body, or undefined if it compiles them. */
function v8RejectedFunction(bytes: Uint8Array): number | undefined {
  try {
    new v8Wasm.Module(bytes);
    return undefined;
  } catch (error) {
    const match = /Compiling function #(\d+)/.exec((error as Error).message);
    if (match === null) throw new Error(`V8 rejects the module outside a body: ${(error as Error).message}`);
    return Number(match[1]);
  }
}

/** Offset of the `occurrence`-th match of `pattern` inside the code section. */
function offsetInCode(bytes: Uint8Array, pattern: readonly number[], occurrence = 1): number {
  let at = 8;
  while (bytes[at] !== SECTION.code) {
    let size = 0;
    let shift = 0;
    let p = at + 1;
    for (;;) {
      const b = bytes[p++];
      size |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    at = p + size;
  }
  let seen = 0;
  for (let i = at; i + pattern.length <= bytes.length; i++) {
    if (pattern.every((b, k) => bytes[i + k] === b) && ++seen === occurrence) return i;
  }
  throw new Error(`pattern ${pattern} not in the code section`);
}

interface InvalidCase {
  readonly wat: string;
  /** The rule our message starts with. */
  readonly rule: string;
  readonly func: number;
  /** The offending instruction's bytes (its opcode, maybe with immediates), and which occurrence in the code section. */
  readonly at: readonly number[];
  readonly occurrence?: number;
  /** How far past the match the instruction starts. */
  readonly delta?: number;
  /** Whether V8 can check the case (false: exception handling, off in Node 24.9, and one rule V8 does not apply). */
  readonly v8?: boolean;
}

const INVALID: Record<string, InvalidCase> = {
  'i32.add of an i64': { wat: '(module (func (result i32) (i32.add (i32.const 1) (i64.const 2))))', rule: 'type mismatch', func: 0, at: [0x6a] },
  'an operand missing': { wat: '(module (func (result i32) (i32.eqz)))', rule: 'type mismatch', func: 0, at: [0x45] },
  'a value left over at the end': { wat: '(module (func (result i32) (i32.const 1) (i32.const 2)))', rule: 'type mismatch', func: 0, at: [0x0b] },
  'a missing result': { wat: '(module (func $a) (func (result f32) (nop)))', rule: 'type mismatch', func: 1, at: [0x0b], occurrence: 2 },
  'the function index counts imports': {
    wat: '(module (import "m" "f" (func)) (func) (func (result i64) (i32.const 0)))',
    rule: 'type mismatch',
    func: 2,
    at: [0x0b],
    occurrence: 2,
  },
  'an unknown local': { wat: '(module (func (local i32) (local.get 1) drop))', rule: 'unknown local', func: 0, at: [0x20, 0x01] },
  'local.set of the wrong type': { wat: '(module (func (local f64) (local.set 0 (f32.const 0))))', rule: 'type mismatch', func: 0, at: [0x21, 0x00] },
  'an unknown global': { wat: '(module (func (drop (global.get 0))))', rule: 'unknown global', func: 0, at: [0x23] },
  'global.set of an immutable global': {
    wat: '(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))',
    rule: 'global is immutable',
    func: 0,
    at: [0x24],
  },
  'an alignment past natural': {
    wat: '(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))',
    rule: 'alignment must not be larger than natural',
    func: 0,
    at: [0x28],
  },
  'an i32 address into a 64-bit memory': {
    wat: '(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x28],
  },
  'an unknown memory': { wat: '(module (func (memory.size) drop))', rule: 'unknown memory', func: 0, at: [0x3f] },
  'a second memory that does not exist': {
    wat: '(module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))',
    rule: 'unknown memory',
    func: 0,
    at: [0x28],
  },
  'a lane index past the shape': {
    wat: '(module (func (param v128) (result i32) (i8x16.extract_lane_s 16 (local.get 0))))',
    rule: 'invalid lane index',
    func: 0,
    at: [0xfd, 0x15],
  },
  'a shuffle lane of 32': {
    wat: '(module (func (param v128) (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 32 (local.get 0) (local.get 0))))',
    rule: 'invalid lane index',
    func: 0,
    at: [0xfd, 0x0d],
  },
  'a v128 op on an f32': { wat: '(module (func (result v128) (f32x4.splat (f32.const 1)) (f32.const 2) (f32x4.add)))', rule: 'type mismatch', func: 0, at: [0xfd, 0xe4, 0x01] },
  'br with the wrong value': { wat: '(module (func (block (result i32) (br 0 (i64.const 1))) drop))', rule: 'type mismatch', func: 0, at: [0x0c, 0x00] },
  'br past the function': { wat: '(module (func (br 1)))', rule: 'unknown label', func: 0, at: [0x0c, 0x01] },
  'br_table targets of different types': {
    wat: '(module (func (param i32) (block (result i32) (block (result i64) (br_table 0 1 (i64.const 0) (local.get 0))) drop i32.const 0) drop))',
    rule: 'type mismatch',
    func: 0,
    at: [0x0e],
  },
  'br_table targets of different arities': {
    wat: '(module (func (param i32) (block (block (result i32) (br_table 0 1 (i32.const 0) (local.get 0))) drop)))',
    rule: 'type mismatch',
    func: 0,
    at: [0x0e],
  },
  'a loop label takes the loop params': {
    wat: '(module (func (result i32) (i32.const 1) (loop (param i32) (result i32) (br 0 (f32.const 0)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x0c, 0x00],
  },
  'an if without else that changes the types': {
    wat: '(module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)))))',
    rule: 'type mismatch',
    func: 0,
    // The if's end, after the then branch's i32.const 1.
    at: [0x41, 0x01, 0x0b],
    delta: 2,
  },
  'else with the wrong result': {
    wat: '(module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)) (else (i64.const 1)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x0b],
  },
  'call with the wrong argument': { wat: '(module (func $f (param i64)) (func (call $f (i32.const 0))))', rule: 'type mismatch', func: 1, at: [0x10] },
  'call of an unknown function': { wat: '(module (func (call 3)))', rule: 'unknown function', func: 0, at: [0x10] },
  'call_indirect through an externref table': {
    wat: '(module (table 1 externref) (type $t (func)) (func (call_indirect (type $t) (i32.const 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x11],
  },
  'return_call of a function with other results': {
    wat: '(module (func (result i64) (return_call 1)) (func (result i32) (i32.const 0)))',
    rule: 'type mismatch',
    func: 0,
    at: [0x12],
  },
  'call_ref of a reference of another type': {
    wat: '(module (type $a (func)) (type $b (func (param i32))) (func (param (ref $b)) (call_ref $a (local.get 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x14],
  },
  'ref.func of an undeclared function': {
    wat: '(module (func $f) (func (drop (ref.func $f))))',
    rule: 'undeclared function reference',
    func: 1,
    at: [0xd2],
  },
  'select of two types': { wat: '(module (func (select (i32.const 0) (i64.const 0) (i32.const 1)) drop))', rule: 'type mismatch', func: 0, at: [0x1b] },
  'untyped select of references': {
    wat: '(module (func (param funcref) (drop (select (local.get 0) (local.get 0) (i32.const 1)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x1b],
  },
  'table.get of an unknown table': { wat: '(module (func (drop (table.get 0 (i32.const 0)))))', rule: 'unknown table', func: 0, at: [0x25] },
  'table.set of the wrong reference': {
    wat: '(module (table 1 funcref) (func (param externref) (table.set 0 (i32.const 0) (local.get 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x26],
  },
  'table.copy between unrelated element types': {
    wat: '(module (table 1 funcref) (table 1 externref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfc, 0x0e],
  },
  'table.init from an unknown segment': {
    wat: '(module (table 1 funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0))))',
    rule: 'unknown elem segment',
    func: 0,
    at: [0xfc, 0x0c],
  },
  'memory.init from an unknown segment': {
    wat: '(module (memory 1) (data "a") (func (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 0))))',
    rule: 'unknown data segment',
    func: 0,
    at: [0xfc, 0x08],
  },
  'a non-defaultable local read before it is set': {
    wat: '(module (func (local (ref func)) (drop (local.get 0))))',
    rule: 'uninitialized local',
    func: 0,
    at: [0x20, 0x00],
  },
  'a local set in a block, read after it': {
    wat: '(module (func $f) (elem declare func $f) (func (local (ref func)) (block (local.set 0 (ref.func $f))) (drop (local.get 0))))',
    rule: 'uninitialized local',
    func: 1,
    at: [0x20, 0x00],
  },
  'struct.set of an immutable field': {
    wat: '(module (type $s (struct (field i32))) (func (param (ref $s)) (struct.set $s 0 (local.get 0) (i32.const 1))))',
    rule: 'field is immutable',
    func: 0,
    at: [0xfb, 0x05],
  },
  'struct.new of a struct type with too few operands': {
    wat: '(module (type $s (struct (field i32) (field i64))) (func (drop (struct.new $s (i64.const 1)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x00],
  },
  'struct.new_default of a non-defaultable field': {
    wat: '(module (type $s (struct (field (ref func)))) (func (drop (struct.new_default $s))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x01],
  },
  'array.get of a packed array': {
    wat: '(module (type $a (array i8)) (func (param (ref $a)) (result i32) (array.get $a (local.get 0) (i32.const 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x0b],
  },
  'array.set of an immutable array': {
    wat: '(module (type $a (array i32)) (func (param (ref $a)) (array.set $a (local.get 0) (i32.const 0) (i32.const 0))))',
    rule: 'field is immutable',
    func: 0,
    at: [0xfb, 0x0e],
  },
  'array.copy between unrelated element types': {
    wat: '(module (type $a (array (mut i32))) (type $b (array (mut i64))) (func (param (ref $a) (ref $b)) (array.copy $a $b (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x11],
  },
  'array.new_data of a reference array': {
    wat: '(module (type $a (array funcref)) (data "a") (func (drop (array.new_data $a 0 (i32.const 0) (i32.const 1)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x09],
  },
  'ref.cast across hierarchies': {
    wat: '(module (func (param externref) (drop (ref.cast (ref null any) (local.get 0)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x17],
  },
  'ref.eq of a funcref': { wat: '(module (func (param funcref) (result i32) (ref.eq (local.get 0) (local.get 0))))', rule: 'type mismatch', func: 0, at: [0xd3] },
  'i31.get_s of an anyref': { wat: '(module (func (param anyref) (result i32) (i31.get_s (local.get 0))))', rule: 'type mismatch', func: 0, at: [0xfb, 0x1d] },
  'br_on_null to a label of the wrong type': {
    wat: '(module (func (param funcref) (result i32) (block (result i32) (br_on_null 0 (local.get 0)) drop (i32.const 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xd5],
  },
  // V8 (Node 24.9) takes this one; the spec's rule wants a label whose last type is a reference.
  'br_on_non_null to a label without a reference': {
    wat: '(module (func (param funcref) (block (br_on_non_null 0 (local.get 0)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xd6],
    v8: false,
  },
  'br_on_cast to a type outside the source type': {
    wat: '(module (type $s (struct)) (func (param (ref null $s)) (result anyref) (br_on_cast 0 (ref null $s) (ref i31) (local.get 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x18],
  },
  'br_on_cast_fail whose failure type the label does not take': {
    wat: '(module (type $s (struct)) (func (param anyref) (result (ref $s)) (br_on_cast_fail 0 (ref null any) (ref $s) (local.get 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0xfb, 0x19],
  },
  'throw with the wrong payload': {
    wat: '(module (tag $e (param i32)) (func (throw $e (i64.const 0))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x42, 0x00, 0x08],
    delta: 2,
  },
  'a catch clause whose tag payload the label does not take': {
    wat: '(module (tag $e (param i32)) (func (result i64) (block $l (result i64) (try_table (catch $e $l) (unreachable)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x1f],
    v8: false,
  },
  'catch_all_ref to a label without exnref': {
    wat: '(module (func (block $l (try_table (catch_all_ref $l)))))',
    rule: 'type mismatch',
    func: 0,
    at: [0x1f],
    v8: false,
  },
  'throw_ref of a funcref': { wat: '(module (func (param funcref) (throw_ref (local.get 0))))', rule: 'type mismatch', func: 0, at: [0x20, 0x00, 0x0a], delta: 2, v8: false },
};

describe('invalid function bodies', () => {
  it.each(Object.entries(INVALID))('%s', (_, c) => {
    const bytes = assemble(c.wat);
    if (c.v8 !== false) expect(v8RejectedFunction(bytes)).toBe(c.func);
    const error = compileError(bytes);
    expect(error?.kind).toBe('invalid');
    expect(error!.message).toMatch(new RegExp(`^${c.rule} in function ${c.func}: `));
    expect(error!.offset).toBe(offsetInCode(bytes, c.at, c.occurrence) + (c.delta ?? 0));
    expect(error!.message).toContain(`(at byte 0x${error!.offset.toString(16)})`);
  });

  it('names the rule, both stacks and the offset in the message', () => {
    const bytes = assemble('(module (func (result i32) (i32.add (i64.const 1) (i32.const 2))))');
    expect(compileError(bytes)!.message).toBe(
      `type mismatch in function 0: i32.add expected [i32 i32] but got [i64 i32] (at byte 0x${offsetInCode(bytes, [0x6a]).toString(16)})`,
    );
  });
});

const VALID: Record<string, string> = {
  'unreachable code pops anything': '(module (func (result i32) (unreachable) (i32.add) (drop) (i64.const 0) (i32.wrap_i64)))',
  'unreachable code after br in a block': '(module (func (result f64) (block (result f64) (br 0 (f64.const 1)) (i32.add) (select))))',
  'multi-value blocks, loops and if': `(module (type $t (func (param i32 i64) (result i64 i32)))
    (func (result i32) (i32.const 1) (i64.const 2)
      (block (type $t) (loop (param i32 i64) (result i64 i32) (drop) (drop) (i64.const 3) (i32.const 4)))
      (drop) (drop) (i32.const 1) (i64.const 2) (i32.const 0)
      (if (type $t) (then (drop) (drop) (i64.const 5) (i32.const 6)) (else (drop) (drop) (i64.const 7) (i32.const 8)))
      (drop) (drop) (i32.const 9)))`,
  'an if without else that keeps its params': '(module (func (param i32) (result i32) (local.get 0) (local.get 0) (if (param i32) (result i32) (then))))',
  'br_if keeps the label types': '(module (func (param i32) (result i32) (block (result i32) (br_if 0 (i32.const 1) (local.get 0)))))',
  'br_table in unreachable code': '(module (func (param i32) (result i32) (block (result i32) (block (result i64) (unreachable) (br_table 0 1)) (drop) (i32.const 0))))',
  'a subtype where the label takes its supertype': `(module (type $s (sub (struct))) (type $t (sub $s (struct (field i32))))
    (func (param (ref $t)) (result (ref null $s)) (block (result (ref null $s)) (br 0 (local.get 0)))))`,
  'typed select of references': '(module (func (param funcref) (result funcref) (select (result funcref) (local.get 0) (ref.null func) (i32.const 1))))',
  'a non-defaultable local set before it is read': `(module (func $f) (elem declare func $f)
    (func (local (ref func)) (local.set 0 (ref.func $f)) (drop (local.get 0)) (block (drop (local.get 0)))))`,
  'ref.func of an exported function': '(module (func $f (export "f")) (func (drop (ref.func $f))))',
  'ref.func of an element-segment function': '(module (table 1 funcref) (func $f) (elem (i32.const 0) $f) (func (result funcref) (ref.func $f)))',
  'memory64 and multi-memory accesses': `(module (memory $a 1) (memory $b i64 1)
    (func (drop (i32.load $a (i32.const 0))) (i64.store $b offset=0x100000000 (i64.const 0) (i64.const 1))
      (drop (memory.grow $b (i64.const 1))) (memory.copy $a $b (i32.const 0) (i64.const 0) (i32.const 0))
      (memory.fill $b (i64.const 0) (i32.const 0) (i64.const 0))))`,
  'table64 and bulk table operations': `(module (table $t i64 1 funcref) (table $u 1 funcref) (elem $e func $g) (func $g)
    (func (drop (table.grow $t (ref.null func) (i64.const 1))) (table.copy $u $t (i32.const 0) (i64.const 0) (i32.const 0))
      (table.init $t $e (i64.const 0) (i32.const 0) (i32.const 0)) (elem.drop $e) (drop (table.size $t))
      (table.fill $t (i64.const 0) (ref.null func) (i64.const 0))))`,
  'bulk memory with a data count': '(module (memory 1) (data $d "abc") (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3)) (data.drop $d)))',
  'SIMD lanes, shuffles, loads and relaxed SIMD': `(module (memory 1)
    (func (result v128) (local v128)
      (local.set 0 (v128.load64_lane 1 (i32.const 0) (v128.const i32x4 0 0 0 0)))
      (v128.store8_lane 15 (i32.const 0) (local.get 0))
      (drop (i64x2.extract_lane 1 (local.get 0)))
      (drop (v128.load32_zero (i32.const 0)))
      (i8x16.shuffle 0 31 1 30 2 29 3 28 4 27 5 26 6 25 7 24 (local.get 0)
        (f32x4.relaxed_madd (local.get 0) (local.get 0) (local.get 0)))))`,
  'tail calls': `(module (type $t (func (result i32))) (table 1 funcref) (func $f (result i32) (i32.const 0)) (elem declare func $f)
    (func (result i32) (return_call $f)) (func (result i32) (return_call_indirect (type $t) (i32.const 0)))
    (func (result i32) (return_call_ref $t (ref.func $f))))`,
  'GC structs and arrays': `(module (type $s (struct (field (mut i8)) (field (ref null $s)))) (type $a (array (mut i16)))
    (type $f (array (mut funcref))) (data $d "abcd") (elem $e func) 
    (func (param (ref $s) (ref $a) (ref $f)) (result i32)
      (struct.set $s 0 (local.get 0) (i32.const 1)) (drop (struct.get_u $s 0 (local.get 0)))
      (drop (struct.new $s (i32.const 1) (ref.null $s))) (drop (struct.new_default $s))
      (drop (array.new_fixed $a 2 (i32.const 1) (i32.const 2))) (drop (array.new_data $a $d (i32.const 0) (i32.const 2)))
      (array.fill $a (local.get 1) (i32.const 0) (i32.const 7) (i32.const 1))
      (array.copy $a $a (local.get 1) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 1))
      (array.init_data $a $d (local.get 1) (i32.const 0) (i32.const 0) (i32.const 1))
      (array.init_elem $f $e (local.get 2) (i32.const 0) (i32.const 0) (i32.const 0))
      (drop (array.new_elem $f $e (i32.const 0) (i32.const 0)))
      (array.len (local.get 1))))`,
  'casts and branches on casts': `(module (type $s (sub (struct))) (type $t (sub $s (struct (field i32))))
    (func (param anyref) (result (ref null $s))
      (drop (ref.test (ref $t) (local.get 0))) (drop (ref.cast (ref null $s) (local.get 0)))
      (drop (block (result (ref $t)) (br_on_cast 0 anyref (ref $t) (local.get 0)) (drop) (unreachable)))
      (drop (block (result anyref) (br_on_cast_fail 0 anyref (ref $t) (local.get 0))))
      (drop (block (result (ref any)) (br_on_non_null 0 (local.get 0)) (unreachable)))
      (ref.null $s)))`,
  'i31 and conversions': `(module (func (param externref) (result i32)
    (drop (extern.convert_any (any.convert_extern (local.get 0))))
    (i31.get_s (ref.i31 (i32.const 5)))))`,
};

describe('valid function bodies', () => {
  it.each(Object.entries(VALID))('%s', (_, wat) => {
    const bytes = assemble(wat);
    expect(v8Wasm.validate(bytes)).toBe(true);
    expect(() => compile(bytes)).not.toThrow();
  });

  it('exception handling: try_table with every kind of catch clause, throw and throw_ref', () => {
    const bytes = assemble(`(module (tag $e (param i32 i64))
      (func (result i32)
        (block $none
          (block $all (result exnref)
            (block $ref (result i32 i64 exnref)
              (block $plain (result i32 i64)
                (try_table (catch $e $plain) (catch_ref $e $ref) (catch_all $none) (catch_all_ref $all)
                  (throw $e (i32.const 1) (i64.const 2)))
                (unreachable))
              (unreachable))
            (unreachable))
          (throw_ref))
        (i32.const 0)))`);
    expect(() => compile(bytes)).not.toThrow();
  });
});

// ---- The signature table, instruction by instruction -------------------------------------------

/** The bytes of a flat opcode. */
function opcodeBytes(op: number): Bytes {
  if (op < GC_BASE) return [op];
  if (op < MISC_BASE) return [0xfb, ...uleb(op - GC_BASE)];
  if (op < SIMD_BASE) return [0xfc, ...uleb(op - MISC_BASE)];
  return [0xfd, ...uleb(op - SIMD_BASE)];
}

const CONSTS: Readonly<Record<number, Bytes>> = {
  [I32]: [0x41, 0],
  [I64]: [0x42, 0],
  [F32]: [0x43, 0, 0, 0, 0],
  [F64]: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  [V128]: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
};

/** One function `[] -> []` with `body` (and a memory, for loads and stores), closed by an `end` unless told. */
function moduleWithBody(body: Bytes, end = true): Uint8Array {
  const code = [0, ...body, ...(end ? [0x0b] : [])];
  return wasmModule(
    section(SECTION.type, [1, 0x60, 0, 0]),
    section(SECTION.function, [1, 0]),
    section(SECTION.memory, [1, 0, 1]),
    section(SECTION.code, [1, ...uleb(code.length), ...code]),
  );
}

describe('the signature table', () => {
  const simple = [...SIMPLE_ARITY.keys()].filter((op) => SIMPLE_ARITY[op] >= 0);

  it('covers every numeric and SIMD instruction without immediates', () => {
    expect(simple.length).toBeGreaterThan(350);
    expect(simple.map((op) => INSTRUCTION_NAMES[op])).toEqual(expect.arrayContaining(['i32.add', 'f64.promote_f32', 'i64.trunc_sat_f64_u', 'i8x16.swizzle', 'i32x4.relaxed_dot_i8x16_i7x16_add_s']));
  });

  it('agrees with V8 on every instruction: its operand types validate, an operand of another type does not', () => {
    const disagreements: string[] = [];
    for (const op of simple) {
      const params = Array.from({ length: SIMPLE_ARITY[op] }, (_, k) => SIMPLE_PARAMS[op * 3 + k]);
      const lane = LANE_COUNT[op] !== 0 ? [LANE_COUNT[op] - 1] : [];
      const tail = [...opcodeBytes(op), ...lane, ...(SIMPLE_RESULT[op] !== 0 ? [0x1a] : [])];
      const good = moduleWithBody([...params.flatMap((t) => CONSTS[t]), ...tail]);
      const wrong = params.map((t) => (t === I32 ? I64 : I32));
      const bad = moduleWithBody([...wrong.flatMap((t) => CONSTS[t]), ...tail]);
      const name = INSTRUCTION_NAMES[op];
      if (!v8Wasm.validate(good)) disagreements.push(`${name}: V8 rejects its signature`);
      if (compileError(good) !== undefined) disagreements.push(`${name}: rejected here: ${compileError(good)!.message}`);
      if (params.length > 0 && v8Wasm.validate(bad)) disagreements.push(`${name}: V8 takes other operands`);
      if (params.length > 0 && compileError(bad)?.kind !== 'invalid') disagreements.push(`${name}: other operands taken here`);
    }
    expect(disagreements).toEqual([]);
  });

  it('agrees with V8 on the natural alignment of every load and store, and on lane bounds', () => {
    const disagreements: string[] = [];
    for (let op = 0; op < NATURAL_ALIGNMENT.length; op++) {
      const name = INSTRUCTION_NAMES[op];
      if (!/\.(load|store)/.test(name)) continue;
      const value = name.startsWith('v128') ? V128 : ({ i32: I32, i64: I64, f32: F32, f64: F64 } as Record<string, number>)[name.split('.')[0]];
      const lanes = LANE_COUNT[op];
      const operands = [...CONSTS[I32], ...(IS_STORE[op] || lanes !== 0 ? CONSTS[value] : [])];
      const drop = IS_STORE[op] ? [] : [0x1a];
      for (const [align, lane, valid] of [
        [NATURAL_ALIGNMENT[op], 0, true],
        [NATURAL_ALIGNMENT[op] + 1, 0, false],
        ...(lanes !== 0 ? [[0, lanes, false] as const] : []),
      ] as const) {
        const bytes = moduleWithBody([...operands, ...opcodeBytes(op), align, 0, ...(lanes !== 0 ? [lane] : []), ...drop]);
        if (v8Wasm.validate(bytes) !== valid) disagreements.push(`${name} align ${align} lane ${lane}: V8 says ${!valid}`);
        if ((compileError(bytes) === undefined) !== valid) disagreements.push(`${name} align ${align} lane ${lane}: ours says ${!valid}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('compile', () => {
  const invalidBody = [3, 0, 0x6a, 0x0b];
  const malformedBody = [2, 0, 0xff];
  const twoBodies = (first: Bytes, second: Bytes) =>
    wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.function, [2, 0, 0]), section(SECTION.code, [2, ...first, ...second]));

  it('reports a malformed body as malformed even after an invalid one: every body is decoded first', () => {
    expect(compileError(twoBodies(invalidBody, [2, 0, 0x0b]))?.kind).toBe('invalid');
    expect(compileError(twoBodies(invalidBody, malformedBody))?.kind).toBe('malformed');
  });

  // The decoder alone, reading every instruction, is the oracle: compile() reads the
  // instructions in the validator instead and must find the same malformed byte.
  it.each([
    ['an illegal opcode', [0x00, 0xff, 0x00, 0x0b]],
    ['an illegal prefixed opcode', [0xfd, 0x94, 0x02, 0x0b]],
    ['else outside if', [0x05, 0x0b]],
    ['a second else', [0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b]],
    ['a byte after the final end', [0x0b, 0x01]],
    ['an immediate cut by the end of the body', [0x41, 0x01, 0x1a]],
    ['a block left open', [0x02, 0x40, 0x0b]],
    ['memop flags over 7 bits', [0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1a, 0x0b]],
    ['an overlong memarg offset', [0x41, 0x00, 0x28, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00, 0x0b]],
    ['a br_table cut short', [0x0e, 0x01, 0x00, 0x01, 0x02, 0x0b]],
    ['a catch clause of kind 4', [0x1f, 0x40, 0x01, 0x04, 0x00, 0x0b, 0x0b]],
    ['br_on_cast flags past bit 1', [0xd0, 0x6e, 0xfb, 0x18, 0x04, 0x00, 0x6e, 0x6e, 0x1a, 0x0b]],
    ['an i32.const too large', [0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x1a, 0x0b]],
    ['a data index without the data count section', [0xfc, 0x09, 0x00, 0x0b]],
    ['an invalid instruction before a malformed one', [0x6a, 0x00, 0xff, 0x0b]],
  ])('finds %s malformed, as the decoder does', (_, code) => {
    const bytes = moduleWithBody(code, false);
    let expected: unknown;
    try {
      decode(bytes);
    } catch (error) {
      expected = error;
    }
    expect(expected).toBeInstanceOf(CompileError);
    expect((expected as CompileError).kind).toBe('malformed');
    const error = compileError(bytes);
    expect(error?.kind).toBe('malformed');
    expect(error!.message).toBe((expected as CompileError).message);
  });

  it('reports a malformed body before a module-level error', () => {
    // An export of function 5, which does not exist, and a body with an illegal opcode.
    const bytes = (code: Bytes) =>
      wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.function, [1, 0]), section(SECTION.export, [1, 1, 0x65, 0, 5]), section(SECTION.code, [1, ...uleb(code.length + 1), 0, ...code]));
    expect(compileError(bytes([0x0b]))?.message).toMatch(/^unknown function 5/);
    expect(compileError(bytes([0xff, 0x0b]))?.kind).toBe('malformed');
  });

  it('leaves bodies unvalidated with validateBodies: false', () => {
    const bytes = twoBodies(invalidBody, [2, 0, 0x0b]);
    expect(() => compile(bytes, undefined, { validateBodies: false })).not.toThrow();
  });

  it('refuses a function body longer than V8 takes, as V8 does, before reading it', () => {
    const ofSize = (size: number) => {
      const code = new Array<number>(size).fill(0x01);
      code[0] = 0;
      code[size - 1] = 0x0b;
      return wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, ...uleb(size), ...code]));
    };
    const limit = DEFAULT_LIMITS.functionBodyBytes;
    expect(v8Wasm.validate(ofSize(limit))).toBe(true);
    expect(v8Wasm.validate(ofSize(limit + 1))).toBe(false);
    expect(() => compile(ofSize(limit))).not.toThrow();
    expect(() => compile(ofSize(limit + 1))).toThrow(/functionBodyBytes = 7654321/);
  });

  it('refuses more locals than V8 takes, as V8 does', () => {
    const withLocals = (n: number) => {
      const code = [1, ...uleb(n), 0x7f, 0x0b];
      return wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, ...uleb(code.length), ...code]));
    };
    expect(v8Wasm.validate(withLocals(50_000))).toBe(true);
    expect(v8Wasm.validate(withLocals(50_001))).toBe(false);
    expect(() => compile(withLocals(50_000))).not.toThrow();
    expect(() => compile(withLocals(50_001))).toThrow(/functionLocals = 50000/);
  });

  it.each(NPM_MODULES.map((m) => [m.package, m] as const))('validates every body of the real-world module %s', (_, npm) => {
    const bytes = new Uint8Array(readFileSync(npmModuleFile(npm)));
    expect(() => compile(bytes)).not.toThrow();
  });
});


