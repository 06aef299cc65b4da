// A cursor over module bytes with the binary format's primitive encodings
// (https://webassembly.github.io/spec/core/binary/values.html). Every failure is a
// `CompileError` of kind 'malformed' that carries the offset of the offending byte.
//
// LEB128 rules follow the reference interpreter: an encoding of an N-bit integer has at
// most ceil(N/7) bytes ("integer representation too long" otherwise), and the unused
// bits of its last byte must be zero, or copies of the sign bit for signed integers
// ("integer too large" otherwise).
import { CompileError } from '../errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Names up to this length that are plain ASCII skip TextDecoder's per-call overhead. */
const SHORT_ASCII_NAME = 32;

export class ByteReader {
  readonly bytes: Uint8Array;
  pos: number;
  /** Reads stop here: the end of the current section or function body. */
  end: number;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  fail(message: string, offset: number): never {
    throw new CompileError('malformed', message, offset);
  }

  /** Reading past `end`, where the module, section or function body runs out. */
  unexpectedEnd(): never {
    this.fail('unexpected end of section or function', this.end);
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.bytes[this.pos] : -1;
  }

  u8(): number {
    if (this.pos >= this.end) this.unexpectedEnd();
    return this.bytes[this.pos++];
  }

  skip(n: number): void {
    if (n > this.end - this.pos) {
      this.pos = this.end;
      this.unexpectedEnd();
    }
    this.pos += n;
  }

  /** A view of the next `n` bytes (no copy). */
  view(n: number): Uint8Array {
    const start = this.pos;
    this.skip(n);
    return this.bytes.subarray(start, start + n);
  }

  u32(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.u32Long();
  }

  private u32Long(): number {
    let result = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      result |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return result >>> 0;
    }
    const b = this.u8();
    if (b & 0x70) this.fail('integer too large', this.pos - 1);
    if (b & 0x80) this.fail('integer representation too long', this.pos);
    return (result >>> 0) + b * 0x10000000;
  }

  s32(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b << 25) >> 25;
      }
    }
    return this.s32Long();
  }

  private s32Long(): number {
    let result = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      result |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        const shift = 32 - 7 * (i + 1);
        return (result << shift) >> shift;
      }
    }
    const b = this.u8();
    const high = b & 0x78;
    if (high !== 0 && high !== 0x78) this.fail('integer too large', this.pos - 1);
    if (b & 0x80) this.fail('integer representation too long', this.pos);
    return result | (b << 28);
  }

  /** A signed 33-bit integer (block types and heap types), exact as a number. */
  s33(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 0x80;
      if (b < 0x80) return b & 0x40 ? result - scale : result;
    }
    const b = this.u8();
    const high = b & 0x70;
    if (high !== 0 && high !== 0x70) this.fail('integer too large', this.pos - 1);
    if (b & 0x80) this.fail('integer representation too long', this.pos);
    result += (b & 0x7f) * scale;
    return b & 0x40 ? result - scale * 0x80 : result;
  }

  s64(): bigint {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return BigInt((b << 25) >> 25);
      }
    }
    let result = 0n;
    for (let i = 0; i < 9; i++) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) {
        return b & 0x40 ? result - (1n << BigInt(7 * (i + 1))) : result;
      }
    }
    const b = this.lastByteOfS64();
    return BigInt.asIntN(64, result | (BigInt(b & 0x01) << 63n));
  }

  /** Validates and skips an s64 where its value is not needed (function bodies). */
  skipS64(): void {
    for (let i = 0; i < 9; i++) {
      if (this.u8() < 0x80) return;
    }
    this.lastByteOfS64();
  }

  private lastByteOfS64(): number {
    const b = this.u8();
    const high = b & 0x7f;
    if (high !== 0 && high !== 0x7f) this.fail('integer too large', this.pos - 1);
    if (b & 0x80) this.fail('integer representation too long', this.pos);
    return b;
  }

  /**
   * A u64 as a number: exact below 2^53, the nearest double above. Used for limits and
   * memory offsets, where larger values only ever compare against bounds.
   */
  u64AsNumber(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 9; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    const b = this.u8();
    if (b & 0x7e) this.fail('integer too large', this.pos - 1);
    if (b & 0x80) this.fail('integer representation too long', this.pos);
    return result + (b & 0x01) * scale;
  }

  /** A u64, exactly (for the rare values `u64AsNumber` would round). */
  u64(): bigint {
    let result = 0n;
    for (let i = 0; i < 9; i++) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return result;
    }
    const b = this.u8();
    if (b & 0x7e) this.fail('integer too large', this.pos - 1);
    if (b & 0x80) this.fail('integer representation too long', this.pos);
    return result | (BigInt(b & 0x01) << 63n);
  }

  /** 4 little-endian bytes as an unsigned number (f32 bit patterns). */
  u32le(): number {
    const pos = this.pos;
    this.skip(4);
    const b = this.bytes;
    return (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24)) >>> 0;
  }

  /** 8 little-endian bytes (f64 bit patterns). */
  u64le(): bigint {
    const lo = this.u32le();
    const hi = this.u32le();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * The length of a vector. Every entry takes at least one byte, so a count the bytes
   * left cannot back fails here, before anyone allocates for it.
   */
  count(): number {
    const n = this.u32();
    if (n > this.end - this.pos) this.unexpectedEnd();
    return n;
  }

  /** The size of a byte string, section or function body. */
  length(): number {
    const at = this.pos;
    const n = this.u32();
    if (n > this.end - this.pos) {
      if (n > this.bytes.length - this.pos) this.fail('length out of bounds', at);
      this.unexpectedEnd();
    }
    return n;
  }

  name(): string {
    const at = this.pos;
    const n = this.length();
    const bytes = this.bytes;
    const start = this.pos;
    const end = start + n;
    this.pos = end;
    if (n <= SHORT_ASCII_NAME) {
      let s = '';
      let i = start;
      for (; i < end; i++) {
        const c = bytes[i];
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === end) return s;
    }
    try {
      return utf8.decode(bytes.subarray(start, end));
    } catch {
      this.fail('malformed UTF-8 encoding', at);
    }
  }
}
