// What `instlab bench` measures for one workload: each strategy's compile phase (decode,
// validate, and the strategy's per-module preparation) and instantiate phase, next to
// two reference rows measured the same way: `v8` (Node's WebAssembly.Module /
// WebAssembly.Instance on the same bytes) and `floor` (allocating the final state's
// storage and copying a ready image into it). Making the imports is the embedder's work
// and stays outside the measurement on both sides: V8 gets a ready imports object, ours
// a fresh store with its imports made before each sample.
import { compile, type CompiledModule } from '../../runtime/module/compile.ts';
import { instantiate } from '../../runtime/instance/instantiate.ts';
import type { Instance } from '../../runtime/instance/instance.ts';
import { withoutStartSection } from '../../runtime/v8/observable-copy.ts';
import { Store, type ImportResolver } from '../../runtime/instance/store.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { defaultStrategy, strategyByName } from '../../variants/registry.ts';
import { resolveWorkloadImports } from '../../workloads/imports.ts';
import type { Workload } from '../../workloads/registry.ts';
import { v8Imports } from '../../workloads/v8-state.ts';
import type { Phase } from '../results-file.ts';

export interface BenchRow {
  readonly strategy: string;
  readonly phase: Phase;
  /** Runs before each sample, unmeasured. */
  readonly setup?: () => void;
  readonly run: () => unknown;
}

export function benchRows(workload: Workload, bytes: Uint8Array, strategies: readonly string[]): BenchRow[] {
  const compiled = compile(bytes);
  const capacityBytes = workload.gcHeapBytes;
  const rows: BenchRow[] = [];
  for (const name of strategies) {
    const strategy = strategyByName(name)!;
    rows.push({ strategy: name, phase: 'compile', run: () => strategy.prepare(compile(bytes)) });
    let store = new Store();
    let resolve: ImportResolver = () => undefined;
    rows.push({
      strategy: name,
      phase: 'instantiate',
      setup: () => {
        store = new Store({ gc: { capacityBytes } });
        resolve = resolveWorkloadImports(store, compiled, workload.imports);
      },
      run: () => instantiate(store, compiled, resolve, { strategy, skipStart: true }),
    });
  }
  // V8 would run a start function; ours does not, so V8 measures the module without it.
  const v8Bytes = compiled.module.start === undefined ? bytes : withoutStartSection(bytes);
  const v8Module = new v8Wasm.Module(v8Bytes);
  const imports = v8Imports(compiled, workload.imports);
  rows.push({ strategy: 'v8', phase: 'compile', run: () => new v8Wasm.Module(v8Bytes) });
  rows.push({ strategy: 'v8', phase: 'instantiate', run: () => new v8Wasm.Instance(v8Module, imports) });
  rows.push({ strategy: 'floor', phase: 'instantiate', run: floorOf(workload, compiled) });
  return rows;
}

/**
 * The floor: the least any strategy could do. The final state of an instance, taken
 * once, is copied into freshly allocated storage of the same sizes: globals and tables
 * whole, memories as the span that holds non-zero bytes (allocation zeroes the rest).
 * Imported tables and memories are the embedder's, made before instantiation, and are
 * left out as they are from the other rows.
 */
function floorOf(workload: Workload, compiled: CompiledModule): () => unknown {
  const store = new Store({ gc: { capacityBytes: workload.gcHeapBytes } });
  const instance: Instance = instantiate(store, compiled, resolveWorkloadImports(store, compiled, workload.imports), {
    skipStart: true,
    strategy: defaultStrategy(),
  });
  const globals = instance.globalCells.bytes;
  const { importedTables, importedMemories } = compiled.info;
  const tables = instance.tables.slice(importedTables).map((t) => t.elements.slice(0, t.size));
  const memories = instance.memories.slice(importedMemories).map((m) => {
    const bytes = m.bytes;
    let low = 0;
    let high = bytes.length;
    while (low < high && bytes[low] === 0) low++;
    while (high > low && bytes[high - 1] === 0) high--;
    return { size: bytes.length, offset: low, span: bytes.slice(low, high) };
  });
  return () => {
    const state: unknown[] = [globals.buffer.slice(0)];
    for (const table of tables) state.push(table.slice());
    for (const { size, offset, span } of memories) {
      const memory = new Uint8Array(size);
      memory.set(span, offset);
      state.push(memory);
    }
    return state;
  };
}
