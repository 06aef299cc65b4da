// How the store allocates a linear memory: zeroed bytes of the declared size, from a
// plain buffer when small and from a resizable (lazily zeroed) buffer from 2 MiB up.
import { describe, expect, it } from 'vitest';
import { Store } from './store.ts';

const PAGE = 65536;
const memory = (pages: number) => new Store().createMemory({ addressType: 'i32', shared: false, limits: { min: pages } });

describe('Store.createMemory', () => {
  it('gives a small memory plain zeroed bytes', () => {
    const { bytes } = memory(1);
    expect(bytes.length).toBe(PAGE);
    expect((bytes.buffer as ArrayBuffer).resizable).toBe(false);
    expect(bytes.every((b) => b === 0)).toBe(true);
  });

  it('gives a memory of 2 MiB or more a resizable buffer of exactly its size, all zero', () => {
    const { bytes } = memory(256);
    const buffer = bytes.buffer as ArrayBuffer;
    expect(buffer.resizable).toBe(true);
    expect(buffer.byteLength).toBe(256 * PAGE);
    expect(buffer.maxByteLength).toBe(256 * PAGE);
    expect(bytes.length).toBe(256 * PAGE);
    expect(bytes.every((b) => b === 0)).toBe(true);
    bytes.set([1, 2, 3], 256 * PAGE - 3);
    expect([...bytes.subarray(-3)]).toEqual([1, 2, 3]);
  });

  it('keeps 31 pages plain and takes 32 pages (2 MiB) resizable', () => {
    expect((memory(31).bytes.buffer as ArrayBuffer).resizable).toBe(false);
    expect((memory(32).bytes.buffer as ArrayBuffer).resizable).toBe(true);
  });
});
