// `fast-path`: `val`, plus every constant expression that is a single constant turned
// into its value at compile time, so instantiation skips the evaluator for it. Wasmtime
// matched `[I32Const(x)]` and friends before its general loop ("~15% faster in
// instantiation"); a reviewer proposed `enum ConstExpr { Const(Val), Expr(Vec<ConstOp>) }`,
// which is the shape used here.
import type { Value } from '../runtime/instance/const-value.ts';
import type { Strategy } from '../runtime/instance/initializer.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import type { ConstExpr } from '../runtime/module/module.ts';
import type { ConstEvaluator, ResultKind } from './const-evaluator.ts';
import { InterpretedInitializer } from './interpreted-initializer.ts';
import { valEvaluator } from './val.ts';
import { pushedConstant } from './const-ops.ts';
import type { HeapScope } from '../runtime/gc/heap.ts';

export type PreparedExpr = { readonly constant: Value } | { readonly expr: ConstExpr };

/** The value of a one-op constant expression that needs no instance, else undefined. */
function singleConstant(expr: ConstExpr): Value | undefined {
  return expr.ops.length === 1 ? pushedConstant(expr.ops[0]) : undefined;
}

export const fastPathEvaluator: ConstEvaluator<PreparedExpr, HeapScope> = {
  rooted: true,
  preparesConstants: true,
  context: valEvaluator.context,
  prepare(expr: ConstExpr): PreparedExpr {
    const constant = singleConstant(expr);
    return constant === undefined ? { expr } : { constant };
  },
  evaluate(instance: Instance, prepared: PreparedExpr, kind: ResultKind, scope: HeapScope): Value {
    return 'constant' in prepared ? prepared.constant : valEvaluator.evaluate(instance, prepared.expr, kind, scope);
  },
};

export const fastPath: Strategy = {
  name: 'fast-path',
  description: 'val, plus single-constant initializers turned into values at compile time',
  prepare: (compiled) => new InterpretedInitializer(compiled, fastPathEvaluator),
};
