// Constants for generated modules: deterministic (the same workload always gets the same
// values, so its text and its cache key never change) and written in text-format syntax
// that both assemblers read exactly (floats from bit patterns, NaN payloads included).

/**
 * A well-mixed 32-bit word determined by `stream` and `index` (an integer hash, so
 * neighbouring indices give unrelated values).
 */
export function word(stream: number, index: number): number {
  let x = (Math.imul(stream, 0x9e3779b1) ^ index) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function int32(stream: number, index: number): number {
  return word(stream, index) | 0;
}

export function int64(stream: number, index: number): bigint {
  return BigInt.asIntN(64, (BigInt(word(stream, 2 * index)) << 32n) | BigInt(word(stream, 2 * index + 1)));
}

/** An `f32.const` operand for a bit pattern. */
export function f32Text(bits: number): string {
  const sign = bits >>> 31 === 1 ? '-' : '';
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return mantissa === 0 ? `${sign}inf` : `${sign}nan:0x${mantissa.toString(16)}`;
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits);
  return decimal(view.getFloat32(0));
}

/** An `f64.const` operand for a bit pattern. */
export function f64Text(bits: bigint): string {
  const sign = bits >> 63n === 1n ? '-' : '';
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const mantissa = bits & 0xfffffffffffffn;
  if (exponent === 0x7ff) return mantissa === 0n ? `${sign}inf` : `${sign}nan:0x${mantissa.toString(16)}`;
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return decimal(view.getFloat64(0));
}

/**
 * JavaScript's shortest round-trip decimal: exact for a double, and for a float the
 * nearest float to it is the float itself.
 */
function decimal(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

export function f64Bits(stream: number, index: number): bigint {
  return BigInt.asUintN(64, int64(stream, index));
}

/** A `v128.const` operand (four lanes). */
export function v128Text(stream: number, index: number): string {
  const lanes = [0, 1, 2, 3].map((lane) => `0x${word(stream, 4 * index + lane).toString(16)}`);
  return `i32x4 ${lanes.join(' ')}`;
}

/** A data string of `length` deterministic bytes, every byte escaped. */
export function dataString(stream: number, index: number, length: number): string {
  let text = '"';
  for (let i = 0; i < length; i++) text += `\\${(word(stream, index * length + i) & 0xff).toString(16).padStart(2, '0')}`;
  return `${text}"`;
}

/** `items` joined `perLine` to a line, indented, for readable generated text. */
export function lines(items: readonly string[], perLine: number, indent: string): string {
  const out: string[] = [];
  for (let i = 0; i < items.length; i += perLine) out.push(indent + items.slice(i, i + perLine).join(' '));
  return out.join('\n');
}

/** Distinct streams per family, so families do not share constants. */
export const STREAM = {
  globalsI32: 1,
  globalsMixed: 2,
  globalsExtconst: 3,
  globalsChain: 4,
  elemFuncref: 5,
  elemExpr: 6,
  elemManySegments: 7,
  dataSegments: 8,
  tableInitExpr: 9,
  importsGlobals: 10,
  gcStruct: 11,
  gcArray: 12,
  gcNested: 13,
  gcElem: 14,
  gcPressure: 15,
} as const;
