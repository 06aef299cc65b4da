// The implementation limits of this runtime, in one place. The spec lets an engine refuse
// a module or an allocation past limits of its own; these defaults are the ones V8
// (Node 24.9) enforces, so that a module V8 takes is not refused here and one V8 refuses
// is not taken. Each was found by compiling or allocating the value and the one past it
// in Node 24.9 (the README's "Limits" section lists them). Where this runtime cannot go
// as far as V8 (memory bytes, the GC heap), the default says so.
//
// Exceeding a limit throws `ResourceLimitError` naming the limit and the value, before
// anything of that size is allocated. The declared limits of tables and memories
// (min ≤ max and the like) are a different thing: validation/limits.ts compares those.
import { ResourceLimitError } from './errors.ts';

export interface ImplementationLimits {
  /** Bytes of a module (V8: 1 GiB). */
  readonly moduleBytes: number;
  /** Types in the type section, over all rec groups (V8: 1,000,000). */
  readonly types: number;
  /** Functions defined by the module (V8: 1,000,000). */
  readonly functions: number;
  readonly imports: number;
  readonly exports: number;
  readonly globals: number;
  /** Tables, memories and tags defined by the module (V8: 100,000, 100,000 and 1,000,000). */
  readonly tables: number;
  readonly memories: number;
  readonly tags: number;
  readonly dataSegments: number;
  readonly elementSegments: number;
  /** Fields of one struct type, parameters and results of one function type. */
  readonly structFields: number;
  readonly functionParams: number;
  readonly functionResults: number;
  /** Operands of one `array.new_fixed` (V8 refuses more at compile time). */
  readonly arrayNewFixedLength: number;
  /** Bytes of one function body (V8: 7,654,321). */
  readonly functionBodyBytes: number;
  /** Locals of one function, parameters included (V8: 50,000). */
  readonly functionLocals: number;
  /** Supertypes above a type in its declared chain (V8: 63). */
  readonly subtypeDepth: number;
  /** Elements of one table, defined, imported or made by the host (V8: 10,000,000). */
  readonly tableElements: number;
  /**
   * Elements of one GC array. V8 allocates up to about 2^29 bytes; here each element is
   * a JS array slot of 8 bytes or more, so the GC heap's byte capacity (64 MiB by
   * default, `GcHeapOptions.capacityBytes`) alone would let a 64 M-element i8 array cost
   * gigabytes to build and to describe.
   */
  readonly arrayElements: number;
  /** Bytes of one memory. V8 allows 4 GiB (memory32) and 16 GiB (memory64); a typed array here stops at 4 GiB. */
  readonly memoryBytes: number;
}

export const DEFAULT_LIMITS: ImplementationLimits = Object.freeze({
  moduleBytes: 1024 * 1024 * 1024,
  types: 1_000_000,
  functions: 1_000_000,
  imports: 1_000_000,
  exports: 1_000_000,
  globals: 1_000_000,
  tables: 100_000,
  memories: 100_000,
  tags: 1_000_000,
  dataSegments: 100_000,
  elementSegments: 10_000_000,
  structFields: 10_000,
  functionParams: 1_000,
  functionResults: 1_000,
  arrayNewFixedLength: 10_000,
  functionBodyBytes: 7_654_321,
  functionLocals: 50_000,
  subtypeDepth: 63,
  tableElements: 10_000_000,
  arrayElements: 1 << 22,
  memoryBytes: 4 * 1024 * 1024 * 1024,
});

/** The defaults with some limits replaced (a test or an embedder that wants tighter or looser ones). */
export function withLimits(overrides: Partial<ImplementationLimits> = {}): ImplementationLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/** Throws if `value` exceeds limit `name` of `limits`. */
export function checkLimit(limits: ImplementationLimits, name: keyof ImplementationLimits, value: number | bigint, what: string): void {
  if (value > limits[name]) {
    throw new ResourceLimitError(name, value, `${what}: ${value} is over the limit ${name} = ${limits[name]}`);
  }
}
