// How the interpreted strategies evaluate a constant expression. `P` is the form a
// strategy prepares per module from each `ConstExpr` (the expression itself, or a
// precomputed constant).
import type { Value } from '../runtime/instance/const-value.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import type { AnyHeapType, ConstExpr, ValType } from '../runtime/module/module.ts';
import type { AllocationContext, GcHeap } from '../runtime/gc/heap.ts';

/** What the caller reads the result as: a number type, v128, or a raw reference word. */
export type ResultKind = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'ref';

export function resultKind(type: ValType<AnyHeapType>): ResultKind {
  return typeof type === 'string' ? type : 'ref';
}

export interface ConstEvaluator<P, C extends AllocationContext = AllocationContext> {
  /**
   * True if evaluation roots the GC objects it allocates in the heap's innermost scope,
   * so that a collection in the middle of an expression is safe.
   */
  readonly rooted: boolean;
  /**
   * True if `prepare` turns a single-constant expression into its value, so evaluating
   * it does nothing an instantiation counts: the initializer then takes a data segment
   * offset kept as an inline constant (data-segments.ts) as it is, preparing nothing.
   */
  readonly preparesConstants: boolean;
  prepare(expr: ConstExpr): P;
  /** What this evaluator allocates with, in the heap as its caller left it. */
  context(heap: GcHeap): C;
  /** The expression's value; GC allocations are made with `context`. */
  evaluate(instance: Instance, prepared: P, kind: ResultKind, context: C): Value;
}
