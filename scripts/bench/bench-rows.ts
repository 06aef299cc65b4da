// What `instlab bench` measures for one module: each strategy's compile phase (decode,
// validate, and the strategy's per-module preparation) and instantiate phase, next to
// two reference rows measured the same way: `v8` (Node's WebAssembly.Module /
// WebAssembly.Instance on the same bytes) and `floor` (allocating the final state's
// storage the way the engine does and copying a ready image into it). Making the imports
// is the embedder's work and stays outside the measurement on all three: before each
// sample, V8 gets a fresh imports object, ours a fresh store with its imports, the floor
// fresh imported memories and tables. Fresh, because an imported memory is mapped lazily:
// the instantiation that first writes its data faults the pages in. With one imports
// object for every sample, V8 wrote web-tree-sitter's data into pages already resident
// and "instantiated" it in 67 µs, where ours, given a fresh memory, took 99–108 µs (full
// run, seed 20261204); with a fresh one V8 takes 187 µs (README, "Imports").
//
// With `memoryPool` (`--memory-pool`), every instantiate row of ours and the floor takes
// its memories from a pool of its own, shared by its samples, and gives them back in the
// same timed call: instantiation then release (the release zeroes what was written), one
// instance alive at a time. The row is the per-instance cost of a pool in steady state,
// not an instantiation whose bill is deferred to a release outside the timing. `v8` has
// no such option and stays as it is, the reference.
import { randomBytes } from 'node:crypto';
import { compile, type CompiledModule } from '../../runtime/module/compile.ts';
import { instantiate } from '../../runtime/instance/instantiate.ts';
import type { Instance } from '../../runtime/instance/instance.ts';
import { GlobalCells, GLOBAL_SLOT_BYTES } from '../../runtime/instance/global-cells.ts';
import { Store, type ImportResolver, type MemoryInst } from '../../runtime/instance/store.ts';
import { MemoryPool, noteMemoryWrite } from '../../runtime/instance/memory-pool.ts';
import { releaseInstance } from '../../runtime/instance/release-instance.ts';
import { NULL_REF } from '../../runtime/gc/raw-ref.ts';
import { GcHeap } from '../../runtime/gc/heap.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { defaultStrategy, strategyByName } from '../../variants/registry.ts';
import type { Phase } from '../results-file.ts';
import { moduleImports, moduleV8Imports, v8BytesOf, v8Unavailable, type BenchModule } from './bench-modules.ts';
import { definedEntries } from '../../runtime/module/index-spaces.ts';

export interface BenchRow {
  readonly strategy: string;
  readonly phase: Phase;
  /** Runs before each sample, unmeasured. */
  readonly setup?: () => void;
  readonly run: () => unknown;
  /** With `memoryPool`: the pool the row's samples take their memories from and give them back to. */
  readonly memoryPool?: MemoryPool;
}

export interface BenchRowOptions {
  /** Instantiate rows of ours and the floor take their memories from a pool per row (`--memory-pool`). */
  readonly memoryPool?: boolean;
}

/** Instances whose memories hold at least this much collect garbage between samples (bench-worker.ts). */
export const MEMORY_HEAVY_BYTES = 1 << 20;

export interface ModuleRows {
  readonly rows: BenchRow[];
  /**
   * Bytes of defined memory one instance allocates. Imported memories, made fresh before
   * each sample too, are left out: counted, web-tree-sitter's 32 MiB one made every row
   * collect after every sample, and its rows then ran at 136–178 µs with intervals up to
   * ±1198 %, against 99–121 µs within ±14 % without (quick, 3 processes, seed 41).
   */
  readonly memoryBytes: number;
  /** Why there are no `v8` rows, if there are none. */
  readonly v8Unavailable?: string;
}

