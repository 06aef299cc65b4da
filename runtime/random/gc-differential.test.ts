// Differential testing of GC constant expressions: random GC modules
// (random-gc-module.ts) instantiated by V8 and by our runtime must leave the same state,
// with the same objects shared. Both engines instantiate the module's observable copy
// (observable-copy.ts: every global and table exported, probes through which
// v8-observed-state.ts reads V8's structs, arrays and object identity), and the module
// itself must give its own exports the state V8 gives them. The generator's model of
// that state is checked against V8 first, so a disagreement with our runtime is not a
// harness bug.
//
// Our runtime runs each case twice: in a default store, where the heap must end up
// holding exactly what the instance can reach, and in a store with a heap so small that
// it fills up during constant evaluation. The small heap starts with garbage (unrooted
// host objects) sized so the heap is full at a chosen allocation: the collection that
// follows must free the garbage and nothing the evaluation still uses. Whether the live
// data fits is known from the generator's heap model; if it does not, the instantiation
// must fail with `GcHeapOutOfMemory` and release everything the instance held: after a
// collection the heap holds what the imports reach, including what earlier segments
// wrote into imported tables (the spec's partial initialization).
import { describe, expect, it } from 'vitest';
import { compile as assembleWat } from 'watr';
import { compile, type CompiledModule } from '../module/compile.ts';
import { readSlot, type Value } from '../instance/const-value.ts';
import { GcHeap, GcHeapOutOfMemory, GcNotAllowed, OBJECT_HEADER_BYTES } from '../gc/heap.ts';
import { writeGlobalValue } from '../instance/global-value.ts';
import type { Instance } from '../instance/instance.ts';
import { describeInstance, type InstanceState } from '../embedder/instance-state.ts';
import type { Strategy } from '../instance/initializer.ts';
import { instantiate } from '../instance/instantiate.ts';
import type { AnyHeapType, StorageType } from '../module/module.ts';
import { observableCopy, observedName, observedState, OBSERVE_PREFIX } from '../v8/observable-copy.ts';
import {
  GC_FEATURES,
  generateGcModule,
  IMPORT_MODULE,
  type GcCase,
  type GcFeature,
  type HeapCount,
} from './random-gc-module.ts';
import { isHeapRef, type RefWord } from '../gc/raw-ref.ts';
import { heapFamily } from '../module/ref-family.ts';
import { Store, type Extern, type ImportResolver } from '../instance/store.ts';
import { canonicalType, type CanonicalRefType } from '../module/type-registry.ts';
import { v8Wasm } from '../v8/v8-instance-state.ts';
import { compareExportNames, observeInV8, type V8Observation } from '../v8/v8-observed-state.ts';
import { defaultStrategy, strategies } from '../../variants/registry.ts';

/** `GC_DIFFERENTIAL_SEEDS=5000 npx vitest run runtime/gc-differential` sweeps deeper. */
const SEEDS = Array.from({ length: Number(process.env.GC_DIFFERENTIAL_SEEDS ?? 300) }, (_, i) => i + 1);
/** Each feature must appear in at least this many cases. */
const MIN_CASES_PER_FEATURE = 3;
/** Share of small-heap runs (of cases that allocate) in which a collection must happen. */
const MIN_COLLECTING_SHARE = 0.6;

/** Strategies that hold unrooted references during const eval, so refuse to collect (`GcNotAllowed`). */
const UNROOTED = new Set(['raw']);
const EXTERNREF: CanonicalRefType = { nullable: true, heap: 'extern' };
const ANYREF: CanonicalRefType = { nullable: true, heap: 'any' };
const GARBAGE = 'garbage';
/** Bytes the heap accounts for a host object, measured rather than assumed. */
const HOST_BYTES = (() => {
  const heap = new GcHeap();
  heap.allocateHost(null);
  return heap.stats().liveBytes;
})();

const cases = SEEDS.map(generateGcModule);

interface OursResult {
  readonly state: InstanceState;
  readonly identity: number[];
}

