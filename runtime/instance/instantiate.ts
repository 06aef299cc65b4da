// Instantiation in the spec's order (https://webassembly.github.io/spec/core/exec/modules.html):
// link imports, allocate, initialize globals, tables, element and data segments, then the
// start function. Each step is one function; the initialization steps are the part that
// strategies (variants/) compute in different ways.
import type { CompiledModule } from '../module/compile.ts';
import { StartFunctionError } from '../errors.ts';
import { Instance } from './instance.ts';
import { resolveImports } from './link.ts';
import { releaseInstance } from './release-instance.ts';
import type { ImportResolver, Store } from './store.ts';
import { allocateFunctions, allocateMemories, allocateTables, allocateTags, bindImports } from './allocate.ts';
import { initializerFor, type Strategy } from './initializer.ts';

export interface InstantiateOptions {
  /**
   * Instantiate a module that has a start function without running it. This runtime
   * does not execute code, so without this option such a module is refused with a
   * `StartFunctionError` at the start step, after everything before it was done.
   */
  readonly skipStart?: boolean;
  /**
   * How the initialization steps are computed. The engine knows no strategy of its own:
   * the caller picks one (variants/registry.ts names them and says which is the default).
   */
  readonly strategy: Strategy;
}

export function instantiate(
  store: Store,
  compiled: CompiledModule,
  resolveImport: ImportResolver,
  options: InstantiateOptions,
): Instance {
  const { module } = compiled;
  const initializer = initializerFor(options.strategy, compiled);
  const externs = resolveImports(compiled, resolveImport);
  const instance = new Instance(store, compiled);
  bindImports(instance, externs);
  allocateFunctions(instance);
  allocateTags(instance);
  const heap = store.heap;
  const allocations = heap.allocationCount;
  const collections = heap.collectionCount;
  const barriers = heap.barrierCount;
  // Encloses every scope an evaluation opens, so that an error cut short anywhere is
  // unwound in one step; it holds no roots of its own and closes on success too.
  const scope = heap.enterScope();
  try {
    initializer.initializeGlobals(instance);
    allocateTables(instance);
    initializer.initializeTables(instance);
    allocateMemories(instance);
    initializer.initializeElementSegments(instance);
    initializer.initializeDataSegments(instance);
    if (module.start !== undefined && options.skipStart !== true) {
      throw new StartFunctionError(module.start);
    }
    instance.counters.gcAllocations = heap.allocationCount - allocations;
    instance.counters.collections = heap.collectionCount - collections;
    instance.counters.barriers = heap.barrierCount - barriers;
    heap.exitScope(scope);
    return instance;
  } catch (error) {
    // A trap or an out-of-memory error leaves no instance behind: release what it held,
    // including roots of an evaluation cut short, so the store stays usable.
    heap.exitScope(scope);
    releaseInstance(instance);
    throw error;
  }
}
