import { describe, expect, it } from 'vitest';
import { compile } from '../module/compile.ts';
import { CompileError } from '../errors.ts';
import { matchesLimits, minWithinMax, withCurrentSize } from './limits.ts';

// (module (table i64 MIN MAX funcref)) with MIN and MAX as 10-byte LEB128 u64s.
function table64Module(min: bigint, max: bigint): Uint8Array {
  const leb = (value: bigint): number[] => {
    const bytes: number[] = [];
    do {
      let byte = Number(value & 0x7fn);
      value >>= 7n;
      if (value !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (value !== 0n);
    return bytes;
  };
  const section = [1, 0x70, 0x05, ...leb(min), ...leb(max)];
  return Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 4, section.length, ...section);
}

describe('limits above 2^53', () => {
  const big = 2n ** 53n;

  it('are decoded exactly, so min > max by one is still invalid', () => {
    expect(() => compile(table64Module(big + 1n, big))).toThrow(CompileError);
    expect(() => compile(table64Module(big, big + 1n))).not.toThrow();
    const limits = compile(table64Module(2n ** 64n - 2n, 2n ** 64n - 1n)).module.tables[0].type.limits;
    expect(limits.exact).toEqual({ min: 2n ** 64n - 2n, max: 2n ** 64n - 1n });
  });

  it('match only when the exact maxima do', () => {
    const declared = { min: 0, max: Number(2n ** 64n - 2n), exact: { min: 0n, max: 2n ** 64n - 2n } };
    const actual = { min: 0, max: Number(2n ** 64n - 1n), exact: { min: 0n, max: 2n ** 64n - 1n } };
    // As doubles the two maxima are equal; exactly, the actual one is larger.
    expect(declared.max).toBe(actual.max);
    expect(matchesLimits(actual, declared)).toBe(false);
    expect(matchesLimits(declared, actual)).toBe(true);
    expect(matchesLimits(withCurrentSize(actual, 3), declared)).toBe(false);
  });

  it('compare small limits as plain numbers', () => {
    expect(minWithinMax({ min: 3, max: 2 })).toBe(false);
    expect(minWithinMax({ min: 2 })).toBe(true);
    expect(matchesLimits({ min: 2, max: 5 }, { min: 1, max: 6 })).toBe(true);
    expect(matchesLimits({ min: 2 }, { min: 1, max: 6 })).toBe(false);
  });
});
