// The constant-expression interpreter: a stack machine over the ops of a `ConstExpr`,
// reading globals and function addresses from the instance being built.
import type { ConstExpr } from './module.ts';
import type { Value } from './const-value.ts';
import { funcRef } from './raw-ref.ts';
import type { Instance } from './instance.ts';
import { i31Ref } from './raw-ref.ts';
import { allocateDefaultStruct, allocateFilledArray, allocateFixedArray, allocateStruct } from './gc-alloc.ts';
import { layoutOf, defaultFieldValue, type ArrayLayout, type StructLayout } from './gc-layout.ts';
import type { FieldValue } from './gc-heap.ts';

/**
 * Evaluates a validated constant expression (so the stack shape is already known good).
 *
 * `rooted` chooses how GC allocations are kept alive: rooted (each new object is rooted
 * in the heap's innermost scope, which the caller opened, so a collection triggered by a
 * later allocation cannot free it) or unrooted (the objects on the operand stack are
 * invisible to the collector, so a collection is refused with `GcNotAllowed`).
 */
export function evaluateConstExpr(instance: Instance, expr: ConstExpr, rooted = true): Value {
  const stack: Value[] = [];
  const heap = instance.store.heap;
  const canonical = instance.module.info.canonicalTypes;
  const keep = (raw: number): number => (rooted ? heap.root(raw) : raw);
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
      case 'ref.i31':
        stack.push(i31Ref(stack.pop() as number));
        break;
      case 'any.convert_extern':
      case 'extern.convert_any':
        // One word represents the reference in both hierarchies (raw-ref.ts).
        break;
      case 'struct.new': {
        const typeId = canonical[op.type];
        const count = (layoutOf(typeId) as StructLayout).fields.length;
        const values = stack.splice(stack.length - count, count) as FieldValue[];
        stack.push(keep(allocateStruct(heap, typeId, values, rooted)));
        break;
      }
      case 'struct.new_default':
        stack.push(keep(allocateDefaultStruct(heap, canonical[op.type], rooted)));
        break;
      case 'array.new': {
        const length = (stack.pop() as number) >>> 0;
        const value = stack.pop() as FieldValue;
        stack.push(keep(allocateFilledArray(heap, canonical[op.type], value, length, rooted)));
        break;
      }
      case 'array.new_default': {
        const typeId = canonical[op.type];
        const length = (stack.pop() as number) >>> 0;
        const value = defaultFieldValue((layoutOf(typeId) as ArrayLayout).element.storage);
        stack.push(keep(allocateFilledArray(heap, typeId, value, length, rooted)));
        break;
      }
      case 'array.new_fixed': {
        const values = stack.splice(stack.length - op.length, op.length) as FieldValue[];
        stack.push(keep(allocateFixedArray(heap, canonical[op.type], values, rooted)));
        break;
      }
      case 'other':
        throw new TypeError(`${op.name} is not a constant instruction (the module was not validated)`);
    }
  }
  return stack[0];
}
