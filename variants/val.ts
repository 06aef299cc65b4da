// `val`: the evaluator after Wasmtime #11416. Every operand is a typed value object
// (`Val`), and every GC reference the evaluation makes is rooted in the caller's root
// scope, so an allocation may trigger a collection safely. Safer than `raw`, and the
// boxing is what made instantiation measurably slower.
import type { Value } from '../runtime/instance/const-value.ts';
import type { FieldValue, HeapScope } from '../runtime/gc/heap.ts';
import { allocateDefaultArray, allocateDefaultStruct, allocateFilledArray, allocateFixedArray, allocateStruct } from '../runtime/gc/alloc.ts';
import { layoutOf, type StructLayout } from '../runtime/gc/layout.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import type { ConstExpr } from '../runtime/module/module.ts';
import type { Strategy } from '../runtime/instance/initializer.ts';
import type { ConstEvaluator, ResultKind } from './const-evaluator.ts';
import { InterpretedInitializer } from './interpreted-initializer.ts';
import { I32_ARITHMETIC, I64_ARITHMETIC, REF_FUNC, REF_I31 } from './const-ops.ts';
import { NULL_REF } from '../runtime/gc/raw-ref.ts';

/** A typed value, as Wasmtime's `Val` enum: the kind travels with the value. */
interface Val {
  readonly kind: ResultKind;
  readonly value: Value;
}

export const valEvaluator: ConstEvaluator<ConstExpr, HeapScope> = {
  rooted: true,
  preparesConstants: false,
  prepare: (expr) => expr,
  context: (heap) => heap.innermostScope(),
  /** May collect: every reference it makes is rooted in `scope`, the innermost one. */
  evaluate(instance: Instance, expr: ConstExpr, _kind: ResultKind, scope: HeapScope): Value {
    const stack: Val[] = [];
    const counters = instance.counters;
    const heap = instance.store.heap;
    const canonical = instance.module.info.canonicalTypes;
    const push = (kind: ResultKind, value: Value): void => {
      counters.valuesBoxed++;
      stack.push({ kind, value });
    };
    const pop = (): Value => stack.pop()!.value;
    const popFields = (count: number): FieldValue[] => stack.splice(stack.length - count, count).map((v) => v.value);
    counters.constOps += expr.ops.length;
    for (const op of expr.ops) {
      switch (op.op) {
        // Each constant pushes its immediate (const-ops.ts), read in a case of its own so
        // that every site sees one shape of op.
        case 'i32.const':
          push('i32', op.value);
          break;
        case 'i64.const':
          push('i64', op.value);
          break;
        case 'f32.const':
          push('f32', op.bits);
          break;
        case 'f64.const':
          push('f64', op.bits);
          break;
        case 'v128.const':
          push('v128', op.bytes);
          break;
        case 'ref.null':
          push('ref', NULL_REF);
          break;
        case 'ref.func':
          push('ref', REF_FUNC.apply(instance.funcAddresses[op.func]));
          break;
        case 'global.get': {
          const type = instance.globalTypes[op.global].type;
          push(typeof type === 'string' ? type : 'ref', instance.readGlobal(op.global));
          break;
        }
        // One case per operation, each naming its own entry (see raw.ts).
        case 'i32.add': {
          const b = pop() as number;
          push('i32', I32_ARITHMETIC['i32.add'].apply(pop() as number, b));
          break;
        }
        case 'i32.sub': {
          const b = pop() as number;
          push('i32', I32_ARITHMETIC['i32.sub'].apply(pop() as number, b));
          break;
        }
        case 'i32.mul': {
          const b = pop() as number;
          push('i32', I32_ARITHMETIC['i32.mul'].apply(pop() as number, b));
          break;
        }
        case 'i64.add': {
          const b = pop() as bigint;
          push('i64', I64_ARITHMETIC['i64.add'].apply(pop() as bigint, b));
          break;
        }
        case 'i64.sub': {
          const b = pop() as bigint;
          push('i64', I64_ARITHMETIC['i64.sub'].apply(pop() as bigint, b));
          break;
        }
        case 'i64.mul': {
          const b = pop() as bigint;
          push('i64', I64_ARITHMETIC['i64.mul'].apply(pop() as bigint, b));
          break;
        }
        case 'ref.i31':
          push('ref', REF_I31.apply(pop() as number));
          break;
        case 'any.convert_extern':
        case 'extern.convert_any':
          break;
        case 'struct.new': {
          const typeId = canonical[op.type];
          const values = popFields((layoutOf(typeId) as StructLayout).fields.length);
          push('ref', heap.root(allocateStruct(heap, typeId, values, scope)));
          break;
        }
        case 'struct.new_default':
          push('ref', heap.root(allocateDefaultStruct(heap, canonical[op.type], scope)));
          break;
        case 'array.new': {
          const length = (pop() as number) >>> 0;
          push('ref', heap.root(allocateFilledArray(heap, canonical[op.type], pop(), length, scope)));
          break;
        }
        case 'array.new_default': {
          const length = (pop() as number) >>> 0;
          push('ref', heap.root(allocateDefaultArray(heap, canonical[op.type], length, scope)));
          break;
        }
        case 'array.new_fixed':
          push('ref', heap.root(allocateFixedArray(heap, canonical[op.type], popFields(op.length), scope)));
          break;
        case 'other':
          throw new TypeError(`${op.name} is not a constant instruction (the module was not validated)`);
      }
    }
    return stack[0].value;
  },
};

export const val: Strategy = {
  name: 'val',
  description: 'typed Val operands, GC references rooted in a scope; const eval may collect',
  prepare: (compiled) => new InterpretedInitializer(compiled, valEvaluator),
};
