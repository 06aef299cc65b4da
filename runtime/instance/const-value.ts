// A value as the runtime passes it between evaluation and storage, one JS type per
// value kind so no tag is needed where the static type is known:
// i32 → number (signed), i64 → bigint (signed), f32 → number (bits, unsigned),
// f64 → bigint (bits, unsigned), v128 → 16 bytes, references → raw word (raw-ref.ts).
import type { AnyHeapType, ValType } from '../module/module.ts';
import type { GlobalCells } from './global-cells.ts';

export type Value = number | bigint | Uint8Array;

export function defaultValue(type: ValType<AnyHeapType>): Value {
  switch (type) {
    case 'i32':
    case 'f32':
      return 0;
    case 'i64':
    case 'f64':
      return 0n;
    case 'v128':
      return new Uint8Array(16);
    default:
      return 0;
  }
}

/**
 * Reads a 16-byte slot (a global's, or the `raw` evaluator's operand). References, of any
 * reference type or just `'ref'`, come back as raw words; no barrier is involved.
 */
export function readSlot(cells: GlobalCells, slot: number, type: ValType<AnyHeapType> | 'ref'): Value {
  switch (type) {
    case 'i32':
      return cells.i32[slot * 4];
    case 'f32':
      return cells.u32[slot * 4];
    case 'i64':
      return cells.i64[slot * 2];
    case 'f64':
      return cells.u64[slot * 2];
    case 'v128':
      return cells.bytes.slice(slot * 16, slot * 16 + 16);
    default:
      return cells.u32[slot * 4];
  }
}

/**
 * Writes a global slot. For reference types the caller owns the write barrier: this
 * only stores the word.
 */
export function writeSlot(cells: GlobalCells, slot: number, type: ValType<AnyHeapType> | 'ref', value: Value): void {
  switch (type) {
    case 'i32':
      cells.i32[slot * 4] = value as number;
      return;
    case 'f32':
      cells.u32[slot * 4] = value as number;
      return;
    case 'i64':
      cells.i64[slot * 2] = value as bigint;
      return;
    case 'f64':
      cells.u64[slot * 2] = value as bigint;
      return;
    case 'v128':
      cells.bytes.set(value as Uint8Array, slot * 16);
      return;
    default:
      cells.u32[slot * 4] = value as number;
  }
}
