// Module bytes built by hand, for tests, the fuzzer and the spec and V8 readers: modules no assembler writes
// (huge counts, deep subtype chains, limits past what text formats allow).
export type Bytes = number[];

/** The parts, one after another, in one new array. */
export function concatBytes(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function uleb(value: number | bigint): Bytes {
  let n = BigInt(value);
  const out: Bytes = [];
  do {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n === 0n ? byte : byte | 0x80);
  } while (n !== 0n);
  return out;
}

export function sleb(value: number | bigint): Bytes {
  let n = BigInt(value);
  const out: Bytes = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export function name(text: string): Bytes {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

export function section(id: number, ...content: Bytes[]): Bytes {
  const body = content.flat();
  return [id, ...uleb(body.length), ...body];
}

/** A vector of `count` entries, entry `i` made by `entry(i)`. */
export function vector(count: number, entry: (i: number) => Bytes): Bytes {
  const out = uleb(count);
  for (let i = 0; i < count; i++) for (const byte of entry(i)) out.push(byte);
  return out;
}

export function wasmModule(...sections: Bytes[]): Uint8Array {
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}

export const SECTION = {
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;
