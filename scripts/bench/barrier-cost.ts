// What a write barrier costs: the embedder's table.set on an externref table (counted
// references: increment the new value, release the old one) next to the same call on a
// funcref table (no barrier) and a bare typed-array store. Run: npm run bench:barrier
import { Bench } from 'tinybench';
import { withRootScope } from '../../runtime/gc/root-scope.ts';
import { funcRef } from '../../runtime/gc/raw-ref.ts';
import { Store } from '../../runtime/instance/store.ts';
import { tableSet } from '../../runtime/embedder/table-api.ts';
import { formatDuration } from '../format.ts';

const SLOTS = 1024;
const store = new Store();
const externs = store.createTable({ addressType: 'i32', limits: { min: SLOTS }, element: { nullable: true, heap: 'extern' } });
const funcs = store.createTable({ addressType: 'i32', limits: { min: SLOTS }, element: { nullable: true, heap: 'func' } });
const plain = new Uint32Array(SLOTS);

withRootScope(store, (scope) => {
  const values = [scope.hostRef('a'), scope.hostRef('b')];
  const func = scope.root(funcRef(0), false);
  // One sample is a pass over every slot, so the timer's own cost (tens of ns) is spread
  // over SLOTS writes; alternating values makes every write replace a different object.
  let pass = 0;
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add('table.set externref (barrier)', () => {
      pass++;
      for (let i = 0; i < SLOTS; i++) tableSet(scope, externs, i, values[(i + pass) & 1]);
    })
    .add('table.set funcref (no barrier)', () => {
      for (let i = 0; i < SLOTS; i++) tableSet(scope, funcs, i, func);
    })
    .add('Uint32Array store', () => {
      pass++;
      for (let i = 0; i < SLOTS; i++) plain[i] = i + pass;
    });
  for (const task of bench.runSync()) {
    if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
    const { p50, mean, rme } = task.result.latency;
    const perWrite = (ms: number) => formatDuration((ms * 1e6) / SLOTS);
    process.stdout.write(`${task.name.padEnd(32)} ${perWrite(p50)} per write (median; mean ${perWrite(mean)} ±${rme.toFixed(1)}%)\n`);
  }
});
