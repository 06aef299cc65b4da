// Every workload instantiates under our runtime, with every strategy, and leaves the
// state V8 leaves: V8 and our runtime both instantiate the workload's observable copy
// (every global, table and memory exported; GC values read through probes; see
// runtime/observable-copy.ts), and the workload's own bytes must give its own exports the
// same state.
import { describe, expect, it } from 'vitest';
import { compile, type CompiledModule } from '../runtime/module/compile.ts';
import { StartFunctionError } from '../runtime/errors.ts';
import { describeInstance, type InstanceState } from '../runtime/embedder/instance-state.ts';
import { instantiate } from '../runtime/instance/instantiate.ts';
import { OBSERVE_PREFIX, observedState } from '../runtime/v8/observable-copy.ts';
import { Store } from '../runtime/instance/store.ts';
import { defaultStrategy, strategies, strategyByName } from '../variants/registry.ts';
import { resolveWorkloadImports } from './imports.ts';
import { findWorkload, GC_SCALES, WORKLOADS, type Workload } from './registry.ts';
import { describeWithV8 } from './v8-state.ts';
import { workloadBytes } from './workload-bytes.ts';

function storeFor(workload: Workload): Store {
  return new Store(workload.gcHeapBytes === undefined ? {} : { gc: { capacityBytes: workload.gcHeapBytes } });
}

function ownExports(state: InstanceState): InstanceState {
  return { exports: Object.fromEntries(Object.entries(state.exports).filter(([name]) => !name.startsWith(OBSERVE_PREFIX))) };
}

interface Observed {
  readonly compiled: CompiledModule;
  readonly copy: CompiledModule;
  readonly v8: InstanceState;
}

/** The workload whose tests are running, its observable copy and V8's state of it. */
let observed: { readonly name: string; readonly result: Promise<Observed> } | undefined;

function observe(workload: Workload): Promise<Observed> {
  if (observed?.name !== workload.name) {
    const result = workloadBytes(workload).then((bytes) => {
      const compiled = compile(bytes);
      const { state, copy } = describeWithV8(compiled, workload.imports);
      return { compiled, copy: compile(copy.bytes), v8: state };
    });
    observed = { name: workload.name, result };
  }
  return observed.result;
}

describe.each(WORKLOADS.map((w) => [w.name, w] as const))('%s', (_, workload) => {
  it('instantiates as benchmarked, with the state V8 gives its exports', async () => {
    const { compiled, v8 } = await observe(workload);
    const { info } = compiled;
    const observedExports = Object.keys(v8.exports).filter((name) => name.startsWith(OBSERVE_PREFIX));
    expect(observedExports).toHaveLength(info.globals.length + info.tables.length + info.memories.length);
    // The workload's own bytes: no probes, and its start function (if any) not run.
    const store = storeFor(workload);
    const skipStart = compiled.module.start !== undefined;
    const instance = instantiate(store, compiled, resolveWorkloadImports(store, compiled, workload.imports), {
      skipStart,
      strategy: defaultStrategy(),
    });
    expect(describeInstance(instance)).toEqual(ownExports(v8));
  });

  it.each(strategies.map((s) => [s.name, s] as const))('leaves the state V8 leaves, with strategy %s', async (__, strategy) => {
    const { copy, v8 } = await observe(workload);
    const store = storeFor(workload);
    const resolve = resolveWorkloadImports(store, copy, workload.imports);
    // Every strategy, raw included, instantiates every workload: a workload that sets a
    // small heap makes val collect, and raw gets through it without needing a collection.
    const state: InstanceState = observedState(describeInstance(instantiate(store, copy, resolve, { strategy })));
    expect(state).toEqual(v8);
  });
});

describe('workloads with special handling', () => {
  it.each(GC_SCALES.map((n) => [`gc-pressure/${n}`]))('%s makes val collect during const eval', async (name) => {
    const workload = findWorkload(name)!;
    const compiled = compile(await workloadBytes(workload));
    const store = storeFor(workload);
    const strategy = strategyByName('val')!;
    instantiate(store, compiled, resolveWorkloadImports(store, compiled, workload.imports), { strategy });
    const stats = store.heap.stats();
    expect(stats.collections).toBeGreaterThan(0);
    expect(stats.liveBytes).toBeLessThanOrEqual(workload.gcHeapBytes!);
  });

  it('web-tree-sitter has a start function: refused unless skipped, and absent from the copy V8 runs', async () => {
    const workload = findWorkload('real-world/web-tree-sitter')!;
    const compiled = compile(await workloadBytes(workload));
    expect(compiled.module.start).toBeDefined();
    const store = new Store();
    expect(() => instantiate(store, compiled, resolveWorkloadImports(store, compiled, workload.imports), { strategy: defaultStrategy() })).toThrow(StartFunctionError);
    expect(describeWithV8(compiled, workload.imports).copy.startRemoved).toBe(true);
  });

  it('imports-globals computes from the given imported values', async () => {
    const workload = findWorkload('imports-globals/10')!;
    const compiled = compile(await workloadBytes(workload));
    const { state } = describeWithV8(compiled, workload.imports);
    const given = workload.imports.kind === 'given' ? workload.imports.imports.env : {};
    // Globals 0 and 1 are the first two imports: the given values, not stub zeros.
    expect(given.g0.value).not.toBe(0);
    expect(state.exports[`${OBSERVE_PREFIX}global:0`]).toMatchObject({ value: given.g0.value });
    expect(state.exports[`${OBSERVE_PREFIX}global:1`]).toMatchObject({ value: given.g1.value });
  });
});
