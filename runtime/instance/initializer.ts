// The seam between the runtime and the strategies (variants/). The runtime links,
// allocates and calls the four initialization steps in the spec's order; a strategy
// decides how each step computes what it writes, never what that is.
import type { CompiledModule } from '../module/compile.ts';
import type { Instance } from './instance.ts';

export interface Initializer {
  /** Evaluates every defined global's initializer, in order, into `instance.globalCells`. */
  initializeGlobals(instance: Instance): void;
  /** Fills each defined table that has an init expression. */
  initializeTables(instance: Instance): void;
  /** Makes the element instances; applies active segments (trapping when out of bounds) and drops declarative ones. */
  initializeElementSegments(instance: Instance): void;
  /** Makes the data instances; applies active segments (trapping when out of bounds). */
  initializeDataSegments(instance: Instance): void;
}

export interface Strategy {
  readonly name: string;
  /** One line, for `instlab strategies`. */
  readonly description: string;
  /** The per-module work, done once per compiled module ("compile time"). */
  prepare(compiled: CompiledModule): Initializer;
}

const prepared = new WeakMap<Strategy, WeakMap<CompiledModule, Initializer>>();

/** The strategy's initializer for `compiled`, prepared on first use and kept with the module. */
export function initializerFor(strategy: Strategy, compiled: CompiledModule): Initializer {
  let byModule = prepared.get(strategy);
  if (byModule === undefined) {
    byModule = new WeakMap();
    prepared.set(strategy, byModule);
  }
  let initializer = byModule.get(compiled);
  if (initializer === undefined) {
    initializer = strategy.prepare(compiled);
    byModule.set(compiled, initializer);
  }
  return initializer;
}
