// `raw`: the evaluator before Wasmtime #11416. Operands are untyped 128-bit slots in one
// reusable buffer (`ValRaw`); a GC reference there is a bare heap word no collector can
// see. So the whole evaluation runs under a no-GC guard: an allocation that would need a
// collection fails with `GcNotAllowed` instead of corrupting the heap.
import { readSlot, writeSlot, type Value } from '../runtime/instance/const-value.ts';
import { GlobalCells, GLOBAL_SLOT_BYTES } from '../runtime/instance/global-cells.ts';
import { NO_GC, type FieldValue, type NoGcGuard } from '../runtime/gc/heap.ts';
import { allocateDefaultArray, allocateDefaultStruct, allocateFilledArray, allocateFixedArray, allocateStruct } from '../runtime/gc/alloc.ts';
import { layoutOf, type ArrayLayout, type FieldLayout, type StructLayout } from '../runtime/gc/layout.ts';
import type { Strategy } from '../runtime/instance/initializer.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import type { ConstExpr, ValType } from '../runtime/module/module.ts';
import { resultKind, type ConstEvaluator, type ResultKind } from './const-evaluator.ts';
import { InterpretedInitializer } from './interpreted-initializer.ts';
import { I32_ARITHMETIC, I64_ARITHMETIC, REF_FUNC, REF_I31 } from './const-ops.ts';

/** The operand stack: 16-byte raw slots, laid out as globals are (store.ts). */
let stack = new GlobalCells(64);

function ensureSlots(slots: number): void {
  if (slots * GLOBAL_SLOT_BYTES <= stack.bytes.length) return;
  const grown = new GlobalCells(slots * 2);
  grown.bytes.set(stack.bytes);
  stack = grown;
}

function readField(sp: number, field: FieldLayout): FieldValue {
  return readSlot(stack, sp, field.storage === 'i8' || field.storage === 'i16' ? 'i32' : resultKind(field.storage as ValType));
}

export const rawEvaluator: ConstEvaluator<ConstExpr, NoGcGuard> = {
  rooted: false,
  preparesConstants: false,
  prepare: (expr) => expr,
  context: () => NO_GC,
  evaluate(instance: Instance, expr: ConstExpr, kind: ResultKind, guard: NoGcGuard): Value {
    const heap = instance.store.heap;
    const canonical = instance.module.info.canonicalTypes;
    ensureSlots(expr.ops.length);
    instance.counters.constOps += expr.ops.length;
    let sp = 0;
    for (const op of expr.ops) {
      switch (op.op) {
        case 'i32.const':
          stack.i32[sp++ * 4] = op.value;
          break;
        case 'i64.const':
          stack.i64[sp++ * 2] = op.value;
          break;
        case 'f32.const':
          stack.u32[sp++ * 4] = op.bits;
          break;
        case 'f64.const':
          stack.u64[sp++ * 2] = op.bits;
          break;
        case 'v128.const':
          stack.bytes.set(op.bytes, sp++ * 16);
          break;
        case 'ref.null':
          stack.u32[sp++ * 4] = 0;
          break;
        case 'ref.func':
          stack.u32[sp++ * 4] = REF_FUNC.apply(instance.funcAddresses[op.func]);
          break;
        case 'global.get': {
          const type = instance.globalTypes[op.global].type;
          writeSlot(stack, sp++, resultKind(type), instance.readGlobal(op.global));
          break;
        }
        // One case per operation, each naming its own entry: a call site shared by all
        // six is not inlined, and the i64 ones then allocate BigInts instead of running
        // on machine integers (globals-extconst/10000 took 1.6 times as long).
        case 'i32.add':
          sp--;
          stack.i32[(sp - 1) * 4] = I32_ARITHMETIC['i32.add'].apply(stack.i32[(sp - 1) * 4], stack.i32[sp * 4]);
          break;
        case 'i32.sub':
          sp--;
          stack.i32[(sp - 1) * 4] = I32_ARITHMETIC['i32.sub'].apply(stack.i32[(sp - 1) * 4], stack.i32[sp * 4]);
          break;
        case 'i32.mul':
          sp--;
          stack.i32[(sp - 1) * 4] = I32_ARITHMETIC['i32.mul'].apply(stack.i32[(sp - 1) * 4], stack.i32[sp * 4]);
          break;
        case 'i64.add':
          sp--;
          stack.i64[(sp - 1) * 2] = I64_ARITHMETIC['i64.add'].apply(stack.i64[(sp - 1) * 2], stack.i64[sp * 2]);
          break;
        case 'i64.sub':
          sp--;
          stack.i64[(sp - 1) * 2] = I64_ARITHMETIC['i64.sub'].apply(stack.i64[(sp - 1) * 2], stack.i64[sp * 2]);
          break;
        case 'i64.mul':
          sp--;
          stack.i64[(sp - 1) * 2] = I64_ARITHMETIC['i64.mul'].apply(stack.i64[(sp - 1) * 2], stack.i64[sp * 2]);
          break;
        case 'ref.i31':
          stack.u32[(sp - 1) * 4] = REF_I31.apply(stack.i32[(sp - 1) * 4]);
          break;
        case 'any.convert_extern':
        case 'extern.convert_any':
          break;
        case 'struct.new': {
          const typeId = canonical[op.type];
          const fields = (layoutOf(typeId) as StructLayout).fields;
          sp -= fields.length;
          const values = fields.map((field, i) => readField(sp + i, field));
          stack.u32[sp++ * 4] = allocateStruct(heap, typeId, values, guard);
          break;
        }
        case 'struct.new_default':
          stack.u32[sp++ * 4] = allocateDefaultStruct(heap, canonical[op.type], guard);
          break;
        case 'array.new': {
          const typeId = canonical[op.type];
          const length = stack.u32[--sp * 4];
          const value = readField(--sp, (layoutOf(typeId) as ArrayLayout).element);
          stack.u32[sp++ * 4] = allocateFilledArray(heap, typeId, value, length, guard);
          break;
        }
        case 'array.new_default': {
          const length = stack.u32[--sp * 4];
          stack.u32[sp++ * 4] = allocateDefaultArray(heap, canonical[op.type], length, guard);
          break;
        }
        case 'array.new_fixed': {
          const typeId = canonical[op.type];
          const element = (layoutOf(typeId) as ArrayLayout).element;
          sp -= op.length;
          const values: FieldValue[] = [];
          for (let i = 0; i < op.length; i++) values.push(readField(sp + i, element));
          stack.u32[sp++ * 4] = allocateFixedArray(heap, typeId, values, guard);
          break;
        }
        case 'other':
          throw new TypeError(`${op.name} is not a constant instruction (the module was not validated)`);
      }
    }
    return readSlot(stack, 0, kind);
  },
};

export const raw: Strategy = {
  name: 'raw',
  description: 'untyped 128-bit operand slots, no GC allowed during const eval (a needed collection is an error)',
  prepare: (compiled) => new InterpretedInitializer(compiled, rawEvaluator),
};
