// Validation of constant expressions
// (https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions):
// only the constant instructions, typed on an operand stack, leaving exactly one value
// of the expected type.
import { CompileError } from '../errors.ts';
import type { ConstExpr, FieldType, GlobalType, Module, NumType, StorageType, ValType, VecType } from '../module/module.ts';
import { matchesHeapType } from './subtyping.ts';
import type { CanonicalHeapType, CanonicalTypeIds } from '../module/type-registry.ts';
import { storageTypeName } from '../module/type-names.ts';

/** What a constant expression may refer to. */
export interface ConstExprContext {
  readonly module: Module;
  readonly canonicalTypes: CanonicalTypeIds;
  /** Type index of every function in the function index space. */
  readonly funcTypes: readonly number[];
  /** Every global of the index space; how many are visible is given per expression. */
  readonly globals: readonly GlobalType[];
  /** Receives every function named by `ref.func`. */
  readonly declaredFuncs: { add(funcIndex: number): void };
}

type SlotKind = NumType | VecType | 'ref';

const ANYREF: ValType = { nullable: true, heap: 'any' };
const EXTERNREF: ValType = { nullable: true, heap: 'extern' };

/**
 * Validates constant expressions against one module. The operand stack is three
 * parallel arrays reused across expressions, so typing allocates nothing per op.
 * Operands hold canonical heap types; expected types are given in module terms (type
 * indices) and mapped when compared, so messages can name them as the module does.
 */
export class ConstExprValidator {
  private readonly cx: ConstExprContext;
  private readonly kinds: SlotKind[] = [];
  private readonly nullables: boolean[] = [];
  /** Heap type of each `ref` slot (a canonical id when concrete). */
  private readonly heaps: CanonicalHeapType[] = [];
  private sp = 0;

  constructor(cx: ConstExprContext) {
    this.cx = cx;
  }

