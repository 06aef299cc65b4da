// What the constant instructions compute, defined once for every strategy: the
// interpreters (raw.ts, val.ts), the folder (constant-folding.ts) and the code generator
// of the compiled initializer (compiled.ts). Each operation comes with the same
// operation as JavaScript source, for the generator; const-ops.test.ts checks that the
// two agree. A constant pushes its immediate (`pushedConstant`); the interpreters read it
// in a case per instruction, their hot path. The GC instructions are the allocations of
// runtime/gc/alloc.ts, and `any.convert_extern` / `extern.convert_any` compute nothing:
// one word represents a reference in both hierarchies (raw-ref.ts).
import type { Value } from '../runtime/instance/const-value.ts';
import type { ConstOp } from '../runtime/module/module.ts';
import { funcRef, i31Ref, NULL_REF } from '../runtime/gc/raw-ref.ts';

/**
 * The value an instruction that pushes a constant pushes (floats as their bits, so NaN
 * payloads survive), or undefined for an instruction that computes.
 */
export function pushedConstant(op: ConstOp): Value | undefined {
  switch (op.op) {
    case 'i32.const':
    case 'i64.const':
      return op.value;
    case 'f32.const':
    case 'f64.const':
      return op.bits;
    case 'v128.const':
      return op.bytes;
    case 'ref.null':
      return NULL_REF;
    default:
      return undefined;
  }
}

/** An operation on values, and the same operation as a JavaScript expression over operand expressions. */
interface Operation<A extends readonly unknown[], R> {
  readonly apply: (...operands: A) => R;
  readonly source: (...operands: { readonly [K in keyof A]: string }) => string;
}

type I32Arithmetic = 'i32.add' | 'i32.sub' | 'i32.mul';
type I64Arithmetic = 'i64.add' | 'i64.sub' | 'i64.mul';

/** Extended-const arithmetic wraps to 32 bits, as the Wasm operations do. */
export const I32_ARITHMETIC: { readonly [op in I32Arithmetic]: Operation<[number, number], number> } = {
  'i32.add': { apply: (a, b) => (a + b) | 0, source: (a, b) => `((${a} + ${b}) | 0)` },
  'i32.sub': { apply: (a, b) => (a - b) | 0, source: (a, b) => `((${a} - ${b}) | 0)` },
  'i32.mul': { apply: Math.imul, source: (a, b) => `Math.imul(${a}, ${b})` },
};

/** Extended-const arithmetic wraps to 64 bits (signed, as i64 values are held). */
export const I64_ARITHMETIC: { readonly [op in I64Arithmetic]: Operation<[bigint, bigint], bigint> } = {
  'i64.add': { apply: (a, b) => BigInt.asIntN(64, a + b), source: (a, b) => `BigInt.asIntN(64, ${a} + ${b})` },
  'i64.sub': { apply: (a, b) => BigInt.asIntN(64, a - b), source: (a, b) => `BigInt.asIntN(64, ${a} - ${b})` },
  'i64.mul': { apply: (a, b) => BigInt.asIntN(64, a * b), source: (a, b) => `BigInt.asIntN(64, ${a} * ${b})` },
};

/** ref.func: the reference word of the function at a store address. */
export const REF_FUNC: Operation<[number], number> = {
  apply: funcRef,
  source: (address) => `((${address} + 1) * 2)`,
};

/** ref.i31: the low 31 bits of an i32 as an unboxed reference word. */
export const REF_I31: Operation<[number], number> = {
  apply: i31Ref,
  source: (value) => `((((${value}) << 1) | 1) >>> 0)`,
};
