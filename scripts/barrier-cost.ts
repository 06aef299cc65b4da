// What a write barrier costs: the embedder's table.set on an externref table (counted
// references: increment the new value, release the old one) next to the same call on a
// funcref table (no barrier) and a bare typed-array store. Run: npm run bench:barrier
import { Bench } from 'tinybench';
import { withRootScope } from '../runtime/root-scope.ts';
import { Store } from '../runtime/store.ts';
import { tableSet } from '../runtime/table-api.ts';
import { formatDuration } from './format.ts';

const SLOTS = 1024;
const store = new Store();
const externs = store.createTable({ addressType: 'i32', limits: { min: SLOTS }, element: { nullable: true, heap: 'extern' } });
const funcs = store.createTable({ addressType: 'i32', limits: { min: SLOTS }, element: { nullable: true, heap: 'func' } });
const plain = new Uint32Array(SLOTS);

withRootScope(store, (scope) => {
  const values = [scope.hostRef('a'), scope.hostRef('b')];
  const func = scope.root(2);
  let i = 0;
  const bench = new Bench({ time: 500, warmupTime: 100 });
  bench
    .add('table.set externref (barrier)', () => {
      tableSet(scope, externs, i++ & (SLOTS - 1), values[i & 1]);
    })
    .add('table.set funcref (no barrier)', () => {
      tableSet(scope, funcs, i++ & (SLOTS - 1), func);
    })
    .add('Uint32Array store', () => {
      plain[i++ & (SLOTS - 1)] = i;
    });
  for (const task of bench.runSync()) {
    if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
    const { p50, mean, rme } = task.result.latency;
    process.stdout.write(`${task.name.padEnd(32)} median ${formatDuration(p50 * 1e6)}  mean ${formatDuration(mean * 1e6)} ±${rme.toFixed(1)}%\n`);
  }
});