interface SmallHeapRun {
  readonly capacity: number;
  readonly garbage: number;
  readonly expectOutOfMemory: boolean;
  /** The allocation that cannot succeed, by the heap model (-1 if none). */
  readonly firstFailing: number;
  /** Collections during instantiation. */
  readonly collections: number;
  readonly result: OursResult | { readonly error: unknown };
  /** Live bytes after instantiation and one more collection. */
  readonly liveBytesAfter: number;
  readonly liveObjectsAfter: number;
}

describe('random GC module generator', () => {
  it('is deterministic: the same seed gives the same module and model', () => {
    for (const seed of SEEDS.slice(0, 40)) {
      const [a, b] = [generateGcModule(seed), generateGcModule(seed)];
      expect(b.wat, `seed ${seed}`).toBe(a.wat);
      expect(b.bytes, `seed ${seed}`).toEqual(a.bytes);
      expect(b.imports, `seed ${seed}`).toEqual(a.imports);
      expect(b.expected, `seed ${seed}`).toEqual(a.expected);
      expect(b.heap, `seed ${seed}`).toEqual(a.heap);
    }
    expect(generateGcModule(1).wat).not.toBe(generateGcModule(2).wat);
  });

  it('covers every feature across the corpus', () => {
    const counts = new Map<GcFeature, number>(GC_FEATURES.map((f) => [f, 0]));
    for (const c of cases) for (const f of c.features) counts.set(f, counts.get(f)! + 1);
    const rare = [...counts].filter(([, n]) => n < MIN_CASES_PER_FEATURE);
    expect(rare, 'features generated in too few cases').toEqual([]);
  });

  it.each(cases)('seed $seed: V8 leaves the state the generator expects', (c) => {
    const v8 = runV8(c);
    expect(v8.state, `seed ${c.seed}`).toEqual(c.expected.state);
    expect(v8.identity, `seed ${c.seed}: shared objects`).toEqual(c.expected.identity);
  });
});