  /**
   * Checks that `expr` is constant and produces exactly one value of type `expected`.
   * Only globals below `visibleGlobals` exist for it: global initializers see the
   * imported and earlier globals, table initializers only the imported ones.
   */
  validate(expr: ConstExpr, expected: ValType, visibleGlobals: number): void {
    const { module, canonicalTypes, funcTypes, globals } = this.cx;
    const { ops, offsets } = expr;
    this.sp = 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const at = offsets[i];
      switch (op.op) {
        case 'i32.const':
          this.push('i32', false, 'none');
          break;
        case 'i64.const':
          this.push('i64', false, 'none');
          break;
        case 'f32.const':
          this.push('f32', false, 'none');
          break;
        case 'f64.const':
          this.push('f64', false, 'none');
          break;
        case 'v128.const':
          this.push('v128', false, 'none');
          break;
        case 'ref.null':
          if (typeof op.heap === 'number' && op.heap >= module.types.length) throw unknownType(op.heap, at);
          this.push('ref', true, typeof op.heap === 'number' ? canonicalTypes[op.heap] : op.heap);
          break;
        case 'ref.func':
          if (op.func >= funcTypes.length) throw new CompileError('invalid', `unknown function ${op.func}`, at);
          this.cx.declaredFuncs.add(op.func);
          this.push('ref', false, canonicalTypes[funcTypes[op.func]]);
          break;
        case 'global.get': {
          if (op.global >= visibleGlobals) throw new CompileError('invalid', `unknown global ${op.global}`, at);
          const g = globals[op.global];
          if (g.mutable) throw constantRequired(`global.get of mutable global ${op.global}`, at);
          this.pushValType(g.type);
          break;
        }
        case 'i32.add':
        case 'i32.sub':
        case 'i32.mul':
          this.pop('i32', at);
          this.pop('i32', at);
          this.push('i32', false, 'none');
          break;
        case 'i64.add':
        case 'i64.sub':
        case 'i64.mul':
          this.pop('i64', at);
          this.pop('i64', at);
          this.push('i64', false, 'none');
          break;
        case 'struct.new':
        case 'struct.new_default': {
          const composite = this.composite(op.type, at);
          if (composite.kind !== 'struct') throw typeMismatch(`type ${op.type} is not a struct type`, at);
          const fields = composite.fields;
          if (op.op === 'struct.new') {
            for (let f = fields.length - 1; f >= 0; f--) this.popStorage(fields[f].storage, at);
          } else {
            for (const field of fields) this.requireDefaultable(field, at);
          }
          this.push('ref', false, canonicalTypes[op.type]);
          break;
        }
        case 'array.new':
        case 'array.new_default':
        case 'array.new_fixed': {
          const composite = this.composite(op.type, at);
          if (composite.kind !== 'array') throw typeMismatch(`type ${op.type} is not an array type`, at);
          const element = composite.element;
          if (op.op === 'array.new_fixed') {
            // Checked first so a huge length fails at once instead of popping that often.
            if (op.length > this.sp) throw typeMismatch(`array.new_fixed needs ${op.length} operands`, at);
            for (let n = 0; n < op.length; n++) this.popStorage(element.storage, at);
          } else {
            this.pop('i32', at);
            if (op.op === 'array.new') this.popStorage(element.storage, at);
            else this.requireDefaultable(element, at);
          }
          this.push('ref', false, canonicalTypes[op.type]);
          break;
        }
        case 'ref.i31':
          this.pop('i32', at);
          this.push('ref', false, 'i31');
          break;
        case 'any.convert_extern':
        case 'extern.convert_any': {
          const toAny = op.op === 'any.convert_extern';
          // The conversion keeps nullness: read it before the slot is popped.
          const nullable = this.sp > 0 && this.nullables[this.sp - 1];
          this.pop(toAny ? EXTERNREF : ANYREF, at);
          this.push('ref', nullable, toAny ? 'any' : 'extern');
          break;
        }
        case 'other':
          throw constantRequired(`${op.name} is not a constant instruction`, at);
      }
    }
    if (this.sp !== 1) {
      throw typeMismatch(`constant expression leaves ${this.sp} values, expected 1 of type ${storageTypeName(expected)}`, expr.offset);
    }
    this.pop(expected, expr.offset);
  }

  private composite(typeIndex: number, at: number) {
    if (typeIndex >= this.cx.module.types.length) throw unknownType(typeIndex, at);
    return this.cx.module.types[typeIndex].composite;
  }

  private push(kind: SlotKind, nullable: boolean, heap: CanonicalHeapType): void {
    const sp = this.sp++;
    this.kinds[sp] = kind;
    this.nullables[sp] = nullable;
    this.heaps[sp] = heap;
  }

  /** Pushes a value type given in module terms (concrete heap types as type indices). */
  private pushValType(t: ValType): void {
    if (typeof t === 'string') this.push(t, false, 'none');
    else this.push('ref', t.nullable, typeof t.heap === 'number' ? this.cx.canonicalTypes[t.heap] : t.heap);
  }

  /** Pops an operand of type `expected`, given in module terms. */
  private pop(expected: ValType, at: number): void {
    if (this.sp === 0) throw typeMismatch(`missing operand of type ${storageTypeName(expected)}`, at);
    const sp = --this.sp;
    const kind = this.kinds[sp];
    let ok: boolean;
    if (typeof expected === 'string') ok = kind === expected;
    else {
      const heap = typeof expected.heap === 'number' ? this.cx.canonicalTypes[expected.heap] : expected.heap;
      ok = kind === 'ref' && (expected.nullable || !this.nullables[sp]) && matchesHeapType(this.heaps[sp], heap);
    }
    if (!ok) throw typeMismatch(`operand is not of type ${storageTypeName(expected)}`, at);
  }

  /** Packed fields take i32 operands. */
  private popStorage(storage: StorageType, at: number): void {
    this.pop(storage === 'i8' || storage === 'i16' ? 'i32' : storage, at);
  }

  private requireDefaultable(field: FieldType, at: number): void {
    const s = field.storage;
    if (typeof s !== 'string' && !s.nullable) {
      throw typeMismatch(`field type ${storageTypeName(s)} is not defaultable`, at);
    }
  }
}

function typeMismatch(detail: string, at: number): CompileError {
  return new CompileError('invalid', `type mismatch: ${detail}`, at);
}

function constantRequired(detail: string, at: number): CompileError {
  return new CompileError('invalid', `constant expression required: ${detail}`, at);
}

function unknownType(index: number, at: number): CompileError {
  return new CompileError('invalid', `unknown type ${index}`, at);
}
