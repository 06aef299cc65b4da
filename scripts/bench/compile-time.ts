// Compile time of each real-world module: this runtime's compile() with and without
// function-body validation, next to V8's `new WebAssembly.Module`. Medians of a few
// runs after a warm-up; not part of the test suite.
//   npx node scripts/bench/compile-time.ts [runs]
import { readFileSync } from 'node:fs';
import { compile } from '../../runtime/module/compile.ts';
import { concatBytes, name, section } from '../../runtime/binary/wasm-bytes.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { NPM_MODULES, npmModuleFile } from '../../workloads/real-world.ts';

const runs = Number(process.argv[2] ?? 7);

function median(action: (run: number) => void): number {
  const times: number[] = [];
  for (let run = -2; run < runs; run++) {
    const start = performance.now();
    action(run);
    const time = performance.now() - start;
    if (run >= 0) times.push(time);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const rows: string[] = ['module                 bytes        no bodies   validated   V8          validated/V8'];
for (const npm of NPM_MODULES) {
  const bytes = new Uint8Array(readFileSync(npmModuleFile(npm)));
  const decodeOnly = median(() => compile(bytes, undefined, { validateBodies: false }));
  const validated = median(() => compile(bytes));
  // V8 caches modules by their bytes: each run gets a custom section of its own.
  const copies = Array.from({ length: runs + 2 }, (_, i) => concatBytes([bytes, section(0, name(`run ${i} ${Math.random()}`))]));
  const v8 = median((run) => new v8Wasm.Module(copies[run + 2]));
  const ms = (t: number): string => `${t.toFixed(1)} ms`.padEnd(12);
  rows.push(`${npm.package.padEnd(22)} ${String(bytes.length).padEnd(12)} ${ms(decodeOnly)}${ms(validated)}${ms(v8)}${(validated / v8).toFixed(2)}×`);
}
process.stdout.write(rows.join('\n') + '\n');