describe('our runtime against V8 on GC constant expressions', () => {
  it.each(cases)('seed $seed: default heap, every strategy', (c) => {
    const v8 = runV8(c);
    for (const strategy of strategies) {
      const label = `seed ${c.seed}, ${strategy.name}`;
      const store = new Store();
      const ours = runOurs(c, store, strategy);
      expect.soft(ours.state, label).toEqual(v8.state);
      expect.soft(ours.allocations, `${label}: GC allocations`).toBe(c.heap.allocations.length);
      expect.soft(ours.identity, `${label}: shared objects`).toEqual(v8.identity);
      // Nothing leaked, nothing reachable freed: once the decrements the heap defers are
      // done, it holds what the instance reaches.
      store.heap.collect();
      const stats = store.heap.stats();
      const live = { bytes: stats.liveBytes, objects: stats.liveObjects };
      expect.soft(live, `${label}: live heap`).toEqual(heapBytes(c.heap.final));
    }
  });

  it.each(cases)('seed $seed: the module itself gives its exports the state V8 gives them', (c) => {
    const store = new Store();
    const instance = instantiate(store, compiledCase(c).module, caseImports(c, store), { strategy: defaultStrategy() });
    expect(describeInstance(instance), `seed ${c.seed}`).toEqual(ownExports(runV8(c).state));
  });

  it.each(cases)('seed $seed: small heap, every strategy', (c) => {
    for (const strategy of strategies) {
      const run = smallHeapRun(c, strategy);
      if (run === undefined) continue;
      const label = `seed ${c.seed}, ${strategy.name}, capacity ${run.capacity}, ${run.garbage} garbage objects`;
      const error = 'error' in run.result ? run.result.error : undefined;
      const heapAfter = { bytes: run.liveBytesAfter, objects: run.liveObjectsAfter };
      if (UNROOTED.has(strategy.name) && error !== undefined) {
        // `raw` may not collect: wherever its heap is full, it refuses (or, if even a
        // collection could not help, may run out of memory).
        if (!(error instanceof GcNotAllowed)) expect.soft(error, label).toBeInstanceOf(GcHeapOutOfMemory);
        if (error instanceof GcHeapOutOfMemory) {
          expect.soft(run.expectOutOfMemory, `${label}: out of memory though it fits`).toBe(true);
        }
        // What the imports reach at some allocation stays; the rest was released.
        const possible = c.heap.allocations.map((a) => heapBytes(a.imports));
        expect.soft(possible, `${label}: heap after the failure`).toContainEqual(heapAfter);
        continue;
      }
      if (run.expectOutOfMemory) {
        expect.soft(error, `${label}: out of memory expected`).toBeInstanceOf(GcHeapOutOfMemory);
        // The failed instantiation released everything it held; what the imports reach stays.
        const reached = c.heap.allocations[run.firstFailing].imports;
        expect.soft(heapAfter, `${label}: heap after the failure`).toEqual(heapBytes(reached));
        continue;
      }
      expect.soft(error, `${label}: the live data fits`).toBeUndefined();
      const result = run.result as OursResult;
      const v8 = runV8(c);
      expect.soft(result.state, label).toEqual(v8.state);
      expect.soft(result.identity, `${label}: shared objects`).toEqual(v8.identity);
      expect.soft(heapAfter, `${label}: live heap`).toEqual(heapBytes(c.heap.final));
    }
  });

  it('small heaps collect during constant evaluation in most cases', () => {
    const runs = cases.flatMap((c) => {
      const run = smallHeapRun(c, defaultStrategy());
      return run === undefined ? [] : [run];
    });
    const collecting = runs.filter((r) => r.collections > 0).length;
    expect(runs.length, 'cases that allocate').toBeGreaterThan(cases.length / 2);
    expect(collecting / runs.length, `${collecting} of ${runs.length} small-heap runs collected`).toBeGreaterThanOrEqual(
      MIN_COLLECTING_SHARE,
    );
    expect(runs.filter((r) => r.expectOutOfMemory).length, 'runs out of memory').toBeGreaterThan(0);
    expect(runs.filter((r) => !r.expectOutOfMemory && r.collections > 0).length, 'runs that collect and fit').toBeGreaterThan(
      runs.length / 4,
    );
  });
});

describe('a failed instantiation', () => {
  // The first global's allocation fails, before the module's own tables are allocated:
  // releasing the instance must release its tables, not take the imported one for them.
  const compiled = compile(
    assembleWat(`(module
      (type $s (struct (field i64)))
      (import "${IMPORT_MODULE}" "t" (table 1 externref))
      (global (ref $s) (struct.new_default $s))
      (table 1 (ref null $s)))`),
  );

  const named = strategies.map((s) => [s.name, s] as const);
  it.each(named)('%s: leaves an imported table and what it holds as they were', (_, strategy) => {
    // Room for the host object only: the struct does not fit, even after a collection.
    const store = new Store({ gc: { capacityBytes: HOST_BYTES } });
    const table = store.createTable({ addressType: 'i32', limits: { min: 1 }, element: EXTERNREF });
    const host = store.heap.allocateHost('kept');
    store.heap.writeBarrier(table.elements[0], host);
    table.elements[0] = host;
    const resolve = (module: string, name: string): Extern | undefined =>
      module === IMPORT_MODULE && name === 't' ? table : undefined;
    expect(() => instantiate(store, compiled, resolve, { strategy })).toThrow(
      UNROOTED.has(strategy.name) ? GcNotAllowed : GcHeapOutOfMemory,
    );
    store.heap.collect();
    expect(table.elements[0], "the imported table's element").toBe(host);
    expect(store.heap.isLive(host), 'the host object').toBe(true);
    expect(store.heap.refCount(host), 'its count').toBe(1);
    expect(store.heap.stats().liveObjects, 'objects in the heap').toBe(1);
  });
});

// ---- V8 ----------------------------------------------------------------------------------

const v8Results = new Map<number, V8Observation>();

