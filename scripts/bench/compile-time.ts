// Compile time of each real-world module: this runtime's compile() with and without
// function-body validation, next to V8's `new WebAssembly.Module`. The three are run in
// turn, so that load from elsewhere on the machine falls on all of them alike; medians
// after two warm-up rounds. Not part of the test suite.
//   npx node scripts/bench/compile-time.ts [rounds]
import { readFileSync } from 'node:fs';
import { compile } from '../../runtime/module/compile.ts';
import { concatBytes, name, section } from '../../runtime/binary/wasm-bytes.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { NPM_MODULES, npmModuleFile } from '../../workloads/real-world.ts';
import { median } from '../statistics.ts';

const rounds = Number(process.argv[2] ?? 11);
const WARM_UP = 2;


function timed(action: () => void): number {
  const start = performance.now();
  action();
  return performance.now() - start;
}

const rows: string[] = ['module                 bytes        no bodies   validated   V8          validated/V8'];
for (const npm of NPM_MODULES) {
  const bytes = new Uint8Array(readFileSync(npmModuleFile(npm)));
  // V8 caches modules by their bytes: each round gets a custom section of its own.
  const copies = Array.from({ length: rounds + WARM_UP }, (_, i) => concatBytes([bytes, section(0, name(`round ${i} ${Math.random()}`))]));
  const times = { decodeOnly: [] as number[], validated: [] as number[], v8: [] as number[] };
  for (let round = 0; round < rounds + WARM_UP; round++) {
    const decodeOnly = timed(() => compile(bytes, undefined, { validateBodies: false }));
    const validated = timed(() => compile(bytes));
    const v8 = timed(() => new v8Wasm.Module(copies[round]));
    if (round < WARM_UP) continue;
    times.decodeOnly.push(decodeOnly);
    times.validated.push(validated);
    times.v8.push(v8);
  }
  const [decodeOnly, validated, v8] = [median(times.decodeOnly), median(times.validated), median(times.v8)];
  const ms = (t: number): string => `${t.toFixed(1)} ms`.padEnd(12);
  rows.push(`${npm.package.padEnd(22)} ${String(bytes.length).padEnd(12)} ${ms(decodeOnly)}${ms(validated)}${ms(v8)}${(validated / v8).toFixed(2)}×`);
}
process.stdout.write(rows.join('\n') + '\n');
