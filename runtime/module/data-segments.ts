// The data segments (https://webassembly.github.io/spec/core/syntax/modules.html#data-segments)
// as columns over the module bytes: a typed array per field, each segment's content left
// where the module has it. A view of it, or a `ConstExpr` for an offset, is made only
// when someone asks. Modules like esbuild's carry ~100,000 segments of ~40 bytes: an
// object, a mode, a view and an expression for each kept ~670 bytes per segment alive,
// and the collector took 40% of compile time; the columns keep 29 bytes per segment.
import type { AddressType, ConstExpr, ConstOp } from './module.ts';

// How a segment's offset is kept, in `forms`. Nearly every offset is one constant of the
// memory's address type, kept inline in `values`; any other keeps its expression aside.
const PASSIVE = 0;
const I32_CONST = 1;
/** An `i64.const` whose value a number holds exactly (`exactAsNumber`). */
const I64_CONST = 2;
const EXPRESSION = 3;

/**
 * Contents up to this size are copied byte by byte: making a subarray to `set` from costs
 * more, where a module image gathers ~100,000 segments of ~40 bytes.
 */
const SHORT_COPY_BYTES = 64;

interface Columns {
  /** Where each segment starts in the module bytes, for error messages. */
  readonly byteOffsets: Uint32Array;
  /** Each segment's content, as a range of the module bytes. */
  readonly starts: Uint32Array;
  readonly lengths: Uint32Array;
  readonly forms: Uint8Array;
  /** Memory index of each active segment. */
  readonly memories: Uint32Array;
  /** The inline constant of an active segment's offset. */
  readonly values: Float64Array;
  /** Where each active segment's offset expression starts. */
  readonly offsetAts: Uint32Array;
}

export class DataSegments {
  readonly length: number;
  /** The bytes that each segment's content is a range of: the module's. */
  private readonly source: Uint8Array;
  private readonly columns: Columns;
  /** The offset expressions that are not one inline constant, by segment index. */
  private readonly expressions: ReadonlyMap<number, ConstExpr>;

  constructor(source: Uint8Array, length: number, columns: Columns, expressions: ReadonlyMap<number, ConstExpr>) {
    this.source = source;
    this.length = length;
    this.columns = columns;
    this.expressions = expressions;
  }

  /** Active (applied at instantiation), else passive (for `memory.init`); never declarative. */
  isActive(i: number): boolean {
    return this.columns.forms[i] !== PASSIVE;
  }

  /** The memory an active segment is applied to. */
  memory(i: number): number {
    return this.columns.memories[i];
  }

  /** Where the segment starts in the module bytes. */
  byteOffset(i: number): number {
    return this.columns.byteOffsets[i];
  }

  /** The length of the segment's content in bytes. */
  byteLength(i: number): number {
    return this.columns.lengths[i];
  }

  /** A view of the segment's content in the module bytes; never written. */
  bytesOf(i: number): Uint8Array {
    const start = this.columns.starts[i];
    return this.source.subarray(start, start + this.columns.lengths[i]);
  }

  /** Copies the segment's content into `target` at `at` (the caller checked the bounds). */
  copyTo(i: number, target: Uint8Array, at: number): void {
    const start = this.columns.starts[i];
    const length = this.columns.lengths[i];
    if (length > SHORT_COPY_BYTES) {
      target.set(this.source.subarray(start, start + length), at);
      return;
    }
    const source = this.source;
    for (let k = 0; k < length; k++) target[at + k] = source[start + k];
  }

  /** The type of an active segment's offset if it is one inline constant, else undefined. */
  constantType(i: number): AddressType | undefined {
    const form = this.columns.forms[i];
    return form === I32_CONST ? 'i32' : form === I64_CONST ? 'i64' : undefined;
  }

  /**
   * The address an inline constant offset gives, read as unsigned in its own type (the
   * memory's address type, once validated): a number, or the exact bigint past 2^53,
   * which is out of bounds of any memory. Undefined if the offset is not inline.
   */
  constantAddress(i: number): number | bigint | undefined {
    const form = this.columns.forms[i];
    const value = this.columns.values[i];
    if (form === I32_CONST) return value >>> 0;
    if (form !== I64_CONST) return undefined;
    return value >= 0 ? value : BigInt.asUintN(64, BigInt(value));
  }

