// A pool of linear memories for repeated instantiation, as Wasmtime's pooling allocator
// keeps memory slots: releasing an instance gives its memories back, and the next memory
// of the same size is taken from the pool with only the bytes written into it zeroed,
// instead of being allocated again. No code runs in this runtime, so the engine's writers
// (data segments and memory images) are the only ones it knows of; each reports the range
// it wrote with `noteMemoryWrite`, and a host that writes a memory's bytes itself must do
// the same, or a pooled memory would carry its bytes into the next instance.
import type { MemoryInst } from './store.ts';

export interface MemoryPoolOptions {
  /** Bytes of memory the pool keeps at most; a memory given back beyond it is dropped. */
  readonly maxBytes?: number;
}

export interface MemoryPoolStats {
  /** Memories taken from the pool, and memories the pool had none of that size for. */
  readonly hits: number;
  readonly misses: number;
  /** Bytes zeroed when memories were given back. */
  readonly bytesZeroed: number;
  readonly pooledBytes: number;
}

const DEFAULT_MAX_BYTES = 1 << 30;

export class MemoryPool {
  private readonly free = new Map<number, Uint8Array[]>();
  private readonly maxBytes: number;
  private pooledBytes = 0;
  private hits = 0;
  private misses = 0;
  private bytesZeroed = 0;

  constructor(options: MemoryPoolOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** A zeroed memory of `byteLength` bytes from the pool, or undefined if it has none. */
  take(byteLength: number): Uint8Array | undefined {
    const bytes = this.free.get(byteLength)?.pop();
    if (bytes === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.pooledBytes -= byteLength;
    return bytes;
  }

  /**
   * Takes back `memory`'s bytes, zeroing the range written into them, and leaves the
   * memory empty: whatever still holds it can no longer reach the next instance's bytes.
   * Returns whether the pool kept them.
   */
  give(memory: MemoryInst): boolean {
    const { bytes, written } = memory;
    memory.bytes = new Uint8Array(0);
    memory.written = undefined;
    if (bytes.length === 0 || this.pooledBytes + bytes.length > this.maxBytes) return false;
    if (written !== undefined && written.end > written.start) {
      bytes.fill(0, written.start, written.end);
      this.bytesZeroed += written.end - written.start;
    }
    let sameSize = this.free.get(bytes.length);
    if (sameSize === undefined) this.free.set(bytes.length, (sameSize = []));
    sameSize.push(bytes);
    this.pooledBytes += bytes.length;
    return true;
  }

  stats(): MemoryPoolStats {
    return { hits: this.hits, misses: this.misses, bytesZeroed: this.bytesZeroed, pooledBytes: this.pooledBytes };
  }
}

/**
 * Records that bytes [start, end) of `memory` were written: a pool zeroes them on release.
 * Only a store with a pool tracks writes (`written` set at allocation); elsewhere this
 * costs one test.
 */
export function noteMemoryWrite(memory: MemoryInst, start: number, end: number): void {
  const written = memory.written;
  if (written === undefined || end <= start) return;
  if (start < written.start) written.start = start;
  if (end > written.end) written.end = end;
}
