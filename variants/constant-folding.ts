// Folding a constant expression at compile time, where its value cannot depend on the
// instance: numeric constants, extended-const arithmetic, null references, and reads of
// globals folded before. Function references fold only into table images, as lazy
// references (raw-ref.ts); GC allocations never fold (every instance gets its objects).
import type { Value } from '../runtime/instance/const-value.ts';
import type { ConstExpr } from '../runtime/module/module.ts';
import { lazyFuncRef } from '../runtime/gc/raw-ref.ts';
import { I32_ARITHMETIC, I64_ARITHMETIC, pushedConstant } from './const-ops.ts';

export interface FoldContext {
  /** The folded value of a global, or undefined if it depends on the instance. */
  readonly global: (index: number) => Value | undefined;
  /** Fold `ref.func` into a lazy reference (only for table images). */
  readonly lazyFuncRefs: boolean;
}

export function foldConstExpr(expr: ConstExpr, context: FoldContext): Value | undefined {
  const stack: Value[] = [];
  for (const op of expr.ops) {
    const constant = pushedConstant(op);
    if (constant !== undefined) {
      stack.push(constant);
      continue;
    }
    switch (op.op) {
      case 'ref.func':
        if (!context.lazyFuncRefs) return undefined;
        stack.push(lazyFuncRef(op.func));
        break;
      case 'global.get': {
        const value = context.global(op.global);
        if (value === undefined) return undefined;
        stack.push(value);
        break;
      }
      case 'i32.add':
      case 'i32.sub':
      case 'i32.mul': {
        const b = stack.pop() as number;
        stack.push(I32_ARITHMETIC[op.op].apply(stack.pop() as number, b));
        break;
      }
      case 'i64.add':
      case 'i64.sub':
      case 'i64.mul': {
        const b = stack.pop() as bigint;
        stack.push(I64_ARITHMETIC[op.op].apply(stack.pop() as bigint, b));
        break;
      }
      default:
        return undefined;
    }
  }
  return stack[0];
}
