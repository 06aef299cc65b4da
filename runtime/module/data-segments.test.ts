import { describe, expect, it } from 'vitest';
import { DataSegmentsBuilder, exactAsNumber, NO_DATA_SEGMENTS } from './data-segments.ts';
import type { ConstExpr, ConstOp } from './module.ts';

/** Module bytes whose byte k is k, so a copied range shows where it came from. */
const SOURCE = Uint8Array.from({ length: 256 }, (_, k) => k);

/** An expression at byte `at`, its ops one byte apart. */
const expr = (at: number, ...ops: ConstOp[]): ConstExpr => ({ ops, offsets: ops.map((_, i) => at + i), offset: at });

describe('DataSegments', () => {
  it('keeps an i32.const offset inline, as a value and as the unsigned address it gives', () => {
    const b = new DataSegmentsBuilder(SOURCE, 2);
    b.activeConstant(10, 0, 'i32', 7, 12, 20, 3);
    b.active(30, 2, expr(32, { op: 'i32.const', value: -1 }), 40, 1);
    const datas = b.finish();
    expect([datas.constantType(0), datas.constantType(1)]).toEqual(['i32', 'i32']);
    expect([datas.constantAddress(0), datas.constantAddress(1)]).toEqual([7, 0xffff_ffff]);
    expect([datas.memory(0), datas.memory(1)]).toEqual([0, 2]);
    // The expression an inline offset stands for, made when asked, at its own bytes.
    expect(datas.offsetExpr(0)).toEqual(expr(12, { op: 'i32.const', value: 7 }));
    expect(datas.offsetExpr(1)).toEqual(expr(32, { op: 'i32.const', value: -1 }));
  });

  it('keeps an i64.const offset inline while a number holds it exactly, else as its expression', () => {
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    const offsets = [5n, -1n, limit, -limit, limit + 1n, -(2n ** 63n)];
    const b = new DataSegmentsBuilder(SOURCE, offsets.length);
    offsets.forEach((value, i) => b.active(i, 0, expr(100 + i, { op: 'i64.const', value }), 0, 0));
    const datas = b.finish();
    expect(offsets.map((_, i) => datas.constantType(i))).toEqual(['i64', 'i64', 'i64', 'i64', undefined, undefined]);
    expect(offsets.map((_, i) => datas.constantAddress(i))).toEqual([5, 2n ** 64n - 1n, Number(limit), 2n ** 64n - limit, undefined, undefined]);
    // Inline or not, the expression gives the exact value back.
    expect(offsets.map((_, i) => datas.offsetExpr(i))).toEqual(offsets.map((value, i) => expr(100 + i, { op: 'i64.const', value })));
    expect([exactAsNumber(limit), exactAsNumber(-limit), exactAsNumber(limit + 1n), exactAsNumber(-limit - 1n)]).toEqual([true, true, false, false]);
  });

  it('keeps any other offset as the expression it was given: global.get, extended constants', () => {
    const globalGet = expr(50, { op: 'global.get', global: 3 });
    const sum = expr(60, { op: 'i32.const', value: 1 }, { op: 'global.get', global: 0 }, { op: 'i32.add' });
    const b = new DataSegmentsBuilder(SOURCE, 2);
    b.active(48, 0, globalGet, 52, 4);
    b.active(58, 1, sum, 70, 2);
    const datas = b.finish();
    expect([datas.constantType(0), datas.constantType(1)]).toEqual([undefined, undefined]);
    expect([datas.constantAddress(0), datas.constantAddress(1)]).toEqual([undefined, undefined]);
    expect(datas.offsetExpr(0)).toBe(globalGet);
    expect(datas.offsetExpr(1)).toBe(sum);
    expect([datas.isActive(0), datas.isActive(1), datas.memory(1)]).toEqual([true, true, 1]);
  });

  it('has passive segments, with no offset', () => {
    const b = new DataSegmentsBuilder(SOURCE, 2);
    b.passive(10, 12, 3);
    b.activeConstant(15, 0, 'i32', 0, 16, 18, 1);
    const datas = b.finish();
    expect([datas.isActive(0), datas.isActive(1)]).toEqual([false, true]);
    expect(datas.constantType(0)).toBeUndefined();
    expect(datas.constantAddress(0)).toBeUndefined();
    expect([...datas.bytesOf(0)]).toEqual([12, 13, 14]);
  });

  it('gives each segment its byte offset, for error messages', () => {
    const b = new DataSegmentsBuilder(SOURCE, 3);
    b.passive(11, 0, 0);
    b.activeConstant(14, 0, 'i32', 0, 16, 0, 0);
    b.active(21, 0, expr(23, { op: 'global.get', global: 0 }), 0, 0);
    const datas = b.finish();
    expect([0, 1, 2].map((i) => datas.byteOffset(i))).toEqual([11, 14, 21]);
  });

  it('views the content in the module bytes, and copies short and long contents alike', () => {
    const b = new DataSegmentsBuilder(SOURCE, 3);
    b.passive(0, 5, 3);
    b.passive(0, 10, 200);
    b.passive(0, 255, 0);
    const datas = b.finish();
    const view = datas.bytesOf(0);
    expect(view.buffer).toBe(SOURCE.buffer);
    expect([view.byteOffset, view.length]).toEqual([5, 3]);
    expect([datas.byteLength(0), datas.byteLength(1), datas.byteLength(2)]).toEqual([3, 200, 0]);
    for (const i of [0, 1, 2]) {
      const target = new Uint8Array(300);
      datas.copyTo(i, target, 40);
      expect(target.subarray(40, 40 + datas.byteLength(i)), `segment ${i}`).toEqual(datas.bytesOf(i));
      expect(target.subarray(0, 40).every((x) => x === 0) && target.subarray(40 + datas.byteLength(i)).every((x) => x === 0)).toBe(true);
    }
  });

  it('refuses more or fewer segments than it was made for', () => {
    const b = new DataSegmentsBuilder(SOURCE, 1);
    expect(() => b.finish()).toThrow(/0 of 1 data segments/);
    b.passive(0, 0, 0);
    expect(() => b.passive(0, 0, 0)).toThrow(/more than 1/);
    expect(NO_DATA_SEGMENTS.length).toBe(0);
  });
});
