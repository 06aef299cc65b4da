// Validation of function bodies, by the spec's validation algorithm
// (https://webassembly.github.io/spec/core/appendix/algorithm.html): an operand stack of
// value types, where Unknown (`BOT`) stands for the operands of unreachable code, and a
// control stack of frames with their start and end types, the operand height at entry
// and whether the rest of the frame is unreachable. Locals of non-defaultable types are
// tracked as the typed function references proposal does: `local.set` and `local.tee`
// initialize one, and the end of the block that did it makes it uninitialized again.
//
// This is also the pass that reads the instructions: compile() has the decoder only
// delimit bodies, and every read here checks what the decoder's scan would
// (binary/decode-code.ts), throwing its `malformed` errors. The spec wants a malformed
// body reported before any invalid one, so when a body fails validation the decoder's
// scan reads the rest of the module's bodies first (`validateFunctionBodies`). Everything is
// in typed arrays reused from body to body; typing an instruction allocates nothing.
import { ByteReader } from '../binary/byte-reader.ts';
import { readHeapType, readValType } from '../binary/decode-types.ts';
import { readBlockTypeIndex, readBrOnCastFlags, readCatchKind, readMemargFlags, readOpcode } from '../binary/decode-instruction.ts';
import { scanBodies } from '../binary/decode-code.ts';
import {
  GC_BASE,
  IMM_ILLEGAL,
  IMM_MEMARG,
  IMM_MEMARG_LANE,
  INSTRUCTION_IMMEDIATES,
  INSTRUCTION_NAMES,
  MISC_BASE,
  PREFIX_GC,
  SIMD_BASE,
} from '../binary/instruction-table.ts';
import { CompileError } from '../errors.ts';
import { checkLimit, type ImplementationLimits } from '../implementation-limits.ts';
import type { FunctionBody, HeapType, Module, ValType } from '../module/module.ts';
import type { ModuleInfo } from '../module/module-info.ts';
import type { CanonicalTypeIds } from '../module/type-registry.ts';
import {
  IS_STORE,
  LANE_COUNT,
  MEMORY_VALUE,
  NATURAL_ALIGNMENT,
  SIMPLE_ARITY,
  SIMPLE_PARAMS,
  SIMPLE_RESULT,
} from './instruction-signatures.ts';
import {
  BOT,
  concreteHeapCode,
  encodeType,
  F32,
  F64,
  HEAP_ANY,
  HEAP_ARRAY,
  HEAP_BOT,
  HEAP_EQ,
  HEAP_EXN,
  HEAP_EXTERN,
  HEAP_FUNC,
  HEAP_I31,
  heapCode,
  heapOf,
  I32,
  I64,
  isNullable,
  isNumOrVec,
  isRef,
  matchesStorage,
  matchesType,
  refType,
  topHeapOf,
  typeName,
  unpacked,
  V128,
} from './operand-types.ts';

// Kinds of control frames.
const FUNC = 0;
const BLOCK = 1;
const LOOP = 2;
const IF = 3;
const ELSE = 4;

// Kinds of defined types.
const KIND_FUNC = 0;
const KIND_STRUCT = 1;
const KIND_ARRAY = 2;

const FUNCREF = refType(HEAP_FUNC, true);
const EXTERNREF = refType(HEAP_EXTERN, true);
const ANYREF = refType(HEAP_ANY, true);
const EQREF = refType(HEAP_EQ, true);
const I31REF = refType(HEAP_I31, true);
const ARRAYREF = refType(HEAP_ARRAY, true);
const EXNREF = refType(HEAP_EXN, true);
const NON_NULL_EXNREF = refType(HEAP_EXN, false);

const MAX_OFFSET_32 = 0xffff_ffff;

/**
 * Per one-byte opcode: its operand count if it has a fixed signature, -1 for another
 * legal instruction, `READ_OPCODE` for a prefix or an illegal byte.
 */
const READ_OPCODE = -2;
const ONE_BYTE_CLASS: Int8Array = Int8Array.from({ length: 0x100 }, (_, op) =>
  op >= PREFIX_GC || INSTRUCTION_IMMEDIATES[op] === IMM_ILLEGAL ? READ_OPCODE : SIMPLE_ARITY[op],
);

/** Copies `n` types; for the few types of a block or signature, cheaper than a subarray view. */
function copyTypes(from: Int32Array, fromAt: number, to: Int32Array, toAt: number, n: number): void {
  for (let i = 0; i < n; i++) to[toAt + i] = from[fromAt + i];
}

