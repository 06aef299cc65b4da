// What one instantiation did, counted: written by instantiate and the strategies, read by
// `inspect --counters`, the bench and (exactly) the regression gate.
/**
 * Deterministic operation counts of one instantiation: the same on every run, so CI can
 * compare them exactly where timings need statistics.
 */
export interface InstantiationCounters {
  /** Constant-expression ops executed by an interpreter. */
  constOps: number;
  /** Values boxed into typed `Val` objects on an evaluator stack. */
  valuesBoxed: number;
  /** GC objects allocated. */
  gcAllocations: number;
  /** Collections the heap ran during the instantiation. */
  collections: number;
  /** Write barriers executed on slot writes of counted references. */
  barriers: number;
  /** Global and table slots written. */
  slotsWritten: number;
  /** Bytes copied in bulk: data segments and per-module images. */
  bytesCopied: number;
  /** Per-module images copied into the instance, one bulk write each. */
  imageCopies: number;
}

export function zeroCounters(): InstantiationCounters {
  return { constOps: 0, valuesBoxed: 0, gcAllocations: 0, collections: 0, barriers: 0, slotsWritten: 0, bytesCopied: 0, imageCopies: 0 };
}
