import { describe, expect, it } from 'vitest';
import { funcRef, i31Ref, i31Value, NULL_REF, type RefWord } from '../runtime/gc/raw-ref.ts';
import { I32_ARITHMETIC, I64_ARITHMETIC, pushedConstant, REF_FUNC, REF_I31 } from './const-ops.ts';

const I32_INPUTS = [0, 1, -1, 7, -0x8000_0000, 0x7fff_ffff, 0x1_0000, 123_456_789];
const I64_INPUTS = [0n, 1n, -1n, 7n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 32n, 123_456_789_012n];

/** What the generated source computes, with the operands written as literals. */
function run(source: string): unknown {
  return new Function(`return ${source};`)();
}

const literal = (value: number | bigint): string => (typeof value === 'bigint' ? `${value}n` : String(value));

describe('the constant operations', () => {
  it('wrap i32 arithmetic to 32 bits', () => {
    expect(I32_ARITHMETIC['i32.add'].apply(0x7fff_ffff, 1)).toBe(-0x8000_0000);
    expect(I32_ARITHMETIC['i32.sub'].apply(-0x8000_0000, 1)).toBe(0x7fff_ffff);
    expect(I32_ARITHMETIC['i32.mul'].apply(0x1_0000, 0x1_0000)).toBe(0);
    expect(I32_ARITHMETIC['i32.mul'].apply(-3, 5)).toBe(-15);
  });

  it('wrap i64 arithmetic to 64 bits, signed', () => {
    expect(I64_ARITHMETIC['i64.add'].apply(2n ** 63n - 1n, 1n)).toBe(-(2n ** 63n));
    expect(I64_ARITHMETIC['i64.sub'].apply(-(2n ** 63n), 1n)).toBe(2n ** 63n - 1n);
    expect(I64_ARITHMETIC['i64.mul'].apply(2n ** 32n, 2n ** 32n)).toBe(0n);
    expect(I64_ARITHMETIC['i64.mul'].apply(-3n, 5n)).toBe(-15n);
  });

  it('generate source that computes what they compute, negative operands included', () => {
    for (const operation of Object.values(I32_ARITHMETIC)) {
      for (const a of I32_INPUTS) for (const b of I32_INPUTS) expect(run(operation.source(literal(a), literal(b)))).toBe(operation.apply(a, b));
    }
    for (const operation of Object.values(I64_ARITHMETIC)) {
      for (const a of I64_INPUTS) for (const b of I64_INPUTS) expect(run(operation.source(literal(a), literal(b)))).toBe(operation.apply(a, b));
    }
    for (const value of I32_INPUTS) expect(run(REF_I31.source(literal(value)))).toBe(REF_I31.apply(value));
    for (const address of [0, 1, 41, 0x3fff_fffe]) expect(run(REF_FUNC.source(literal(address)))).toBe(REF_FUNC.apply(address));
  });

  it('make the reference words of raw-ref.ts', () => {
    expect(REF_FUNC.apply(3)).toBe(funcRef(3));
    expect(REF_I31.apply(-5)).toBe(i31Ref(-5));
    expect(i31Value(REF_I31.apply(0x7fff_ffff) as RefWord)).toBe(-1);
  });

  it('push the immediate of a constant instruction, floats as their bits', () => {
    const nanBits = 0x7fc0_0001;
    expect(pushedConstant({ op: 'i32.const', value: -2 })).toBe(-2);
    expect(pushedConstant({ op: 'i64.const', value: -2n })).toBe(-2n);
    expect(pushedConstant({ op: 'f32.const', bits: nanBits })).toBe(nanBits);
    expect(pushedConstant({ op: 'f64.const', bits: 0x7ff8_0000_0000_0001n })).toBe(0x7ff8_0000_0000_0001n);
    const bytes = new Uint8Array(16).fill(9);
    expect(pushedConstant({ op: 'v128.const', bytes })).toBe(bytes);
    expect(pushedConstant({ op: 'ref.null', heap: 'any' })).toBe(NULL_REF);
  });

  it('push nothing for an instruction that computes', () => {
    expect(pushedConstant({ op: 'i32.add' })).toBeUndefined();
    expect(pushedConstant({ op: 'global.get', global: 0 })).toBeUndefined();
    expect(pushedConstant({ op: 'ref.func', func: 0 })).toBeUndefined();
  });
});