/** Grows a typed array to hold at least `need` entries, keeping its contents. */
function grown<T extends Int32Array | Uint8Array>(array: T, need: number): T {
  let size = array.length * 2;
  while (size < need) size *= 2;
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

/**
 * Validates the bodies of one module. Its context (the spec's C: types, functions,
 * tables, memories, globals, segments, tags) is encoded once; then `validate(i)` reads
 * and checks the module's i-th body, throwing `CompileError` of kind `invalid`, or
 * `malformed` for an instruction that does not decode.
 */
class FunctionValidator {
  private readonly module: Module;
  private readonly info: ModuleInfo;
  private readonly limits: ImplementationLimits;
  private readonly canonicalTypes: CanonicalTypeIds;
  private readonly r: ByteReader;
  private readonly typeCount: number;

  // ---- The module's context, encoded ------------------------------------------------------
  /** Per type index: its kind, and where its params and results (or fields, or element) are in `typePool`. */
  private readonly typeKind: Uint8Array;
  private readonly typeAt: Int32Array;
  private readonly typeN: Int32Array;
  private readonly typeResultsN: Int32Array;
  private readonly typePool: Int32Array;
  /** Mutability of the fields in `typePool`, parallel to it. */
  private readonly typeMutable: Uint8Array;
  private readonly globalTypes: Int32Array;
  private readonly globalMutable: Uint8Array;
  private readonly tableElements: Int32Array;
  private readonly tableAddress: Int32Array;
  private readonly memoryAddress: Int32Array;
  private readonly elementTypes: Int32Array;

  // ---- One body's state -------------------------------------------------------------------
  private funcIndex = 0;
  /** Offset of the instruction being typed, and its flat opcode. */
  private at = 0;
  private op = 0;
  private vals = new Int32Array(256);
  private sp = 0;
  /** The control stack, one entry per open frame in parallel arrays; `top` is the innermost. */
  private ctrlKind = new Uint8Array(64);
  private ctrlHeight = new Int32Array(64);
  private ctrlUnreachable = new Uint8Array(64);
  /** A frame's start types are `pool[ctrlStart .. +ctrlStartN]`, its end types follow them. */
  private ctrlStart = new Int32Array(64);
  private ctrlStartN = new Int32Array(64);
  private ctrlEndN = new Int32Array(64);
  /** `initTop` when the frame opened: the locals it initialized are above. */
  private ctrlInits = new Int32Array(64);
  private top = -1;
  /** Results of the block type `readBlockType` read last (it returns the params). */
  private blockResults = 0;
  /** Block types of the open frames, a stack parallel to the control stack. */
  private pool = new Int32Array(256);
  private poolTop = 0;
  private locals = new Int32Array(64);
  private localCount = 0;
  private localInit = new Uint8Array(64);
  /** Locals initialized inside open frames, innermost last. */
  private inits = new Int32Array(64);
  private initTop = 0;
  /** br_table's targets, read before any is checked. */
  private labels = new Int32Array(64);
  /** Operands popped to be pushed back (br_table). */
  private scratch = new Int32Array(16);

  constructor(module: Module, info: ModuleInfo, bytes: Uint8Array, limits: ImplementationLimits) {
    this.module = module;
    this.info = info;
    this.limits = limits;
    this.canonicalTypes = info.canonicalTypes;
    this.r = new ByteReader(bytes);
    const types = module.types;
    const n = types.length;
    this.typeCount = n;
    this.typeKind = new Uint8Array(n);
    this.typeAt = new Int32Array(n);
    this.typeN = new Int32Array(n);
    this.typeResultsN = new Int32Array(n);
    let size = 0;
    for (const { composite: c } of types) size += c.kind === 'func' ? c.params.length + c.results.length : c.kind === 'struct' ? c.fields.length : 1;
    this.typePool = new Int32Array(size);
    this.typeMutable = new Uint8Array(size);
    let at = 0;
    const canon = this.canonicalTypes;
    for (let i = 0; i < n; i++) {
      const c = types[i].composite;
      this.typeAt[i] = at;
      if (c.kind === 'func') {
        this.typeKind[i] = KIND_FUNC;
        this.typeN[i] = c.params.length;
        this.typeResultsN[i] = c.results.length;
        for (const t of c.params) this.typePool[at++] = encodeType(t, canon);
        for (const t of c.results) this.typePool[at++] = encodeType(t, canon);
      } else {
        const fields = c.kind === 'struct' ? c.fields : [c.element];
        this.typeKind[i] = c.kind === 'struct' ? KIND_STRUCT : KIND_ARRAY;
        this.typeN[i] = fields.length;
        for (const f of fields) {
          this.typeMutable[at] = f.mutable ? 1 : 0;
          this.typePool[at++] = encodeType(f.storage, canon);
        }
      }
    }
    const address = (a: 'i32' | 'i64'): number => (a === 'i64' ? I64 : I32);
    this.globalTypes = Int32Array.from(info.globals, (g) => encodeType(g.type, canon));
    this.globalMutable = Uint8Array.from(info.globals, (g) => (g.mutable ? 1 : 0));
    this.tableElements = Int32Array.from(info.tables, (t) => encodeType(t.element, canon));
    this.tableAddress = Int32Array.from(info.tables, (t) => address(t.addressType));
    this.memoryAddress = Int32Array.from(info.memories, (m) => address(m.addressType));
    this.elementTypes = Int32Array.from(module.elements, (e) => encodeType(e.type, canon));
  }

  /** Validates the module's `codeIndex`-th function body. */
  validate(codeIndex: number): void {
    const body: FunctionBody = this.module.codes[codeIndex];
    const r = this.r;
    r.pos = body.offset;
    r.end = body.offset + body.size;
    this.funcIndex = this.info.importedFuncs + codeIndex;
    const typeIndex = this.module.funcs[codeIndex];
    this.at = body.offset;
    this.readLocals(typeIndex);
    this.sp = 0;
    this.top = -1;
    this.poolTop = 0;
    this.initTop = 0;
    // The function's frame: no start types, the results as end types.
    const results = this.typeResultsN[typeIndex];
    this.ensurePool(results);
    copyTypes(this.typePool, this.typeAt[typeIndex] + this.typeN[typeIndex], this.pool, 0, results);
    this.pushCtrl(FUNC, 0, 0, results);
    this.instructions();
  }

  private readLocals(typeIndex: number): void {
    const r = this.r;
    const params = this.typeN[typeIndex];
    let count = params;
    this.ensureLocals(count);
    copyTypes(this.typePool, this.typeAt[typeIndex], this.locals, 0, params);
    this.localInit.fill(1, 0, params);
    const groups = r.u32();
    for (let g = 0; g < groups; g++) {
      const n = r.u32();
      const at = r.pos;
      const t = this.valType(readValType(r), at);
      if (count + n > this.limits.functionLocals) checkLimit(this.limits, 'functionLocals', count + n, `function ${this.funcIndex}: locals`);
      this.ensureLocals(count + n);
      this.locals.fill(t, count, count + n);
      // Only non-nullable references have no default value.
      this.localInit.fill(isRef(t) && !isNullable(t) ? 0 : 1, count, count + n);
      count += n;
    }
    this.localCount = count;
  }

  // ---- The instruction loop ------------------------------------------------------------------

  private instructions(): void {
    const r = this.r;
    const bytes = r.bytes;
    const end = r.end;
    // The commonest instructions in their commonest form (one-byte indices, operands of
    // exactly the expected types, memory 0, immediates that need no range check) are
    // typed here with the operand stack in locals; anything else, including every error,
    // goes to the general rules with the state written back, which read the instruction
    // again from its start. Near the body's end only the general rules read, so a fast
    // case may read 6 bytes without a bounds check.
    const locals = this.locals;
    const localInit = this.localInit;
    const localCount = this.localCount;
    const globalTypes = this.globalTypes;
    const globalMutable = this.globalMutable;
    const funcTypes = this.info.funcTypes;
    const typeAt = this.typeAt;
    const typeN = this.typeN;
    const typeResultsN = this.typeResultsN;
    const typePool = this.typePool;
    const address0 = this.memoryAddress.length !== 0 ? this.memoryAddress[0] : -1;
    let vals = this.vals;
    let sp = this.sp;
    let pos = r.pos;
    /** The innermost frame's operand height. */
    let height = this.ctrlHeight[this.top];
    for (;;) {
      if (pos + 6 <= end) {
        const op = bytes[pos];
        const x = bytes[pos + 1];
        switch (op) {
          case 0x20: // local.get
            if (x < 0x80 && x < localCount && localInit[x] !== 0 && sp < vals.length) {
              vals[sp++] = locals[x];
              pos += 2;
              continue;
            }
            break;
          case 0x21: // local.set
            if (x < 0x80 && x < localCount && sp > height && vals[sp - 1] === locals[x]) {
              sp--;
              pos += 2;
              if (localInit[x] === 0) this.initialize(x);
              continue;
            }
            break;
          case 0x22: // local.tee
            if (x < 0x80 && x < localCount && sp > height && vals[sp - 1] === locals[x]) {
              pos += 2;
              if (localInit[x] === 0) this.initialize(x);
              continue;
            }
            break;
          case 0x23: // global.get
            if (x < 0x80 && x < globalTypes.length && sp < vals.length) {
              vals[sp++] = globalTypes[x];
              pos += 2;
              continue;
            }
            break;
          case 0x24: // global.set
            if (x < 0x80 && x < globalTypes.length && globalMutable[x] !== 0 && sp > height && vals[sp - 1] === globalTypes[x]) {
              sp--;
              pos += 2;
              continue;
            }
            break;
          case 0x41: // i32.const: an s32 of up to 4 bytes needs no range check
          case 0x42: {
            // i64.const: nor does an s64 of up to 5
            const last = pos + (op === 0x41 ? 4 : 5);
            let p = pos + 1;
            while (p < last && bytes[p] >= 0x80) p++;
            if (bytes[p] < 0x80 && sp < vals.length) {
              vals[sp++] = op === 0x41 ? I32 : I64;
              pos = p + 1;
              continue;
            }
            break;
          }
          case 0x1a: // drop
            if (sp > height) {
              sp--;
              pos += 1;
              continue;
            }
            break;
          case 0x02: // block
          case 0x03: // loop
          case 0x04: // if
            // With the empty block type; an `if` pops its i32 condition first.
            if (x === 0x40 && (op !== 0x04 || (sp > height && vals[sp - 1] === I32))) {
              if (op === 0x04) sp--;
              pos += 2;
              this.sp = sp;
              this.pushCtrl(op === 0x02 ? BLOCK : op === 0x03 ? LOOP : IF, this.poolTop, 0, 0);
              height = sp;
              continue;
            }
            break;
          case 0x0b: {
            // end, where the operands are exactly the frame's end types: they stay as they are.
            // So may an `if` without `else` whose block type is empty.
            const top = this.top;
            const results = this.ctrlEndN[top];
            if (top === 0 || sp - height !== results || this.initTop !== this.ctrlInits[top]) break;
            if (this.ctrlKind[top] === IF && (results !== 0 || this.ctrlStartN[top] !== 0)) break;
            const endAt = this.ctrlStart[top] + this.ctrlStartN[top];
            const pool = this.pool;
            let same = true;
            for (let i = 0; same && i < results; i++) same = vals[height + i] === pool[endAt + i];
            if (!same) break;
            this.top = top - 1;
            this.poolTop = this.ctrlStart[top];
            height = this.ctrlHeight[top - 1];
            pos += 1;
            continue;
          }
          case 0x0c: // br
          case 0x0d: {
            // br_if, to a label without types, its index of one or two bytes (deep nesting is common)
            const top = this.top;
            const two = x >= 0x80;
            const l = two ? (x & 0x7f) | (bytes[pos + 2] << 7) : x;
            if ((two && bytes[pos + 2] >= 0x80) || l > top || this.labelCount(top - l) !== 0) break;
            if (op === 0x0c) {
              // The rest of the frame is unreachable.
              sp = height;
              this.ctrlUnreachable[top] = 1;
            } else if (sp > height && vals[sp - 1] === I32) sp--;
            else break;
            pos += two ? 3 : 2;
            continue;
          }
          case 0x0f: {
            // return, the function's results exactly on the stack
            const results = this.ctrlEndN[0];
            const base = sp - results;
            if (base < height) break;
            const at = this.ctrlStart[0];
            const pool = this.pool;
            let same = true;
            for (let i = 0; same && i < results; i++) same = vals[base + i] === pool[at + i];
            if (!same) break;
            sp = height;
            this.ctrlUnreachable[this.top] = 1;
            pos += 1;
            continue;
          }
          case 0x01: // nop
            pos += 1;
            continue;
          case 0x10: {
            // call, its function index of up to 4 bytes, operands of exactly the parameter types
            let f = x & 0x7f;
            let p = pos + 1;
            for (let shift = 7; bytes[p] >= 0x80 && p < pos + 4; shift += 7) f |= (bytes[++p] & 0x7f) << shift;
            if (bytes[p] >= 0x80 || f >= funcTypes.length) break;
            const type = funcTypes[f];
            const params = typeN[type];
            const results = typeResultsN[type];
            const at = typeAt[type];
            const base = sp - params;
            if (base < height || base + results > vals.length) break;
            let same = true;
            for (let i = 0; same && i < params; i++) same = vals[base + i] === typePool[at + i];
            if (!same) break;
            for (let i = 0; i < results; i++) vals[base + i] = typePool[at + params + i];
            sp = base + results;
            pos = p + 1;
            continue;
          }
          default: {
            const arity = ONE_BYTE_CLASS[op];
            if (arity === 2) {
              const k = op * 3;
              if (sp - 2 >= height && vals[sp - 1] === SIMPLE_PARAMS[k + 1] && vals[sp - 2] === SIMPLE_PARAMS[k]) {
                const result = SIMPLE_RESULT[op];
                if (result !== BOT) {
                  vals[sp - 2] = result;
                  sp -= 1;
                } else sp -= 2;
                pos += 1;
                continue;
              }
            } else if (arity === 1) {
              if (sp > height && vals[sp - 1] === SIMPLE_PARAMS[op * 3]) {
                const result = SIMPLE_RESULT[op];
                if (result !== BOT) vals[sp - 1] = result;
                else sp -= 1;
                pos += 1;
                continue;
              }
            } else if (op >= 0x28 && op <= 0x3e && x <= NATURAL_ALIGNMENT[op] && address0 >= 0) {
              // A load or store of memory 0 with an offset below 2^28 (at most 4 LEB bytes).
              let p = pos + 2;
              while (p < pos + 5 && bytes[p] >= 0x80) p++;
              if (bytes[p] >= 0x80) break;
              if (IS_STORE[op]) {
                if (sp - 2 < height || vals[sp - 1] !== MEMORY_VALUE[op] || vals[sp - 2] !== address0) break;
                sp -= 2;
              } else {
                if (sp - 1 < height || vals[sp - 1] !== address0) break;
                vals[sp - 1] = MEMORY_VALUE[op];
              }
              pos = p + 1;
              continue;
            }
          }
        }
      }
      // The general rules, on the state as the fast cases left it.
      this.sp = sp;
      r.pos = pos;
      if (this.general()) return;
      vals = this.vals;
      sp = this.sp;
      pos = r.pos;
      height = this.ctrlHeight[this.top];
    }
  }

  /** Types the instruction at `r.pos` by the general rules. Returns true at the function's final `end`. */
  private general(): boolean {
    const r = this.r;
    const at = r.pos;
    let op = at < r.end ? r.bytes[at] : -1;
    // One lookup sorts a one-byte opcode: simple, legal, or to be read by readOpcode.
    let arity = op >= 0 ? ONE_BYTE_CLASS[op] : READ_OPCODE;
    if (arity === READ_OPCODE) {
      op = readOpcode(r);
      arity = SIMPLE_ARITY[op];
    } else r.pos = at + 1;
    this.at = at;
    this.op = op;
    if (arity >= 0) {
      this.simple(op, arity);
      if (LANE_COUNT[op] !== 0) this.lane(LANE_COUNT[op]);
      return false;
    }
    return this.instruction(op);
  }

  /** An instruction of fixed signature: its operands are numbers or vectors, matched by equality. */
  private simple(op: number, arity: number): void {
    const base = op * 3;
    const height = this.ctrlHeight[this.top];
    const vals = this.vals;
    const result = SIMPLE_RESULT[op];
    let sp = this.sp;
    // Operands of exactly the types wanted (the rule almost always): the result takes their place.
    if (arity === 2) {
      if (sp - 2 >= height && vals[sp - 1] === SIMPLE_PARAMS[base + 1] && vals[sp - 2] === SIMPLE_PARAMS[base]) {
        if (result !== BOT) {
          vals[sp - 2] = result;
          this.sp = sp - 1;
        } else this.sp = sp - 2;
        return;
      }
    } else if (arity === 1 && sp - 1 >= height && vals[sp - 1] === SIMPLE_PARAMS[base]) {
      if (result !== BOT) vals[sp - 1] = result;
      else this.sp = sp - 1;
      return;
    }
    for (let k = arity - 1; k >= 0; k--) {
      if (sp > height) {
        const actual = this.vals[--sp];
        if (actual !== SIMPLE_PARAMS[base + k] && actual !== BOT) this.simpleMismatch(op, arity);
      } else if (this.ctrlUnreachable[this.top] === 0) this.simpleMismatch(op, arity);
    }
    this.sp = sp;
    if (result !== BOT) this.push(result);
  }

  private simpleMismatch(op: number, arity: number): never {
    const expected: number[] = [];
    for (let k = 0; k < arity; k++) expected.push(SIMPLE_PARAMS[op * 3 + k]);
    const available = Math.min(arity, this.sp - this.ctrlHeight[this.top]);
    const got = Array.from(this.vals.subarray(this.sp - available, this.sp));
    this.typeMismatch(`${INSTRUCTION_NAMES[op]} expected [${this.names(expected)}] but got [${this.names(got)}]`);
  }

  /** Types every instruction without a fixed signature. Returns true at the function's final `end`. */
  private instruction(op: number): boolean {
    const r = this.r;
    switch (op) {
      case 0x00: // unreachable
        this.unreachable();
        break;
      case 0x01: // nop
        break;
      case 0x02: // block
      case 0x03: // loop
        this.openBlock(op === 0x02 ? BLOCK : LOOP, false);
        break;
      case 0x04: // if
        this.openBlock(IF, true);
        break;
      case 0x05: // else
        this.elseBranch();
        break;
      case 0x08: {
        // throw
        const tag = this.tagType(r.u32());
        this.popTypes(this.typePool, this.typeAt[tag], this.typeN[tag]);
        this.unreachable();
        break;
      }
      case 0x0a: // throw_ref
        this.popExpect(EXNREF);
        this.unreachable();
        break;
      case 0x0b: // end
        return this.end();
      case 0x0c: {
        // br
        const l = this.label(r.u32());
        this.popLabelTypes(l);
        this.unreachable();
        break;
      }
      case 0x0d: {
        // br_if
        const l = this.label(r.u32());
        this.popExpect(I32);
        this.popLabelTypes(l);
        this.pushLabelTypes(l);
        break;
      }
      case 0x0e:
        this.brTable();
        break;
      case 0x0f: // return
        this.popTypes(this.pool, this.ctrlStart[0], this.ctrlEndN[0]);
        this.unreachable();
        break;
      case 0x10: // call
        this.call(this.funcType(r.u32()), false);
        break;
      case 0x12: // return_call
        this.call(this.funcType(r.u32()), true);
        break;
      case 0x11: // call_indirect
      case 0x13: {
        // return_call_indirect
        const type = this.funcTypeIndex(r.u32());
        const table = this.table(r.u32());
        if (!matchesType(this.tableElements[table], FUNCREF)) {
          this.typeMismatch(`${this.name()} on table ${table} of type ${this.typeName(this.tableElements[table])}, not funcref`);
        }
        this.popExpect(this.tableAddress[table]);
        this.call(type, op === 0x13);
        break;
      }
      case 0x14: // call_ref
      case 0x15: {
        // return_call_ref
        const type = this.funcTypeIndex(r.u32());
        this.popExpect(refType(concreteHeapCode(this.canonicalTypes[type]), true));
        this.call(type, op === 0x15);
        break;
      }
      case 0x1a: // drop
        this.pop();
        break;
      case 0x1b:
        this.select();
        break;
      case 0x1c: {
        // select t*
        const n = r.count();
        if (n !== 1) this.fail('invalid result arity', `select must have one result type, not ${n}`);
        const t = this.valType(readValType(r), this.at);
        this.popExpect(I32);
        this.popExpect(t);
        this.popExpect(t);
        this.push(t);
        break;
      }
      case 0x1f:
        this.tryTable();
        break;
      case 0x20: {
        // local.get
        const x = this.local(r.u32());
        if (this.localInit[x] === 0) this.fail('uninitialized local', `local ${x} of type ${this.typeName(this.locals[x])} is read before it is set`);
        this.push(this.locals[x]);
        break;
      }
      case 0x21: // local.set
      case 0x22: {
        // local.tee
        const x = this.local(r.u32());
        this.popExpect(this.locals[x]);
        this.initialize(x);
        if (op === 0x22) this.push(this.locals[x]);
        break;
      }
      case 0x23: // global.get
        this.push(this.globalTypes[this.global(r.u32())]);
        break;
      case 0x24: {
        // global.set
        const x = this.global(r.u32());
        if (this.globalMutable[x] === 0) this.fail('global is immutable', `global.set of immutable global ${x}`);
        this.popExpect(this.globalTypes[x]);
        break;
      }
      case 0x25: {
        // table.get
        const x = this.table(r.u32());
        this.popExpect(this.tableAddress[x]);
        this.push(this.tableElements[x]);
        break;
      }
      case 0x26: {
        // table.set
        const x = this.table(r.u32());
        this.popExpect(this.tableElements[x]);
        this.popExpect(this.tableAddress[x]);
        break;
      }
      case 0x3f: // memory.size
        this.push(this.memoryAddress[this.memory(r.u32())]);
        break;
      case 0x40: {
        // memory.grow
        const address = this.memoryAddress[this.memory(r.u32())];
        this.popExpect(address);
        this.push(address);
        break;
      }
      case 0x41: // i32.const
        r.s32();
        this.push(I32);
        break;
      case 0x42: // i64.const
        r.skipS64();
        this.push(I64);
        break;
      case 0x43: // f32.const
        r.skip(4);
        this.push(F32);
        break;
      case 0x44: // f64.const
        r.skip(8);
        this.push(F64);
        break;
      case 0xd0: // ref.null
        this.push(refType(this.heapType(readHeapType(r)), true));
        break;
      case 0xd1: // ref.is_null
        this.popRef();
        this.push(I32);
        break;
      case 0xd2: {
        // ref.func
        const x = r.u32();
        const type = this.funcType(x);
        if (!this.info.declaredFuncs.has(x)) this.fail('undeclared function reference', `ref.func ${x}: the function is not declared outside function bodies`);
        this.push(refType(concreteHeapCode(this.canonicalTypes[type]), false));
        break;
      }
      case 0xd3: // ref.eq
        this.popExpect(EQREF);
        this.popExpect(EQREF);
        this.push(I32);
        break;
      case 0xd4: // ref.as_non_null
        this.push(refType(heapOf(this.popRef()), false));
        break;
      case 0xd5: {
        // br_on_null
        const l = this.label(r.u32());
        const t = this.popRef();
        this.popLabelTypes(l);
        this.pushLabelTypes(l);
        this.push(refType(heapOf(t), false));
        break;
      }
      case 0xd6:
        this.brOnNonNull(this.label(r.u32()));
        break;
      case MISC_BASE + 0x08: {
        // memory.init
        this.data(r.u32());
        const address = this.memoryAddress[this.memory(r.u32())];
        this.popExpect(I32);
        this.popExpect(I32);
        this.popExpect(address);
        break;
      }
      case MISC_BASE + 0x09: // data.drop
        this.data(r.u32());
        break;
      case MISC_BASE + 0x0a: {
        // memory.copy
        const destination = this.memoryAddress[this.memory(r.u32())];
        const source = this.memoryAddress[this.memory(r.u32())];
        this.popExpect(destination === I64 && source === I64 ? I64 : I32);
        this.popExpect(source);
        this.popExpect(destination);
        break;
      }
      case MISC_BASE + 0x0b: {
        // memory.fill
        const address = this.memoryAddress[this.memory(r.u32())];
        this.popExpect(address);
        this.popExpect(I32);
        this.popExpect(address);
        break;
      }
      case MISC_BASE + 0x0c: {
        // table.init
        const element = this.elementTypes[this.elementSegment(r.u32())];
        const x = this.table(r.u32());
        this.requireMatch(element, this.tableElements[x], `elements of type ${this.typeName(element)} into table ${x}`);
        this.popExpect(I32);
        this.popExpect(I32);
        this.popExpect(this.tableAddress[x]);
        break;
      }
      case MISC_BASE + 0x0d: // elem.drop
        this.elementSegment(r.u32());
        break;
      case MISC_BASE + 0x0e: {
        // table.copy
        const x = this.table(r.u32());
        const y = this.table(r.u32());
        this.requireMatch(this.tableElements[y], this.tableElements[x], `from table ${y} into table ${x}`);
        const dx = this.tableAddress[x];
        const sy = this.tableAddress[y];
        this.popExpect(dx === I64 && sy === I64 ? I64 : I32);
        this.popExpect(sy);
        this.popExpect(dx);
        break;
      }
      case MISC_BASE + 0x0f: {
        // table.grow
        const x = this.table(r.u32());
        this.popExpect(this.tableAddress[x]);
        this.popExpect(this.tableElements[x]);
        this.push(this.tableAddress[x]);
        break;
      }
      case MISC_BASE + 0x10: // table.size
        this.push(this.tableAddress[this.table(r.u32())]);
        break;
      case MISC_BASE + 0x11: {
        // table.fill
        const x = this.table(r.u32());
        this.popExpect(this.tableAddress[x]);
        this.popExpect(this.tableElements[x]);
        this.popExpect(this.tableAddress[x]);
        break;
      }
      case SIMD_BASE + 0x0c: // v128.const
        r.skip(16);
        this.push(V128);
        break;
      case SIMD_BASE + 0x0d: {
        // i8x16.shuffle
        const lanes = r.view(16);
        for (let i = 0; i < 16; i++) {
          const lane = lanes[i];
          if (lane >= 32) this.fail('invalid lane index', `i8x16.shuffle lane ${lane} is not below 32`);
        }
        this.popExpect(V128);
        this.popExpect(V128);
        this.push(V128);
        break;
      }
      default:
        if (op >= GC_BASE && op < MISC_BASE) this.gcInstruction(op);
        else if (INSTRUCTION_IMMEDIATES[op] === IMM_MEMARG) this.loadOrStore(op);
        else if (INSTRUCTION_IMMEDIATES[op] === IMM_MEMARG_LANE) this.laneLoadOrStore(op);
        else throw new Error(`no typing rule for opcode ${INSTRUCTION_NAMES[op]}`);
    }
    return false;
  }

  // ---- Control instructions ------------------------------------------------------------------

  /**
   * block, loop, if: the block type is read into the pool above the open frames, its
   * start types popped (after the condition of an `if`), and the frame opened.
   */
  private openBlock(kind: number, condition: boolean): void {
    const start = this.poolTop;
    const params = this.readBlockType(start);
    if (condition) this.popExpect(I32);
    this.popTypes(this.pool, start, params);
    this.pushCtrl(kind, start, params, this.blockResults);
  }

  /** Reads a block type into `pool[at..]`, params then results; returns the param count. */
  private readBlockType(at: number): number {
    const r = this.r;
    const b = r.peek();
    if (b === 0x40) {
      r.pos++;
      this.blockResults = 0;
      return 0;
    }
    if (b >= 0x40 && b < 0x80) {
      // One byte of a negative s33: a value type.
      const t = this.valType(readValType(r), this.at);
      this.ensurePool(at + 1);
      this.pool[at] = t;
      this.blockResults = 1;
      return 0;
    }
    const type = this.funcTypeIndex(readBlockTypeIndex(r));
    const n = this.typeN[type] + this.typeResultsN[type];
    this.ensurePool(at + n);
    copyTypes(this.typePool, this.typeAt[type], this.pool, at, n);
    this.blockResults = this.typeResultsN[type];
    return this.typeN[type];
  }

  private pushCtrl(kind: number, start: number, params: number, results: number): void {
    const top = ++this.top;
    if (top === this.ctrlKind.length) this.growCtrl();
    this.ctrlKind[top] = kind;
    this.ctrlHeight[top] = this.sp;
    this.ctrlUnreachable[top] = 0;
    this.ctrlStart[top] = start;
    this.ctrlStartN[top] = params;
    this.ctrlEndN[top] = results;
    this.ctrlInits[top] = this.initTop;
    this.poolTop = start + params + results;
    this.pushTypes(this.pool, start, params);
  }

  /** The end of a frame's instructions: its end types, and nothing else, are on the stack. */
  private closeFrame(): void {
    const top = this.top;
    this.popTypes(this.pool, this.ctrlStart[top] + this.ctrlStartN[top], this.ctrlEndN[top]);
    if (this.sp !== this.ctrlHeight[top]) {
      this.typeMismatch(`${this.sp - this.ctrlHeight[top]} values left on the stack at the end of a block, beyond its results [${this.names(this.types(this.pool, this.ctrlStart[top] + this.ctrlStartN[top], this.ctrlEndN[top]))}]`);
    }
    // Locals initialized inside the frame are not known to be initialized after it.
    const inits = this.ctrlInits[top];
    while (this.initTop > inits) this.localInit[this.inits[--this.initTop]] = 0;
  }

  private elseBranch(): void {
    if (this.ctrlKind[this.top] !== IF) this.r.fail('END opcode expected', this.at);
    this.closeFrame();
    const top = this.top;
    this.ctrlKind[top] = ELSE;
    this.ctrlUnreachable[top] = 0;
    this.pushTypes(this.pool, this.ctrlStart[top], this.ctrlStartN[top]);
  }

  private end(): boolean {
    const top = this.top;
    const start = this.ctrlStart[top];
    const params = this.ctrlStartN[top];
    const results = this.ctrlEndN[top];
    if (this.ctrlKind[top] === IF) {
      // An `if` without `else` has an empty else branch, which passes its start types on as its end types.
      let ok = params === results;
      for (let i = 0; ok && i < params; i++) ok = matchesType(this.pool[start + i], this.pool[start + params + i]);
      if (!ok) {
        this.typeMismatch(`if without else: its start types [${this.names(this.types(this.pool, start, params))}] are not its end types [${this.names(this.types(this.pool, start + params, results))}]`);
      }
    }
    this.closeFrame();
    if (top === 0) {
      // The function's end must be the body's last byte.
      if (this.r.pos !== this.r.end) this.r.fail('section size mismatch', this.r.pos);
      return true;
    }
    this.top--;
    this.poolTop = start;
    // The end types are still in the pool, above the new top.
    this.pushTypes(this.pool, start + params, results);
    return false;
  }

  private label(l: number): number {
    if (l > this.top) this.fail('unknown label', `label ${l}, where ${this.top + 1} are open`);
    return this.top - l;
  }

  /** Where the label types of frame `f` are in the pool: a loop's start types, any other frame's end types. */
  private labelAt(f: number): number {
    return this.ctrlKind[f] === LOOP ? this.ctrlStart[f] : this.ctrlStart[f] + this.ctrlStartN[f];
  }

  private labelCount(f: number): number {
    return this.ctrlKind[f] === LOOP ? this.ctrlStartN[f] : this.ctrlEndN[f];
  }

  /** Pops the label types of frame `f`, all but the last `drop`. */
  private popLabelTypes(f: number, drop = 0): void {
    this.popTypes(this.pool, this.labelAt(f), this.labelCount(f) - drop);
  }

  private pushLabelTypes(f: number, drop = 0): void {
    this.pushTypes(this.pool, this.labelAt(f), this.labelCount(f) - drop);
  }

  private brTable(): void {
    const r = this.r;
    const n = r.count();
    if (n >= this.labels.length) this.labels = grown(this.labels, n + 1);
    for (let i = 0; i < n; i++) this.labels[i] = this.label(r.u32());
    const fallback = this.label(r.u32());
    this.popExpect(I32);
    const arity = this.labelCount(fallback);
    for (let i = 0; i < n; i++) {
      const f = this.labels[i];
      const count = this.labelCount(f);
      if (count !== arity) this.typeMismatch(`br_table targets have different arities: ${count} and ${arity}`);
      // Each target checks the same operands, as they are, not as its label types.
      if (count > this.scratch.length) this.scratch = grown(this.scratch, count);
      const at = this.labelAt(f);
      for (let k = count - 1; k >= 0; k--) this.scratch[k] = this.popExpect(this.pool[at + k]);
      for (let k = 0; k < count; k++) this.push(this.scratch[k]);
    }
    this.popLabelTypes(fallback);
    this.unreachable();
  }

  private brOnNonNull(f: number): void {
    const count = this.labelCount(f);
    const last = count > 0 ? this.pool[this.labelAt(f) + count - 1] : BOT;
    if (count === 0) this.typeMismatch(`br_on_non_null to a label without types`);
    if (!isRef(last)) this.typeMismatch(`br_on_non_null to a label whose last type is not a reference`);
    const t = this.popRef();
    this.requireMatch(refType(heapOf(t), false), last, 'br_on_non_null operand for its label');
    this.popLabelTypes(f, 1);
    this.pushLabelTypes(f, 1);
  }

  private brOnCast(cast: boolean): void {
    const r = this.r;
    const flags = readBrOnCastFlags(r);
    const f = this.label(r.u32());
    const from = refType(this.heapType(readHeapType(r)), (flags & 1) !== 0);
    const to = refType(this.heapType(readHeapType(r)), (flags & 2) !== 0);
    this.requireMatch(to, from, `${this.name()} target type for its source type`);
    const count = this.labelCount(f);
    const last = count > 0 ? this.pool[this.labelAt(f) + count - 1] : BOT;
    if (!isRef(last)) this.typeMismatch(`${this.name()} to a label whose last type is not a reference`);
    // The cast's failure type: the source type without what the target type takes.
    const rest = refType(heapOf(from), isNullable(from) && !isNullable(to));
    this.requireMatch(cast ? to : rest, last, `${this.name()} branch for its label`);
    this.popExpect(from);
    this.popLabelTypes(f, 1);
    this.pushLabelTypes(f, 1);
    this.push(cast ? rest : to);
  }

  private tryTable(): void {
    const r = this.r;
    const start = this.poolTop;
    const params = this.readBlockType(start);
    const results = this.blockResults;
    // Catch clauses branch to labels outside the try_table's own.
    const n = r.count();
    for (let i = 0; i < n; i++) {
      const kind = readCatchKind(r);
      const tag = kind < 2 ? this.tagType(r.u32()) : -1;
      const f = this.label(r.u32());
      const withRef = (kind & 1) === 1;
      const tagN = tag >= 0 ? this.typeN[tag] : 0;
      const count = this.labelCount(f);
      const at = this.labelAt(f);
      let ok = count === tagN + (withRef ? 1 : 0);
      for (let k = 0; ok && k < tagN; k++) ok = matchesType(this.typePool[this.typeAt[tag] + k], this.pool[at + k]);
      if (ok && withRef) ok = matchesType(NON_NULL_EXNREF, this.pool[at + tagN]);
      if (!ok) this.typeMismatch(`catch clause ${i} does not match the types of label ${this.top - f}`);
    }
    this.popTypes(this.pool, start, params);
    this.pushCtrl(BLOCK, start, params, results);
  }

  /** call, call_indirect, call_ref and their tail-call forms, once the callee's type is known. */
  private call(type: number, tail: boolean): void {
    const at = this.typeAt[type];
    const params = this.typeN[type];
    const results = this.typeResultsN[type];
    if (tail) {
      // The callee returns to the caller's caller: its results must be the caller's.
      const callerAt = this.ctrlStart[0];
      let ok = results === this.ctrlEndN[0];
      for (let i = 0; ok && i < results; i++) ok = matchesType(this.typePool[at + params + i], this.pool[callerAt + i]);
      if (!ok) {
        this.typeMismatch(`${this.name()} of a function with results [${this.names(this.types(this.typePool, at + params, results))}] from one with results [${this.names(this.types(this.pool, callerAt, this.ctrlEndN[0]))}]`);
      }
    }
    this.popTypes(this.typePool, at, params);
    if (tail) this.unreachable();
    else this.pushTypes(this.typePool, at + params, results);
  }

  private select(): void {
    this.popExpect(I32);
    const t1 = this.pop();
    const t2 = this.pop();
    // Untyped select takes numbers or vectors only: the type of references would need annotating.
    if (!(t1 === BOT || isNumOrVec(t1)) || !(t2 === BOT || isNumOrVec(t2)) || (t1 !== t2 && t1 !== BOT && t2 !== BOT)) {
      this.typeMismatch(`select expected two operands of one number or vector type but got [${this.names([t2, t1])}]`);
    }
    this.push(t1 === BOT ? t2 : t1);
  }

  // ---- Memory instructions ------------------------------------------------------------------

  /** A memarg for `op`: the memory must exist and the alignment be at most natural. Returns the memory's address type. */
  private memarg(op: number): number {
    const r = this.r;
    const flags = readMemargFlags(r);
    const memory = this.memory(flags & 0x40 ? r.u32() : 0);
    const offset = r.u64AsNumber();
    const align = flags & 0x3f;
    if (align > NATURAL_ALIGNMENT[op]) {
      this.fail('alignment must not be larger than natural', `${this.name()} with alignment 2^${align}, natural 2^${NATURAL_ALIGNMENT[op]}`);
    }
    const address = this.memoryAddress[memory];
    if (address === I32 && offset > MAX_OFFSET_32) this.fail('offset out of range', `${this.name()} offset ${offset} into a 32-bit memory`);
    return address;
  }

  private loadOrStore(op: number): void {
    const address = this.memarg(op);
    if (IS_STORE[op]) {
      this.popExpect(MEMORY_VALUE[op]);
      this.popExpect(address);
    } else {
      this.popExpect(address);
      this.push(MEMORY_VALUE[op]);
    }
  }

  private laneLoadOrStore(op: number): void {
    const address = this.memarg(op);
    this.lane(LANE_COUNT[op]);
    this.popExpect(V128);
    this.popExpect(address);
    if (!IS_STORE[op]) this.push(V128);
  }

  private lane(lanes: number): void {
    const lane = this.r.u8();
    if (lane >= lanes) this.fail('invalid lane index', `${this.name()} lane ${lane} is not below ${lanes}`);
  }

  // ---- Reference and aggregate instructions --------------------------------------------------

  private gcInstruction(op: number): void {
    const r = this.r;
    switch (op - GC_BASE) {
      case 0x00: {
        // struct.new
        const x = this.definedType(r.u32(), KIND_STRUCT);
        const at = this.typeAt[x];
        for (let i = this.typeN[x] - 1; i >= 0; i--) this.popExpect(unpacked(this.typePool[at + i]));
        this.pushDefined(x);
        break;
      }
      case 0x01: {
        // struct.new_default
        const x = this.definedType(r.u32(), KIND_STRUCT);
        for (let i = 0; i < this.typeN[x]; i++) this.requireDefaultable(this.typePool[this.typeAt[x] + i]);
        this.pushDefined(x);
        break;
      }
      case 0x02: // struct.get
      case 0x03: // struct.get_s
      case 0x04: {
        // struct.get_u
        const x = this.definedType(r.u32(), KIND_STRUCT);
        const field = this.field(x, r.u32());
        this.requirePacking(this.typePool[field], op !== GC_BASE + 0x02);
        this.popExpect(this.definedRef(x));
        this.push(unpacked(this.typePool[field]));
        break;
      }
      case 0x05: {
        // struct.set
        const x = this.definedType(r.u32(), KIND_STRUCT);
        const field = this.field(x, r.u32());
        this.requireMutable(field);
        this.popExpect(unpacked(this.typePool[field]));
        this.popExpect(this.definedRef(x));
        break;
      }
      case 0x06: {
        // array.new
        const x = this.definedType(r.u32(), KIND_ARRAY);
        this.popExpect(I32);
        this.popExpect(unpacked(this.typePool[this.typeAt[x]]));
        this.pushDefined(x);
        break;
      }
      case 0x07: {
        // array.new_default
        const x = this.definedType(r.u32(), KIND_ARRAY);
        this.requireDefaultable(this.typePool[this.typeAt[x]]);
        this.popExpect(I32);
        this.pushDefined(x);
        break;
      }
      case 0x08: {
        // array.new_fixed
        const x = this.definedType(r.u32(), KIND_ARRAY);
        const n = r.u32();
        checkLimit(this.limits, 'arrayNewFixedLength', n, `function ${this.funcIndex}: array.new_fixed length`);
        const element = unpacked(this.typePool[this.typeAt[x]]);
        for (let i = 0; i < n; i++) this.popExpect(element);
        this.pushDefined(x);
        break;
      }
      case 0x09: {
        // array.new_data
        const x = this.definedType(r.u32(), KIND_ARRAY);
        this.requireNumericElement(x);
        this.data(r.u32());
        this.popExpect(I32);
        this.popExpect(I32);
        this.pushDefined(x);
        break;
      }
      case 0x0a: {
        // array.new_elem
        const x = this.definedType(r.u32(), KIND_ARRAY);
        const segment = this.elementTypes[this.elementSegment(r.u32())];
        this.requireMatch(segment, this.typePool[this.typeAt[x]], `elements of type ${this.typeName(segment)} for the array's elements`);
        this.popExpect(I32);
        this.popExpect(I32);
        this.pushDefined(x);
        break;
      }
      case 0x0b: // array.get
      case 0x0c: // array.get_s
      case 0x0d: {
        // array.get_u
        const x = this.definedType(r.u32(), KIND_ARRAY);
        const element = this.typePool[this.typeAt[x]];
        this.requirePacking(element, op !== GC_BASE + 0x0b);
        this.popExpect(I32);
        this.popExpect(this.definedRef(x));
        this.push(unpacked(element));
        break;
      }
      case 0x0e: {
        // array.set
        const x = this.definedType(r.u32(), KIND_ARRAY);
        this.requireMutable(this.typeAt[x]);
        this.popExpect(unpacked(this.typePool[this.typeAt[x]]));
        this.popExpect(I32);
        this.popExpect(this.definedRef(x));
        break;
      }
      case 0x0f: // array.len
        this.popExpect(ARRAYREF);
        this.push(I32);
        break;
      case 0x10: {
        // array.fill
        const x = this.definedType(r.u32(), KIND_ARRAY);
        this.requireMutable(this.typeAt[x]);
        this.popExpect(I32);
        this.popExpect(unpacked(this.typePool[this.typeAt[x]]));
        this.popExpect(I32);
        this.popExpect(this.definedRef(x));
        break;
      }
      case 0x11: {
        // array.copy
        const x = this.definedType(r.u32(), KIND_ARRAY);
        const y = this.definedType(r.u32(), KIND_ARRAY);
        this.requireMutable(this.typeAt[x]);
        const to = this.typePool[this.typeAt[x]];
        const from = this.typePool[this.typeAt[y]];
        if (!matchesStorage(from, to)) this.typeMismatch(`array.copy from elements of type ${this.typeName(from)} to ${this.typeName(to)}`);
        this.popExpect(I32);
        this.popExpect(I32);
        this.popExpect(this.definedRef(y));
        this.popExpect(I32);
        this.popExpect(this.definedRef(x));
        break;
      }
      case 0x12: // array.init_data
      case 0x13: {
        // array.init_elem
        const x = this.definedType(r.u32(), KIND_ARRAY);
        this.requireMutable(this.typeAt[x]);
        if (op === GC_BASE + 0x12) {
          this.requireNumericElement(x);
          this.data(r.u32());
        } else {
          const segment = this.elementTypes[this.elementSegment(r.u32())];
          this.requireMatch(segment, this.typePool[this.typeAt[x]], `elements of type ${this.typeName(segment)} for the array's elements`);
        }
        this.popExpect(I32);
        this.popExpect(I32);
        this.popExpect(I32);
        this.popExpect(this.definedRef(x));
        break;
      }
      case 0x14: // ref.test
      case 0x15: // ref.test null
      case 0x16: // ref.cast
      case 0x17: {
        // ref.cast null
        const heap = this.heapType(readHeapType(r));
        // The operand may be any reference of the same hierarchy.
        this.popExpect(refType(topHeapOf(heap), true));
        this.push(op <= GC_BASE + 0x15 ? I32 : refType(heap, op === GC_BASE + 0x17));
        break;
      }
      case 0x18: // br_on_cast
      case 0x19: // br_on_cast_fail
        this.brOnCast(op === GC_BASE + 0x18);
        break;
      case 0x1a: // any.convert_extern
      case 0x1b: {
        // extern.convert_any
        const toAny = op === GC_BASE + 0x1a;
        const t = this.popExpect(toAny ? EXTERNREF : ANYREF);
        // Conversion keeps nullness; Unknown converts to a non-null reference.
        this.push(refType(toAny ? HEAP_ANY : HEAP_EXTERN, t !== BOT && isNullable(t)));
        break;
      }
      case 0x1c: // ref.i31
        this.popExpect(I32);
        this.push(refType(HEAP_I31, false));
        break;
      case 0x1d: // i31.get_s
      case 0x1e: // i31.get_u
        this.popExpect(I31REF);
        this.push(I32);
        break;
      default:
        throw new Error(`no typing rule for opcode ${INSTRUCTION_NAMES[op]}`);
    }
  }

  // ---- The operand stack ----------------------------------------------------------------------

  private push(t: number): void {
    if (this.sp === this.vals.length) this.vals = grown(this.vals, this.sp + 1);
    this.vals[this.sp++] = t;
  }

  /** Pops an operand; in unreachable code, below the frame's height, it is Unknown. */
  private pop(): number {
    const top = this.top;
    if (this.sp === this.ctrlHeight[top]) {
      if (this.ctrlUnreachable[top] !== 0) return BOT;
      this.typeMismatch(`${this.name()} expected an operand but got none`);
    }
    return this.vals[--this.sp];
  }

  /** Pops an operand that must match `expected`; returns it. */
  private popExpect(expected: number): number {
    const top = this.top;
    if (this.sp === this.ctrlHeight[top]) {
      if (this.ctrlUnreachable[top] !== 0) return BOT;
      this.typeMismatch(`${this.name()} expected [${this.typeName(expected)}] but got []`);
    }
    const actual = this.vals[--this.sp];
    if (actual !== expected && !matchesType(actual, expected)) {
      this.typeMismatch(`${this.name()} expected [${this.typeName(expected)}] but got [${this.typeName(actual)}]`);
    }
    return actual;
  }

  /** Pops a reference of any type; Unknown is a non-null reference to the bottom heap type. */
  private popRef(): number {
    const t = this.pop();
    if (t === BOT) return refType(HEAP_BOT, false);
    if (!isRef(t)) this.typeMismatch(`${this.name()} expected a reference but got [${this.typeName(t)}]`);
    return t;
  }

  /** Pops `types[at..at+n]`, the last first. */
  private popTypes(types: Int32Array, at: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.popExpect(types[at + i]);
  }

  private pushTypes(types: Int32Array, at: number, n: number): void {
    if (this.sp + n > this.vals.length) this.vals = grown(this.vals, this.sp + n);
    for (let i = 0; i < n; i++) this.vals[this.sp++] = types[at + i];
  }

  /** The rest of the frame is unreachable: its operands are gone, and any may be popped. */
  private unreachable(): void {
    this.sp = this.ctrlHeight[this.top];
    this.ctrlUnreachable[this.top] = 1;
  }

  private initialize(x: number): void {
    if (this.localInit[x] !== 0) return;
    this.localInit[x] = 1;
    if (this.initTop === this.inits.length) this.inits = grown(this.inits, this.initTop + 1);
    this.inits[this.initTop++] = x;
  }

  // ---- The context -------------------------------------------------------------------------------

  private valType(t: ValType, at: number): number {
    if (typeof t !== 'string' && typeof t.heap === 'number' && t.heap >= this.typeCount) this.failAt('unknown type', `type ${t.heap}`, at);
    return encodeType(t, this.canonicalTypes);
  }

  private heapType(h: HeapType): number {
    if (typeof h === 'number' && h >= this.typeCount) this.fail('unknown type', `type ${h}`);
    return heapCode(h, this.canonicalTypes);
  }

  private funcTypeIndex(x: number): number {
    return this.definedType(x, KIND_FUNC);
  }

  /** Type index `x`, which must be of `kind`. */
  private definedType(x: number, kind: number): number {
    if (x >= this.typeCount) this.fail('unknown type', `type ${x}`);
    if (this.typeKind[x] !== kind) this.typeMismatch(`${this.name()}: type ${x} is not a ${['function', 'struct', 'array'][kind]} type`);
    return x;
  }

  private definedRef(x: number): number {
    return refType(concreteHeapCode(this.canonicalTypes[x]), true);
  }

  private pushDefined(x: number): void {
    this.push(refType(concreteHeapCode(this.canonicalTypes[x]), false));
  }

  /** The type index of function `x`. */
  private funcType(x: number): number {
    const funcTypes = this.info.funcTypes;
    if (x >= funcTypes.length) this.fail('unknown function', `function ${x}`);
    return funcTypes[x];
  }

  private tagType(x: number): number {
    const tags = this.info.tags;
    if (x >= tags.length) this.fail('unknown tag', `tag ${x}`);
    return tags[x];
  }

  private local(x: number): number {
    if (x >= this.localCount) this.fail('unknown local', `local ${x}`);
    return x;
  }

  private global(x: number): number {
    if (x >= this.globalTypes.length) this.fail('unknown global', `global ${x}`);
    return x;
  }

  private table(x: number): number {
    if (x >= this.tableElements.length) this.fail('unknown table', `table ${x}`);
    return x;
  }

  private memory(x: number): number {
    if (x >= this.memoryAddress.length) this.fail('unknown memory', `memory ${x}`);
    return x;
  }

  private data(x: number): number {
    // Without the data count section, a data index cannot be decoded in one pass.
    if (this.module.dataCount === undefined) this.r.fail('data count section required', this.module.codes[this.funcIndex - this.info.importedFuncs].offset);
    if (x >= this.module.datas.length) this.fail('unknown data segment', `data segment ${x}`);
    return x;
  }

  private elementSegment(x: number): number {
    if (x >= this.elementTypes.length) this.fail('unknown elem segment', `element segment ${x}`);
    return x;
  }

  /** The position in `typePool` of field `i` of struct type `x`. */
  private field(x: number, i: number): number {
    if (i >= this.typeN[x]) this.fail('unknown field', `field ${i} of type ${x}`);
    return this.typeAt[x] + i;
  }

  private requireMutable(field: number): void {
    if (this.typeMutable[field] === 0) this.fail('field is immutable', `${this.name()} of an immutable field`);
  }

  /** The `_s` and `_u` forms read packed fields, the plain form only unpacked ones. */
  private requirePacking(storage: number, packed: boolean): void {
    if (packed !== (unpacked(storage) !== storage)) {
      this.typeMismatch(`${this.name()} on a field of ${packed ? 'unpacked' : 'packed'} type ${this.typeName(storage)}`);
    }
  }

  private requireDefaultable(t: number): void {
    if (isRef(t) && !isNullable(t)) this.typeMismatch(`${this.name()}: field type ${this.typeName(t)} is not defaultable`);
  }

  /** Arrays made or filled from data segments have number or vector elements. */
  private requireNumericElement(x: number): void {
    const element = this.typePool[this.typeAt[x]];
    if (isRef(element)) this.typeMismatch(`${this.name()}: array type ${x} has reference elements, not numbers or vectors`);
  }

  private requireMatch(actual: number, expected: number, what: string): void {
    if (!matchesType(actual, expected)) this.typeMismatch(`${this.name()}: ${what}: ${this.typeName(actual)} does not match ${this.typeName(expected)}`);
  }

  // ---- Growth --------------------------------------------------------------------------------

  private ensurePool(need: number): void {
    if (need > this.pool.length) this.pool = grown(this.pool, need);
  }

  private ensureLocals(need: number): void {
    if (need > this.locals.length) {
      this.locals = grown(this.locals, need);
      this.localInit = grown(this.localInit, need);
    }
  }

  private growCtrl(): void {
    const need = this.ctrlKind.length + 1;
    this.ctrlKind = grown(this.ctrlKind, need);
    this.ctrlHeight = grown(this.ctrlHeight, need);
    this.ctrlUnreachable = grown(this.ctrlUnreachable, need);
    this.ctrlStart = grown(this.ctrlStart, need);
    this.ctrlStartN = grown(this.ctrlStartN, need);
    this.ctrlEndN = grown(this.ctrlEndN, need);
    this.ctrlInits = grown(this.ctrlInits, need);
  }

  // ---- Errors ---------------------------------------------------------------------------------

  private name(): string {
    return INSTRUCTION_NAMES[this.op];
  }

  private typeName(t: number): string {
    return typeName(t, this.canonicalTypes);
  }

  private names(types: readonly number[] | Int32Array): string {
    return Array.from(types, (t) => this.typeName(t)).join(' ');
  }

  private types(array: Int32Array, at: number, n: number): Int32Array {
    return array.subarray(at, at + n);
  }

  /** Says so when the operands are those of unreachable code, where Unknown ones may be popped. */
  private typeMismatch(detail: string): never {
    this.fail('type mismatch', this.ctrlUnreachable[this.top] !== 0 ? `${detail} in unreachable code` : detail);
  }

  private fail(rule: string, detail: string): never {
    this.failAt(rule, detail, this.at);
  }

  private failAt(rule: string, detail: string, at: number): never {
    throw new CompileError('invalid', `${rule} in function ${this.funcIndex}: ${detail}`, at);
  }
}

/**
 * Validates every function body of a module that passed module-level validation, its
 * bodies delimited by the decoder but not read. A body that fails for any reason but a
 * malformed instruction is reported once the decoder's scan has found no malformed
 * body after it (the bodies before it have been read in full).
 */
export function validateFunctionBodies(module: Module, info: ModuleInfo, bytes: Uint8Array, limits: ImplementationLimits): void {
  if (module.codes.length > 0) bodyValidator(module, info, bytes, limits)(0, module.codes.length);
}

/**
 * Validates ranges of one module's bodies, its context encoded once for all: bodies
 * `from` to `to` (exclusive) as `validateFunctionBodies` does all, an error in one thrown
 * once the decoder's scan has found no malformed body after it, to the module's last.
 * `stop`, asked between bodies, ends the work early (without an error) once another
 * thread's answer makes it moot.
 */
export type BodyRangeValidator = (from: number, to: number, stop?: () => boolean) => void;

export function bodyValidator(module: Module, info: ModuleInfo, bytes: Uint8Array, limits: ImplementationLimits): BodyRangeValidator {
  const validator = new FunctionValidator(module, info, bytes, limits);
  return (from, to, stop) => {
    for (let i = from; i < to; i++) {
      if (stop !== undefined && stop()) return;
      try {
        validator.validate(i);
      } catch (error) {
        if (!(error instanceof CompileError && error.kind === 'malformed')) scanBodies(bytes, module, i);
        throw error;
      }
    }
  };
}
