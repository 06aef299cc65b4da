// Compile time of each real-world module: this runtime's compile() without body
// validation, with it on one thread, and with it on the main thread and its helper
// threads (parallel-bodies.ts), next to V8's `new WebAssembly.Module`, with the CPU time
// the process spent on each (every thread's: V8 validates and compiles on background
// threads too). The four are run in turn, so that load from elsewhere on the machine
// falls on all of them alike; medians after two warm-up rounds. Not part of the tests.
//   npx node scripts/bench/compile-time.ts [rounds]
import { readFileSync } from 'node:fs';
import { compile } from '../../runtime/module/compile.ts';
import { concatBytes, name, section } from '../../runtime/binary/wasm-bytes.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { helpersReady } from '../../runtime/validation/parallel-bodies.ts';
import { NPM_MODULES, npmModuleFile } from '../../workloads/real-world.ts';
import { median } from '../statistics.ts';

const rounds = Number(process.argv[2] ?? 11);
const WARM_UP = 2;

/** Wall and CPU milliseconds of one call. */
function timed(action: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  action();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

const helpers = await helpersReady();
const columns = ['no bodies', '1 thread', `+${helpers} helper${helpers === 1 ? '' : 's'}`, 'V8'];
const ms = (t: number): string => (t < 10 ? `${t.toFixed(2)} ms` : `${t.toFixed(1)} ms`);
const rows: string[] = [
  `${'module'.padEnd(18)} ${'bytes'.padStart(10)}  ${columns.map((c) => `${c} (cpu)`.padEnd(22)).join('')}best/V8`,
];
for (const npm of NPM_MODULES) {
  const bytes = new Uint8Array(readFileSync(npmModuleFile(npm)));
  // V8 caches modules by their bytes: each round gets a custom section of its own.
  const copies = Array.from({ length: rounds + WARM_UP }, (_, i) => concatBytes([bytes, section(0, name(`round ${i} ${Math.random()}`))]));
  const runs: (() => void)[] = [
    () => compile(bytes, undefined, { validateBodies: false }),
    () => compile(bytes, undefined, { helperThreads: 0 }),
    () => compile(bytes),
  ];
  const times = columns.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let round = 0; round < rounds + WARM_UP; round++) {
    const t = [...runs.map((run) => timed(run)), timed(() => new v8Wasm.Module(copies[round]))];
    if (round < WARM_UP) continue;
    t.forEach(({ wall, cpu }, i) => {
      times[i].wall.push(wall);
      times[i].cpu.push(cpu);
    });
  }
  const walls = times.map((t) => median(t.wall));
  const cells = times.map((t, i) => `${ms(walls[i])} (${ms(median(t.cpu))})`.padEnd(22));
  const best = Math.min(walls[1], walls[2]);
  rows.push(`${npm.package.padEnd(18)} ${String(bytes.length).padStart(10)}  ${cells.join('')}${(best / walls[3]).toFixed(2)}×`);
}
process.stdout.write(rows.join('\n') + '\n');
