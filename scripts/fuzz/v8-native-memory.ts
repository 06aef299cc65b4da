// `npm run fuzz:v8-memory -- [INSTANCES]` (default 1,000,000): how much native memory
// V8 keeps in a process that compiles and instantiates many modules, with none of this
// project's code involved. Each module is the same 42–44-byte one (a function import,
// re-exported) with a custom section that makes its bytes unique, so that V8 compiles
// each anew as it does the fuzzer's mutants. Prints RSS and the JavaScript heap after a
// full collection, ten times over the loop. This is why the fuzzer hands over to a new
// child every `--child-mutants` mutants (fuzz.ts).
import { name, section, SECTION, uleb, wasmModule } from '../../runtime/binary/wasm-bytes.ts';
import { BadInput, wholeNumber } from '../bad-input.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';

const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) {
  process.stderr.write('v8-native-memory: run with node --expose-gc\n');
  process.exit(2);
}
let count: number;
try {
  count = wholeNumber('INSTANCES', process.argv[2], 1_000_000, 10, Number.MAX_SAFE_INTEGER);
} catch (error) {
  if (!(error instanceof BadInput)) throw error;
  process.stderr.write(`v8-native-memory: ${error.message}\n`);
  process.exit(2);
}

function module(index: number): Uint8Array {
  return wasmModule(
    section(SECTION.type, [1, 0x60, 2, 0x7f, 0x7f, 0]), // type 0: (func (param i32 i32))
    section(SECTION.import, [1], name('m'), name('f'), [0x00, 0]), // (import "m" "f" (func (type 0)))
    section(SECTION.export, [1], name('f'), [0x00, 0]), // (export "f" (func 0))
    section(0, name('unique'), uleb(index)),
  );
}

const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;
const imports = { m: { f: () => {} } };
for (let i = 0; i <= count; i++) {
  new v8Wasm.Instance(new v8Wasm.Module(module(i)), imports);
  if (i % Math.floor(count / 10) === 0) {
    collect();
    const { rss, heapUsed } = process.memoryUsage();
    process.stdout.write(`${i.toLocaleString('en-US').padStart(11)} instances: RSS ${mb(rss)}, JavaScript heap ${mb(heapUsed)}\n`);
  }
}
