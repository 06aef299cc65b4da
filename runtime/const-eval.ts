// The constant-expression interpreter: a stack machine over the ops of a `ConstExpr`,
// reading globals and function addresses from the instance being built.
import type { ConstExpr } from './module.ts';
import type { Value } from './const-value.ts';
import { funcRef } from './raw-ref.ts';
import { UnsupportedError } from './errors.ts';
import type { Instance } from './instance.ts';

/** Evaluates a validated constant expression (so the stack shape is already known good). */
export function evaluateConstExpr(instance: Instance, expr: ConstExpr): Value {
  const stack: Value[] = [];
  for (const op of expr.ops) {
    switch (op.op) {
      case 'i32.const':
        stack.push(op.value);
        break;
      case 'i64.const':
        stack.push(op.value);
        break;
      case 'f32.const':
        stack.push(op.bits);
        break;
      case 'f64.const':
        stack.push(op.bits);
        break;
      case 'v128.const':
        stack.push(op.bytes);
        break;
      case 'ref.null':
        stack.push(0);
        break;
      case 'ref.func':
        stack.push(funcRef(instance.funcAddresses[op.func]));
        break;
      case 'global.get': {
        stack.push(instance.readGlobal(op.global));
        break;
      }
      case 'i32.add': {
        const b = stack.pop() as number;
        stack.push(((stack.pop() as number) + b) | 0);
        break;
      }
      case 'i32.sub': {
        const b = stack.pop() as number;
        stack.push(((stack.pop() as number) - b) | 0);
        break;
      }
      case 'i32.mul': {
        const b = stack.pop() as number;
        stack.push(Math.imul(stack.pop() as number, b));
        break;
      }
      case 'i64.add': {
        const b = stack.pop() as bigint;
        stack.push(BigInt.asIntN(64, (stack.pop() as bigint) + b));
        break;
      }
      case 'i64.sub': {
        const b = stack.pop() as bigint;
        stack.push(BigInt.asIntN(64, (stack.pop() as bigint) - b));
        break;
      }
      case 'i64.mul': {
        const b = stack.pop() as bigint;
        stack.push(BigInt.asIntN(64, (stack.pop() as bigint) * b));
        break;
      }
      default:
        throw new UnsupportedError(`constant expression op ${op.op} needs the GC heap, not supported yet`);
    }
  }
  return stack[0];
}
