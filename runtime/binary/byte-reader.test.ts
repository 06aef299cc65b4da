import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.ts';
import { CompileError } from '../errors.ts';

const reader = (...bytes: number[]): ByteReader => new ByteReader(new Uint8Array(bytes));

function failure(read: () => unknown): CompileError {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    expect((e as CompileError).kind).toBe('malformed');
    return e as CompileError;
  }
  throw new Error('expected a CompileError');
}

function expectFailure(read: () => unknown, message: string, offset: number): void {
  const e = failure(read);
  expect(e.message).toBe(`${message} (at byte 0x${offset.toString(16)})`);
  expect(e.offset).toBe(offset);
}

describe('u32', () => {
  it.each([
    [[0x00], 0],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0xe5, 0x8e, 0x26], 624485],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffff_ffff],
    [[0x80, 0x80, 0x80, 0x80, 0x00], 0],
    [[0x82, 0x80, 0x80, 0x80, 0x00], 2],
  ])('%j is %d and consumes every byte', (bytes, value) => {
    const r = reader(...bytes, 0xaa);
    expect(r.u32()).toBe(value);
    expect(r.pos).toBe(bytes.length);
  });

  it('rejects unused bits set in the fifth byte as too large, at that byte', () => {
    expectFailure(() => reader(0x80, 0x80, 0x80, 0x80, 0x10).u32(), 'integer too large', 4);
    expectFailure(() => reader(0xff, 0xff, 0xff, 0xff, 0x7f).u32(), 'integer too large', 4);
  });

  it('rejects a sixth byte as too long, at the sixth byte', () => {
    expectFailure(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32(), 'integer representation too long', 5);
  });

  it('rejects truncation at the first missing byte', () => {
    expectFailure(() => reader(0x80, 0x80).u32(), 'unexpected end of section or function', 2);
    expectFailure(() => reader().u32(), 'unexpected end of section or function', 0);
  });

  it('stops at the reader end, not the buffer end', () => {
    const r = new ByteReader(new Uint8Array([0x80, 0x01]), 0, 1);
    expectFailure(() => r.u32(), 'unexpected end of section or function', 1);
  });
});

describe('s32', () => {
  it.each([
    [[0x00], 0],
    [[0x3f], 63],
    [[0x40], -64],
    [[0x7f], -1],
    [[0xc0, 0x00], 64],
    [[0x80, 0x7f], -128],
    [[0xff, 0xff, 0xff, 0xff, 0x07], 0x7fff_ffff],
    [[0x80, 0x80, 0x80, 0x80, 0x78], -0x8000_0000],
    [[0xff, 0xff, 0xff, 0xff, 0x7f], -1],
    [[0x80, 0x80, 0x80, 0x80, 0x00], 0],
  ])('%j is %d', (bytes, value) => {
    const r = reader(...bytes);
    expect(r.s32()).toBe(value);
    expect(r.pos).toBe(bytes.length);
  });

  it('requires the unused bits of the fifth byte to copy the sign bit', () => {
    expectFailure(() => reader(0xff, 0xff, 0xff, 0xff, 0x0f).s32(), 'integer too large', 4);
    expectFailure(() => reader(0x80, 0x80, 0x80, 0x80, 0x70).s32(), 'integer too large', 4);
    expectFailure(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s32(), 'integer representation too long', 5);
  });
});

describe('s33', () => {
  it.each([
    [[0x00], 0],
    [[0x40], -64],
    [[0x70], -16],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffff_ffff],
    [[0x80, 0x80, 0x80, 0x80, 0x70], -0x1_0000_0000],
    [[0xff, 0xff, 0xff, 0xff, 0x7f], -1],
  ])('%j is %d', (bytes, value) => {
    expect(reader(...bytes).s33()).toBe(value);
  });

  it('requires the top four bits of the fifth byte to agree', () => {
    expectFailure(() => reader(0x80, 0x80, 0x80, 0x80, 0x10).s33(), 'integer too large', 4);
    expectFailure(() => reader(0x80, 0x80, 0x80, 0x80, 0x60).s33(), 'integer too large', 4);
    expectFailure(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s33(), 'integer representation too long', 5);
  });
});