function runV8(c: GcCase): V8Observation {
  const cached = v8Results.get(c.seed);
  if (cached !== undefined) return cached;
  const host: Record<string, unknown> = {};
  for (const spec of c.imports) {
    if (spec.kind === 'global') {
      // The JS API makes a number in i31 range given for an anyref an i31ref.
      const value = spec.type === 'anyref' && spec.value !== null ? spec.value.i31 : spec.value;
      host[spec.name] = new v8Wasm.Global({ value: spec.type }, value);
    } else {
      const table = new v8Wasm.Table({ element: 'externref', initial: spec.elements.length }, null);
      spec.elements.forEach((v, i) => table.set(i, v));
      host[spec.name] = table;
    }
  }
  const result = observeInV8(compiledCase(c).module, { [IMPORT_MODULE]: host });
  v8Results.set(c.seed, result);
  return result;
}

// ---- Our runtime ---------------------------------------------------------------------------

const compiledCases = new Map<number, { readonly module: CompiledModule; readonly copy: CompiledModule }>();

/** The case's module and its observable copy, compiled. */
function compiledCase(c: GcCase): { readonly module: CompiledModule; readonly copy: CompiledModule } {
  let compiled = compiledCases.get(c.seed);
  if (compiled === undefined) {
    const module = compile(c.bytes);
    compiled = { module, copy: compile(observableCopy(module).bytes) };
    compiledCases.set(c.seed, compiled);
  }
  return compiled;
}

/** Makes the case's imports in `store`: one host object per non-null host value. */
function caseImports(c: GcCase, store: Store): ImportResolver {
  const externs = new Map<string, Extern>();
  for (const spec of c.imports) {
    if (spec.kind === 'global') {
      const type = spec.type === 'i32' ? 'i32' : spec.type === 'anyref' ? ANYREF : EXTERNREF;
      const global = store.createGlobal({ type, mutable: false });
      const json = spec.type === 'externref' && spec.value !== null ? { extern: spec.value } : spec.value;
      writeGlobalValue(store, global, json);
      externs.set(spec.name, global);
    } else {
      const table = store.createTable({ addressType: 'i32', limits: { min: spec.elements.length }, element: EXTERNREF });
      spec.elements.forEach((value, i) => {
        if (value === null) return;
        const raw = store.heap.allocateHost(value);
        store.heap.writeBarrier(table.elements[i], raw);
        table.elements[i] = raw;
      });
      externs.set(spec.name, table);
    }
  }
  return (module, name) => (module === IMPORT_MODULE ? externs.get(name) : undefined);
}

/** Makes the imports in `store`, then `garbage` unrooted host objects, and instantiates the observable copy. */
function runOurs(
  c: GcCase,
  store: Store,
  strategy: Strategy,
  garbage = 0,
): OursResult & { collections: number; allocations: number } {
  const resolve = caseImports(c, store);
  for (let i = 0; i < garbage; i++) store.heap.allocateHost(GARBAGE);
  const before = store.heap.stats().collections;
  const instance = instantiate(store, compiledCase(c).copy, resolve, { strategy });
  return {
    state: observedState(describeInstance(instance)),
    identity: ourIdentity(instance),
    collections: store.heap.stats().collections - before,
    allocations: instance.counters.gcAllocations,
  };
}

/** The module's own exports in a state of its observable copy. */
function ownExports(state: InstanceState): InstanceState {
  return { exports: Object.fromEntries(Object.entries(state.exports).filter(([name]) => !name.startsWith(OBSERVE_PREFIX))) };
}

/**
 * Object identity of an instance of the observable copy as `observeInV8` reports it:
 * exports by their observed names, values in the order they are described, each struct
 * or array as the position it was first met.
 */
