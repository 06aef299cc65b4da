// Repeated instantiation with and without a memory pool (runtime/instance/memory-pool.ts),
// for the workloads that have memories: `fresh` allocates every memory (a resizable
// buffer from 2 MiB, store.ts) and leaves the old instance to V8's collector; `pooled`
// releases the previous instance first (its memories go back zeroed where written, timed
// apart as `release`) and takes the memory from the pool. Rounds of the two alternate, so
// both see the same machine state. Run: npm run bench:memory-pool [-- GLOB ...]
import { compile } from '../../runtime/module/compile.ts';
import { instantiate } from '../../runtime/instance/instantiate.ts';
import { MemoryPool } from '../../runtime/instance/memory-pool.ts';
import { releaseInstance } from '../../runtime/instance/release-instance.ts';
import { Store } from '../../runtime/instance/store.ts';
import type { Instance } from '../../runtime/instance/instance.ts';
import { strategies } from '../../variants/registry.ts';
import { moduleBytes, moduleImports, selectWorkloads, type BenchModule } from './bench-modules.ts';
import { gc } from './warm-up.ts';
import { formatDuration } from '../format.ts';
import { median } from '../statistics.ts';

const ROUNDS = 15;
const CALLS_PER_ROUND = 20;

interface Side {
  readonly instantiate: number[];
  readonly release: number[];
}

function measure(module: BenchModule, compiled: ReturnType<typeof compile>, strategy: (typeof strategies)[number]): { fresh: Side; pooled: Side } {
  const pool = new MemoryPool();
  const fresh: Side = { instantiate: [], release: [] };
  const pooled: Side = { instantiate: [], release: [] };
  let previous: Instance | undefined;
  const once = (side: Side, usePool: boolean): void => {
    if (usePool && previous !== undefined) {
      const start = performance.now();
      releaseInstance(previous);
      side.release.push(performance.now() - start);
    }
    const store = new Store({ gc: { capacityBytes: module.gcHeapBytes }, ...(usePool ? { memoryPool: pool } : {}) });
    const resolve = moduleImports(store, compiled, module);
    const start = performance.now();
    const instance = instantiate(store, compiled, resolve, { strategy, skipStart: true });
    side.instantiate.push(performance.now() - start);
    previous = usePool ? instance : undefined;
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const usePool of round % 2 === 0 ? [false, true] : [true, false]) {
      gc?.();
      previous = undefined;
      for (let i = 0; i < CALLS_PER_ROUND; i++) once(usePool ? pooled : fresh, usePool);
      if (previous !== undefined) releaseInstance(previous);
    }
  }
  // The first round of each side warms the JIT and fills the pool; its first call has no
  // instance to release, so that round has one release fewer.
  return {
    fresh: { instantiate: fresh.instantiate.slice(CALLS_PER_ROUND), release: [] },
    pooled: { instantiate: pooled.instantiate.slice(CALLS_PER_ROUND), release: pooled.release.slice(CALLS_PER_ROUND - 1) },
  };
}

async function main(globs: readonly string[]): Promise<void> {
  const modules = selectWorkloads(globs.length > 0 ? globs : ['real-world/*', 'data-segments/10000'], []);
  process.stdout.write(`${'workload'.padEnd(28)} ${'strategy'.padEnd(10)} ${'fresh'.padStart(10)} ${'pooled'.padStart(10)} ${'release'.padStart(10)}  pooled/fresh\n`);
  for (const module of modules) {
    const compiled = compile(await moduleBytes(module));
    if (compiled.module.memories.length === 0) continue;
    for (const strategy of strategies) {
      const { fresh, pooled } = measure(module, compiled, strategy);
      const f = median(fresh.instantiate);
      const p = median(pooled.instantiate);
      const r = median(pooled.release);
      const cells = [f, p, r].map((ms) => formatDuration(ms * 1e6).padStart(10));
      process.stdout.write(`${module.name.padEnd(28)} ${strategy.name.padEnd(10)} ${cells.join(' ')}  ${(p / f).toFixed(2)}× (+${((r / f) * 100).toFixed(0)}% to release)\n`);
    }
  }
}

await main(process.argv.slice(2));