export function benchRows(module: BenchModule, bytes: Uint8Array, strategies: readonly string[], options: BenchRowOptions = {}): ModuleRows {
  const compiled = compile(bytes);
  const capacityBytes = module.gcHeapBytes;
  const pooled = options.memoryPool === true;
  const rows: BenchRow[] = [];
  for (const name of strategies) {
    const strategy = strategyByName(name)!;
    rows.push({ strategy: name, phase: 'compile', run: () => strategy.prepare(compile(bytes)) });
    const pool = pooled ? new MemoryPool() : undefined;
    // The imports are made in the pooled store (its functions must be), so an imported
    // memory is taken from the pool too when it holds one of that size; being the
    // embedder's, it never goes back.
    let store = new Store();
    let resolve: ImportResolver = () => undefined;
    const once = () => instantiate(store, compiled, resolve, { strategy, skipStart: true });
    rows.push({
      strategy: name,
      phase: 'instantiate',
      setup: () => {
        store = new Store({ gc: { capacityBytes }, ...(pool === undefined ? {} : { memoryPool: pool }) });
        resolve = moduleImports(store, compiled, module);
      },
      ...(pool === undefined ? { run: once } : { run: () => released(once()), memoryPool: pool }),
    });
  }
  const floor = floorOf(module, compiled, pooled ? new MemoryPool() : undefined);
  rows.push({
    strategy: 'floor',
    phase: 'instantiate',
    ...(floor.setup === undefined ? {} : { setup: floor.setup }),
    run: floor.run,
    ...(floor.memoryPool === undefined ? {} : { memoryPool: floor.memoryPool }),
  });
  const unavailable = v8Unavailable(compiled, bytes, module);
  if (unavailable === undefined) rows.push(...v8Rows(compiled, bytes, module));
  return { rows, memoryBytes: floor.memoryBytes, ...(unavailable === undefined ? {} : { v8Unavailable: unavailable }) };
}

/** Gives `instance`'s memories back to its store's pool, zeroed where written, inside the timed call. */
function released(instance: Instance): Instance {
  releaseInstance(instance);
  return instance;
}

function v8Rows(compiled: CompiledModule, bytes: Uint8Array, module: BenchModule): BenchRow[] {
  const v8Bytes = v8BytesOf(compiled, bytes);
  const v8Module = new v8Wasm.Module(v8Bytes);
  let imports = moduleV8Imports(compiled, module);
  const unique = uniqueBytes(v8Bytes);
  return [
    { strategy: 'v8', phase: 'compile', setup: unique.next, run: () => new v8Wasm.Module(unique.bytes) },
    {
      strategy: 'v8',
      phase: 'instantiate',
      setup: () => (imports = moduleV8Imports(compiled, module)),
      run: () => new v8Wasm.Instance(v8Module, imports),
    },
  ];
}

const UNIQUE_SECTION = new TextEncoder().encode('instlab-unique');

/**
 * The module's bytes with a custom section appended whose 8-byte payload changes before
 * every sample. V8 keeps compiled modules in a cache keyed by their bytes, so compiling
 * the same bytes again while an earlier module of them is alive measures a cache hit
 * (esbuild-wasm: 20 ms instead of 60–100 ms here); a custom section changes nothing else.
 */
export function uniqueBytes(bytes: Uint8Array): { readonly bytes: Uint8Array; readonly next: () => void } {
  const payload = 1 + UNIQUE_SECTION.length + 8;
  const out = new Uint8Array(bytes.length + 2 + payload);
  out.set(bytes);
  let at = bytes.length;
  out[at++] = 0;
  out[at++] = payload;
  out[at++] = UNIQUE_SECTION.length;
  out.set(UNIQUE_SECTION, at);
  const view = new DataView(out.buffer, at + UNIQUE_SECTION.length, 8);
  // A random start: two copies of this code in one process (a paired check loads BASE's
  // and HEAD's) must never produce the same bytes, or one side measures the other's cache.
  let counter = new BigUint64Array(randomBytes(8).buffer)[0];
  return { bytes: out, next: () => view.setBigUint64(0, ++counter, true) };
}

/**
 * The floor: the least any strategy could do. The final state of an instance, taken
 * once, is copied into storage allocated as the engine allocates it (globals as one
 * cell buffer copied from an image, tables as element arrays, memories through the
 * store's own `createMemory`), memories as the runs that hold non-zero bytes
 * (allocation zeroes the rest). What the instantiation writes into imported memories and
 * tables, and the GC objects it allocates, are copied into fresh ones made before each
 * sample (imports are the embedder's work, made untimed for every row). With a pool, the
 * defined memories come from it and go back to it, zeroed where the floor wrote, in the
 * same timed call, as the strategies' rows give theirs back: a floor that only allocated
 * would not be the least a pooled strategy could do.
 */