function ourIdentity(instance: Instance): number[] {
  const heap = instance.store.heap;
  const identity: number[] = [];
  const first = new Map<number, number>();
  const visit = (type: StorageType<AnyHeapType>, value: Value, path: Set<number>): void => {
    if (typeof type === 'string') return;
    const family = heapFamily(type.heap);
    const raw = value as RefWord;
    if ((family !== 'any' && family !== 'extern') || !isHeapRef(raw) || heap.kind(raw) === 'host') return;
    const seen = first.get(raw);
    if (seen === undefined) first.set(raw, identity.length);
    identity.push(seen ?? identity.length);
    if (path.has(raw)) return;
    path.add(raw);
    const composite = canonicalType(heap.typeId(raw)).composite;
    const fields = heap.fields(raw);
    if (composite.kind === 'struct') composite.fields.forEach((f, i) => visit(f.storage, fields[i], path));
    else if (composite.kind === 'array') for (const v of fields) visit(composite.element.storage, v, path);
    path.delete(raw);
  };
  const exports = [...instance.exports]
    .flatMap(([name, extern]) => {
      const observed = observedName(name);
      return observed === undefined ? [] : [{ observed, extern }];
    })
    .sort((a, b) => compareExportNames(a.observed, b.observed));
  for (const { extern } of exports) {
    if (extern.kind === 'global') {
      visit(extern.type.type, readSlot(extern.cells, extern.slot, extern.type.type), new Set());
    } else if (extern.kind === 'table') {
      for (let i = 0; i < extern.size; i++) visit(extern.type.element, extern.elements[i], new Set());
    }
  }
  return identity;
}

/** Bytes and objects the heap accounts for a count of the generator's heap model. */
function heapBytes({ objects, payloadBytes, hostObjects }: HeapCount): { bytes: number; objects: number } {
  return {
    bytes: objects * OBJECT_HEADER_BYTES + payloadBytes + hostObjects * HOST_BYTES,
    objects: objects + hostObjects,
  };
}

const smallHeapRuns = new Map<string, SmallHeapRun | undefined>();

/**
 * Instantiates in a store whose heap fills up during constant evaluation; `undefined`
 * for a case that allocates nothing. The capacity is chosen around the peak the model
 * needs (exactly it, one byte short, well short, a little or twice more), and garbage
 * fills the heap so that a chosen allocation finds it full.
 */
function smallHeapRun(c: GcCase, strategy: Strategy): SmallHeapRun | undefined {
  const key = `${c.seed} ${strategy.name}`;
  if (smallHeapRuns.has(key)) return smallHeapRuns.get(key);
  const allocations = c.heap.allocations;
  if (allocations.length === 0) {
    smallHeapRuns.set(key, undefined);
    return undefined;
  }
  const base = c.heap.hostObjects * HOST_BYTES;
  const needs = allocations.map((a) => heapBytes(a.live).bytes + OBJECT_HEADER_BYTES + a.payloadBytes);
  const peak = Math.max(...needs);
  const choices = [peak, peak - 1, base + Math.floor((peak - base) * 0.6), peak + 40, peak * 2, peak + 3 * HOST_BYTES];
  const capacity = Math.max(base, choices[c.seed % choices.length]);
  const firstFailing = needs.findIndex((need) => need > capacity);
  const expectOutOfMemory = firstFailing >= 0;
  // Garbage so that allocation `k` overflows the heap: the first collection comes there.
  const k = (c.seed * 7919) % needs.length;
  const room = Math.floor((capacity - base) / HOST_BYTES);
  const garbage = Math.min(room, Math.max(0, Math.ceil((capacity - needs[k] + 1) / HOST_BYTES)));
  const store = new Store({ gc: { capacityBytes: capacity } });
  let result: SmallHeapRun['result'];
  let collections = 0;
  try {
    const ours = runOurs(c, store, strategy, garbage);
    collections = ours.collections;
    result = { state: ours.state, identity: ours.identity };
  } catch (error) {
    collections = store.heap.stats().collections;
    result = { error };
  }
  store.heap.collect();
  const stats = store.heap.stats();
  const run: SmallHeapRun = {
    capacity,
    garbage,
    expectOutOfMemory,
    firstFailing,
    collections,
    result,
    liveBytesAfter: stats.liveBytes,
    liveObjectsAfter: stats.liveObjects,
  };
  smallHeapRuns.set(key, run);
  return run;
}