describe('s64', () => {
  const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
  const min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
  it.each([
    [[0x00], 0n],
    [[0x7f], -1n],
    [[0xc0, 0x00], 64n],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffff_ffffn],
    [max, 0x7fff_ffff_ffff_ffffn],
    [min, -0x8000_0000_0000_0000n],
  ])('%j is %d', (bytes, value) => {
    const r = reader(...bytes);
    expect(r.s64()).toBe(value);
    expect(r.pos).toBe(bytes.length);
    const skipped = reader(...bytes);
    skipped.skipS64();
    expect(skipped.pos).toBe(bytes.length);
  });

  it('checks the tenth byte and the length, when reading or skipping', () => {
    const tooLarge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    const tooLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
    expectFailure(() => reader(...tooLarge).s64(), 'integer too large', 9);
    expectFailure(() => reader(...tooLarge).skipS64(), 'integer too large', 9);
    expectFailure(() => reader(...tooLong).s64(), 'integer representation too long', 10);
    expectFailure(() => reader(...tooLong).skipS64(), 'integer representation too long', 10);
  });
});

describe('u64AsNumber', () => {
  it('is exact below 2^53', () => {
    expect(reader(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40).u64AsNumber()).toBe(2 ** 48 + 1);
    expect(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f).u64AsNumber()).toBe(2 ** 53 - 1);
  });

  it('gives the nearest double above', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(reader(...max).u64AsNumber()).toBe(2 ** 64);
  });

  it('allows only one value bit in the tenth byte', () => {
    const tooLarge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02];
    expectFailure(() => reader(...tooLarge).u64AsNumber(), 'integer too large', 9);
    const tooLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00];
    expectFailure(() => reader(...tooLong).u64AsNumber(), 'integer representation too long', 10);
  });
});

describe('fixed-width values', () => {
  it('reads little-endian bit patterns', () => {
    const r = reader(0x01, 0x00, 0xc0, 0x7f, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x7f);
    expect(r.u32le()).toBe(0x7fc0_0001);
    expect(r.u64le()).toBe(0x7ff8_0000_0000_0001n);
  });

  it('fails on a short read at the end', () => {
    expectFailure(() => reader(0x01, 0x02).u32le(), 'unexpected end of section or function', 2);
  });

  it('gives views into the module bytes, not copies', () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const r = new ByteReader(bytes, 1);
    const view = r.view(2);
    expect([...view]).toEqual([2, 3]);
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(1);
    expect(r.pos).toBe(3);
  });
});

describe('lengths', () => {
  it('count fails fast when the entries cannot fit in what is left', () => {
    const r = new ByteReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0]), 0, 6);
    expectFailure(() => r.count(), 'unexpected end of section or function', 6);
  });

  it('length tells a size beyond the module from one beyond the section', () => {
    const bytes = new Uint8Array([0x05, 1, 2, 3, 4, 5, 6]);
    expectFailure(() => new ByteReader(bytes, 0, 3).length(), 'unexpected end of section or function', 3);
    expectFailure(() => new ByteReader(new Uint8Array([0x07, 1, 2])).length(), 'length out of bounds', 0);
    expect(new ByteReader(bytes).length()).toBe(5);
  });
});

describe('name', () => {
  const encode = (s: string): number[] => {
    const b = [...new TextEncoder().encode(s)];
    return [b.length, ...b];
  };

  it.each(['', 'memory', 'é', '\u{1f600}', '\ufeffbom', 'a'.repeat(40), 'ä'.repeat(40)])('decodes %j', (s) => {
    const bytes = encode(s);
    const r = reader(...bytes);
    expect(r.name()).toBe(s);
    expect(r.pos).toBe(bytes.length);
  });

  it.each([
    [[0xff]],
    [[0xc0, 0x80]],
    [[0xed, 0xa0, 0x80]],
    [[0xe2, 0x82]],
    [[0xf4, 0x90, 0x80, 0x80]],
  ])('rejects %j, at the start of the name', (bytes) => {
    const r = reader(0x00, bytes.length, ...bytes);
    r.pos = 1;
    expectFailure(() => r.name(), 'malformed UTF-8 encoding', 1);
  });

  it('rejects a length past the module', () => {
    expectFailure(() => reader(0x05, 0x61).name(), 'length out of bounds', 0);
  });
});

describe('peek and atEnd', () => {
  it('see the next byte without consuming it, and -1 at the end', () => {
    const r = reader(0x42);
    expect(r.peek()).toBe(0x42);
    expect(r.atEnd()).toBe(false);
    expect(r.u8()).toBe(0x42);
    expect(r.peek()).toBe(-1);
    expect(r.atEnd()).toBe(true);
  });
});