function floorOf(
  module: BenchModule,
  compiled: CompiledModule,
  pool: MemoryPool | undefined,
): { setup?: () => void; run: () => unknown; memoryBytes: number; memoryPool?: MemoryPool } {
  const store = new Store({ gc: { capacityBytes: module.gcHeapBytes } });
  const instance: Instance = instantiate(store, compiled, moduleImports(store, compiled, module), {
    skipStart: true,
    strategy: defaultStrategy(),
  });
  const globals = instance.globalCells;
  const globalCount = globals.bytes.length / GLOBAL_SLOT_BYTES;
  const { importedTables, importedMemories } = compiled.info;
  const definedMemories = definedEntries(instance.memories, importedMemories);
  const tables = definedEntries(instance.tables, importedTables).map((t) => t.elements.slice(0, t.size));
  const memories = definedMemories.map((m) => imageOf(m));
  const memoryBytes = definedMemories.reduce((sum, m) => sum + m.bytes.length, 0);
  // Imported memories and tables come zeroed or null from the embedder: only those the instantiation wrote into count.
  const intoMemories = instance.memories.slice(0, importedMemories).map((m) => imageOf(m)).filter((m) => m.runs.length > 0);
  const intoTables = instance.tables.slice(0, importedTables).map((t) => ({ type: t.type, image: t.elements.slice(0, t.size) })).filter((t) => t.image.some((word) => word !== NULL_REF));
  const heapImage = store.heap.allocationCount > 0 ? store.heap.image() : undefined;
  const makeFresh = () => ({
    memories: intoMemories.map((m) => store.createMemory(m.type)),
    tables: intoTables.map((t) => store.createTable(t.type)),
    heap: heapImage === undefined ? undefined : new GcHeap({ capacityBytes: module.gcHeapBytes }),
  });
  let fresh = makeFresh();
  // Imported memories stay the embedder's, fresh and outside the pool, as for the strategies' rows.
  const definedStore = pool === undefined ? store : new Store({ memoryPool: pool });
  const firstMemory = 1 + tables.length;
  const run = () => {
    const state: unknown[] = [new GlobalCells(globalCount, globals)];
    for (const table of tables) state.push(table.slice());
    for (const image of memories) state.push(copyImage(definedStore.createMemory(image.type), image));
    // Indexed loops: the floor allocates nothing it does not have to (no closures per call).
    for (let i = 0; i < intoMemories.length; i++) state.push(copyImage(fresh.memories[i], intoMemories[i]));
    for (let i = 0; i < intoTables.length; i++) {
      fresh.tables[i].elements.set(intoTables[i].image);
      state.push(fresh.tables[i]);
    }
    if (fresh.heap !== undefined && heapImage !== undefined) {
      fresh.heap.restoreImage(heapImage);
      state.push(fresh.heap);
    }
    if (pool !== undefined) for (let i = 0; i < memories.length; i++) pool.give(state[firstMemory + i] as MemoryInst);
    return state;
  };
  const needsFresh = intoMemories.length + intoTables.length > 0 || heapImage !== undefined;
  return { ...(needsFresh ? { setup: () => (fresh = makeFresh()) } : {}), run, memoryBytes, ...(pool === undefined ? {} : { memoryPool: pool }) };
}

/** A memory's final bytes as the floor copies them: its non-zero runs, and the span they cover. */
interface MemoryImage {
  readonly type: MemoryInst['type'];
  readonly runs: readonly { offset: number; bytes: Uint8Array }[];
  readonly written: { readonly start: number; readonly end: number };
}

function imageOf(memory: MemoryInst): MemoryImage {
  const runs = nonZeroRuns(memory.bytes);
  const last = runs.at(-1);
  return { type: memory.type, runs, written: { start: runs[0]?.offset ?? 0, end: last === undefined ? 0 : last.offset + last.bytes.length } };
}

/** Copies the image in and reports the span written, as the engine's writers do (a pool zeroes it on release). */
function copyImage(memory: MemoryInst, image: MemoryImage): MemoryInst {
  for (const { offset, bytes } of image.runs) memory.bytes.set(bytes, offset);
  noteMemoryWrite(memory, image.written.start, image.written.end);
  return memory;
}

/**
 * Zeros this long or longer split a memory's non-zero bytes into separate runs: copying a
 * shorter gap costs less than another copy (the same trade-off as `cached`'s image runs).
 */
const RUN_GAP_BYTES = 4096;

/** The spans of `bytes` that hold non-zero bytes, split at long runs of zeros. */
export function nonZeroRuns(bytes: Uint8Array): { offset: number; bytes: Uint8Array }[] {
  const runs: { offset: number; bytes: Uint8Array }[] = [];
  let i = 0;
  while (i < bytes.length) {
    while (i < bytes.length && bytes[i] === 0) i++;
    if (i === bytes.length) break;
    const start = i;
    let end = i;
    while (i < bytes.length && i - end < RUN_GAP_BYTES) {
      if (bytes[i] !== 0) end = i + 1;
      i++;
    }
    runs.push({ offset: start, bytes: bytes.slice(start, end) });
  }
  return runs;
}
