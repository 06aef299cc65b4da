// The store: everything that exists per instance, and the externs an embedder can make.
// Types held here are canonical: a concrete heap type is a canonical type id
// (type-registry.ts), never a module's type index, so values compare across modules.
import { GcHeap, type GcHeapOptions } from '../gc/heap.ts';
import { refWords, type RefWords } from '../gc/raw-ref.ts';
import type { MemoryType } from '../module/module.ts';
import type { CanonicalGlobalType, CanonicalTableType, CanonicalTypeId } from '../module/type-registry.ts';
import { InternalError } from '../errors.ts';
import { checkLimit, DEFAULT_LIMITS, type ImplementationLimits } from '../implementation-limits.ts';
import type { Instance } from './instance.ts';
import { GlobalCells } from './global-cells.ts';
import type { MemoryPool } from './memory-pool.ts';

export const PAGE_BYTES = 65536;

export interface FuncInst {
  readonly kind: 'func';
  readonly type: CanonicalTypeId;
  /** The store's function address; a funcref holds it (raw-ref.ts). */
  readonly address: number;
  /** Defining instance and index in its function index space; absent for host functions. */
  readonly instance?: Instance;
  readonly index: number;
  readonly host?: (...args: unknown[]) => unknown;
}

export interface GlobalInst {
  readonly kind: 'global';
  readonly type: CanonicalGlobalType;
  readonly cells: GlobalCells;
  readonly slot: number;
}

export interface TableInst {
  readonly kind: 'table';
  readonly type: CanonicalTableType;
  /** Raw reference words; `elements.length` is the capacity, `size` the table size. */
  elements: RefWords;
  size: number;
  /** Set when a funcref table holds lazy function references of this instance. */
  lazyOwner?: Instance;
}

export interface MemoryInst {
  readonly kind: 'memory';
  readonly type: MemoryType;
  bytes: Uint8Array;
  /**
   * The range written since allocation, for a memory pool to zero (memory-pool.ts); set
   * (empty) at allocation only in a store with a pool.
   */
  written?: { start: number; end: number };
}

export interface TagInst {
  readonly kind: 'tag';
  /** The tag's function type. */
  readonly type: CanonicalTypeId;
}

export type Extern = FuncInst | GlobalInst | TableInst | MemoryInst | TagInst;

/**
 * Resolves an import; `undefined` means it is missing. `importIndex` tells apart imports
 * of one name with different types (a JS function, for one, serves every signature).
 */
export type ImportResolver = (module: string, name: string, importIndex: number) => Extern | undefined;

interface FuncRange {
  readonly base: number;
  readonly count: number;
  readonly instance: Instance;
  readonly firstIndex: number;
}

export interface StoreOptions {
  readonly gc?: GcHeapOptions;
  /** Table and memory sizes past these are refused when allocated (the defaults are V8's). */
  readonly limits?: ImplementationLimits;
  /**
   * Memories come from this pool when it has one of the size, and released instances
   * give theirs back. Stores may share one pool.
   */
  readonly memoryPool?: MemoryPool;
}

export class Store {
  readonly heap: GcHeap;
  readonly limits: ImplementationLimits;
  readonly memoryPool?: MemoryPool;
  /** Materialized function objects by address; defined functions appear lazily. */
  private readonly funcs: (FuncInst | undefined)[] = [];
  /** Address ranges reserved by instances for their defined functions, ascending. */
  private readonly funcRanges: FuncRange[] = [];

  constructor(options: StoreOptions = {}) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.memoryPool = options.memoryPool;
    this.heap = new GcHeap({ limits: this.limits, ...options.gc });
  }

  /**
   * Reserves addresses for `count` functions an instance defines, starting at its
   * function index `firstIndex`. Function objects are made only when asked for, as
   * Wasmtime makes funcrefs lazily: instantiating a module with thousands of functions
   * should not allocate thousands of objects.
   */
  reserveFuncs(instance: Instance, firstIndex: number, count: number): number {
    const base = this.funcs.length;
    this.funcs.length = base + count;
    this.funcRanges.push({ base, count, instance, firstIndex });
    return base;
  }

  /** Runs a collection of the GC heap now. */
  gc(): void {
    this.heap.collect();
  }

  createHostFunc(type: CanonicalTypeId, host: (...args: unknown[]) => unknown): FuncInst {
    const func: FuncInst = { kind: 'func', type, address: this.funcs.length, index: 0, host };
    this.funcs.push(func);
    return func;
  }

  funcAt(address: number): FuncInst {
    const existing = this.funcs[address];
    if (existing !== undefined) return existing;
    const range = this.rangeOf(address);
    const index = range.firstIndex + (address - range.base);
    const module = range.instance.module;
    const func: FuncInst = {
      kind: 'func',
      type: module.info.canonicalTypes[module.info.funcTypes[index]],
      address,
      instance: range.instance,
      index,
    };
    this.funcs[address] = func;
    return func;
  }

  createGlobal(type: CanonicalGlobalType): GlobalInst {
    return { kind: 'global', type, cells: new GlobalCells(1), slot: 0 };
  }

  /**
   * A table, null-filled: defined tables come here at allocation, and host tables (the
   * embedder fills them through table-api.ts, with barriers).
   */
  createTable(type: CanonicalTableType): TableInst {
    checkLimit(this.limits, 'tableElements', type.limits.exact?.min ?? type.limits.min, 'table allocation failed: elements');
    return { kind: 'table', type, elements: refWords(type.limits.min), size: type.limits.min };
  }

  createMemory(type: MemoryType): MemoryInst {
    const pages = type.limits.exact?.min ?? BigInt(type.limits.min);
    checkLimit(this.limits, 'memoryBytes', pages * BigInt(PAGE_BYTES), `memory of ${pages} pages, bytes`);
    const byteLength = type.limits.min * PAGE_BYTES;
    if (this.memoryPool === undefined) return { kind: 'memory', type, bytes: zeroedBytes(byteLength) };
    const bytes = this.memoryPool.take(byteLength) ?? zeroedBytes(byteLength);
    return { kind: 'memory', type, bytes, written: { start: byteLength, end: 0 } };
  }

  private rangeOf(address: number): FuncRange {
    let lo = 0;
    let hi = this.funcRanges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = this.funcRanges[mid];
      if (address < range.base) hi = mid - 1;
      else if (address >= range.base + range.count) lo = mid + 1;
      else return range;
    }
    throw new InternalError(`no function at address ${address}`);
  }
}

/**
 * From this size a memory is a resizable buffer, which V8 reserves and commits itself and
 * the OS zeroes lazily, page by page as it is touched; below it, a plain buffer from the
 * allocator. Measured in one process here (medians of 300, 64 KiB written): plain costs
 * some 55 µs per MiB (873 µs for 16 MiB), resizable some 50 µs at any size (the mapping
 * calls; 80 µs for 16 MiB), so plain wins below about 1 MiB (6 µs against 48 µs at 64 KiB);
 * the threshold sits at 2 MiB, past that crossover (sizes between were not measured).
 */
const RESIZABLE_FROM_BYTES = 2 * 1024 * 1024;

/**
 * `byteLength` zero bytes. Nothing grows a memory yet (no code runs), so a resizable
 * buffer reserves its initial size only.
 */
function zeroedBytes(byteLength: number): Uint8Array {
  if (byteLength < RESIZABLE_FROM_BYTES) return new Uint8Array(byteLength);
  return new Uint8Array(new ArrayBuffer(byteLength, { maxByteLength: byteLength }));
}

