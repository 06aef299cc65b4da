// Raw global storage, below everything else in instance/: the store, instances and
// const values all read and write slots of it.
/** Bytes per global slot: one 128-bit raw value, as Wasmtime's `VMGlobalDefinition`. */
export const GLOBAL_SLOT_BYTES = 16;

/**
 * Raw storage of globals: 16 bytes a global, one buffer per instance (or per host
 * global), seen through one typed view per value kind. Floats are stored as bits.
 */
export class GlobalCells {
  readonly bytes: Uint8Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly i64: BigInt64Array;
  readonly u64: BigUint64Array;
  readonly f64: Float64Array;

  /** Fresh cells, or a copy of `image`'s (one bulk copy, no zero-fill first). */
  constructor(count: number, image?: GlobalCells) {
    const buffer = image === undefined ? new ArrayBuffer(count * GLOBAL_SLOT_BYTES) : image.bytes.buffer.slice(0);
    this.bytes = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i64 = new BigInt64Array(buffer);
    this.u64 = new BigUint64Array(buffer);
    this.f64 = new Float64Array(buffer);
  }
}
