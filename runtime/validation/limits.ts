// Comparing limits. Limits of 64-bit tables and memories go up to 2^64 - 1, past what a
// double holds exactly, so comparisons use the exact values where the decoder kept them.
import type { Limits } from '../module/module.ts';

function exactMin(limits: Limits): bigint {
  return limits.exact?.min ?? BigInt(limits.min);
}

function exactMax(limits: Limits): bigint | undefined {
  if (limits.max === undefined) return undefined;
  return limits.exact?.max ?? BigInt(limits.max);
}

/** min ≤ max, or no maximum. */
export function minWithinMax(limits: Limits): boolean {
  if (limits.max === undefined) return true;
  if (limits.exact === undefined) return limits.min <= limits.max;
  return exactMin(limits) <= exactMax(limits)!;
}

/** The actual limits lie within the expected ones; no expected maximum allows any. */
export function matchesLimits(actual: Limits, expected: Limits): boolean {
  if (actual.exact === undefined && expected.exact === undefined) {
    if (actual.min < expected.min) return false;
    if (expected.max === undefined) return true;
    return actual.max !== undefined && actual.max <= expected.max;
  }
  if (exactMin(actual) < exactMin(expected)) return false;
  const expectedMax = exactMax(expected);
  if (expectedMax === undefined) return true;
  const actualMax = exactMax(actual);
  return actualMax !== undefined && actualMax <= expectedMax;
}

/** Limits whose minimum is a current size, keeping the declared maximum exact. */
export function withCurrentSize(limits: Limits, size: number): Limits {
  const { max, exact } = limits;
  return exact === undefined ? { min: size, max } : { min: size, max, exact: { min: BigInt(size), max: exact.max } };
}
