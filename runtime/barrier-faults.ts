// A test-only switch that removes one write barrier at a time, so each leak test can be
// shown to catch the bug it exists for (the barriers Wasmtime once missed: table.init,
// embedder table.set, table.grow's init value, table.fill; plus global.set and the
// release of everything an instance held). Never set outside tests.
export type Barrier = 'table.set' | 'table.grow' | 'table.fill' | 'table.init' | 'global.set' | 'instance.release';

export const removedBarriers = new Set<Barrier>();

/** True unless a test removed this barrier. */
export function barrierOn(barrier: Barrier): boolean {
  return removedBarriers.size === 0 || !removedBarriers.has(barrier);
}
