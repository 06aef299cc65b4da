import { describe, expect, it } from 'vitest';
import { section, SECTION, sleb, uleb, vector, wasmModule } from '../../runtime/binary/wasm-bytes.ts';
import { compiledModuleMemory } from './compiled-memory.ts';

/** A module of one memory and `n` active data segments of 4 bytes each. */
function dataSegments(n: number): Uint8Array {
  return wasmModule(
    section(SECTION.memory, [1, 0, ...uleb(1)]),
    section(SECTION.data, vector(n, (i) => [0, 0x41, ...sleb((i * 4) % 60_000), 0x0b, 4, 1, 2, 3, 4])),
  );
}

describe('the memory a compiled module keeps', () => {
  it('keeps data segments as typed-array columns, not as objects on the heap', () => {
    const segments = 20_000;
    const { heapBytes, arrayBufferBytes } = compiledModuleMemory(dataSegments(segments));
    // Columns of at least a byte range and an offset per segment.
    expect(arrayBufferBytes).toBeGreaterThanOrEqual(segments * 8);
    // An object per segment would be some 50 bytes or more each.
    expect(heapBytes).toBeLessThan(segments * 8);
  });

  it('grows with the module: more segments keep more', () => {
    const small = compiledModuleMemory(dataSegments(1_000));
    const large = compiledModuleMemory(dataSegments(40_000));
    expect(large.arrayBufferBytes).toBeGreaterThan(small.arrayBufferBytes + 39_000 * 8);
  });
});