  /** An active segment's offset expression; one for an inline constant is made here. */
  offsetExpr(i: number): ConstExpr {
    const kept = this.expressions.get(i);
    if (kept !== undefined) return kept;
    const { forms, values, offsetAts } = this.columns;
    const value = values[i];
    // `| 0` gives the small integer the decoder's ops hold, not the double a Float64Array
    // read gives: ops of both kinds then share one shape where evaluators read them.
    const op: ConstOp = forms[i] === I32_CONST ? { op: 'i32.const', value: value | 0 } : { op: 'i64.const', value: BigInt(value) };
    const at = offsetAts[i];
    return { ops: [op], offsets: [at], offset: at };
  }
}

/** Fills the columns of a data section of a known segment count, in segment order. */
export class DataSegmentsBuilder {
  private readonly source: Uint8Array;
  private readonly count: number;
  private readonly columns: Columns;
  private readonly expressions = new Map<number, ConstExpr>();
  private next = 0;

  constructor(source: Uint8Array, count: number) {
    this.source = source;
    this.count = count;
    this.columns = {
      byteOffsets: new Uint32Array(count),
      starts: new Uint32Array(count),
      lengths: new Uint32Array(count),
      forms: new Uint8Array(count),
      memories: new Uint32Array(count),
      values: new Float64Array(count),
      offsetAts: new Uint32Array(count),
    };
  }

  /** A passive segment at `byteOffset`, its content at `start`. */
  passive(byteOffset: number, start: number, length: number): void {
    this.place(byteOffset, start, length, PASSIVE);
  }

  /**
   * An active segment whose offset, at `offsetAt`, is one `i32.const` or `i64.const`
   * of `value` (exact: a larger i64 needs `active`).
   */
  activeConstant(byteOffset: number, memory: number, type: AddressType, value: number, offsetAt: number, start: number, length: number): void {
    const i = this.place(byteOffset, start, length, type === 'i32' ? I32_CONST : I64_CONST);
    this.columns.memories[i] = memory;
    this.columns.values[i] = value;
    this.columns.offsetAts[i] = offsetAt;
  }

  /** An active segment with any offset expression; a single exact constant is kept inline. */
  active(byteOffset: number, memory: number, offset: ConstExpr, start: number, length: number): void {
    const op = offset.ops.length === 1 ? offset.ops[0] : undefined;
    if (op?.op === 'i32.const') {
      this.activeConstant(byteOffset, memory, 'i32', op.value, offset.offset, start, length);
    } else if (op?.op === 'i64.const' && exactAsNumber(op.value)) {
      this.activeConstant(byteOffset, memory, 'i64', Number(op.value), offset.offset, start, length);
    } else {
      const i = this.place(byteOffset, start, length, EXPRESSION);
      this.columns.memories[i] = memory;
      this.columns.offsetAts[i] = offset.offset;
      this.expressions.set(i, offset);
    }
  }

  finish(): DataSegments {
    if (this.next !== this.count) throw new RangeError(`${this.next} of ${this.count} data segments given`);
    return new DataSegments(this.source, this.count, this.columns, this.expressions);
  }

  private place(byteOffset: number, start: number, length: number, form: number): number {
    const i = this.next++;
    if (i >= this.count) throw new RangeError(`more than ${this.count} data segments given`);
    const { byteOffsets, starts, lengths, forms } = this.columns;
    byteOffsets[i] = byteOffset;
    starts[i] = start;
    lengths[i] = length;
    forms[i] = form;
    return i;
  }
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** True if `value` is at most 2^53 - 1 in magnitude, where a number holds an i64 constant exactly and safely. */
export function exactAsNumber(value: bigint): boolean {
  return value >= -MAX_EXACT && value <= MAX_EXACT;
}

/** A module without data segments. */
export const NO_DATA_SEGMENTS = new DataSegmentsBuilder(new Uint8Array(0), 0).finish();
