// The versioned entry through which a measuring process loads one revision's engine and
// strategies. `instlab check --against REF` loads REF's copy of this file from a worktree
// beside the current one, and measures both in the same process: whatever the two need
// from each other goes through here, so a later change to the bench cannot silently
// measure an older revision with newer code. Bump the version when this shape changes.
export const WORKER_ENTRY_VERSION = 1;

export { benchRows, MEMORY_HEAVY_BYTES, type BenchRow, type BenchRowOptions, type ModuleRows } from './bench-rows.ts';

/**
 * The options `benchRows` takes since version 1 (an optional fourth argument): a revision
 * that does not list one would ignore it and measure the other side differently.
 */
export const BENCH_ROW_OPTIONS: readonly string[] = ['memoryPool'];
export { moduleBytes, type BenchModule } from './bench-modules.ts';

import type { InstantiationCounters } from '../../runtime/instance/counters.ts';
import { strategyByName } from '../../variants/registry.ts';
import { checkInstantiates, type BenchModule as Module } from './bench-modules.ts';

/** The deterministic counters of one instantiation per strategy, as this revision counts them. */
export function moduleCounters(module: Module, bytes: Uint8Array, strategies: readonly string[]): Record<string, InstantiationCounters> {
  return Object.fromEntries(strategies.map((name) => [name, checkInstantiates(module, bytes, strategyByName(name)!).counters]));
}
