// Regression tests for the findings of the robustness issue, one named test each, run
// through the CLI as a user met them: each was a crash, unbounded work, a hang, a wrong
// accept or reject, or a misleading message, and each must now be a clean answer.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile as assemble } from 'watr';
import { name, section, SECTION, sleb, uleb, vector, wasmModule } from '../runtime/binary/wasm-bytes.ts';
import { v8Wasm } from '../runtime/v8/v8-instance-state.ts';

const CLI = fileURLToPath(new URL('cli.ts', import.meta.url));
const BIN = fileURLToPath(new URL('instlab.js', import.meta.url));

function instlab(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'instlab-robust-'));
const write = (file: string, contents: string | Uint8Array): string => {
  const path = join(scratch, file);
  writeFileSync(path, contents);
  return path;
};

/** Exit 2 with one line naming the problem, and no stack trace. */
function expectBadInput(run: ReturnType<typeof instlab>, message: RegExp): void {
  expect(run.signal).toBeNull();
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.status).toBe(2);
}

const importedTable = (min: number | bigint, table64 = false) =>
  wasmModule(section(SECTION.import, [1, ...name('m'), ...name('t'), 1, 0x70, table64 ? 0x04 : 0x00, ...uleb(min)]));

describe('crashes', () => {
  it('an imported funcref table of 2^32-1 elements with --stub-imports is a limit error, not an abort', () => {
    const file = write('table-max.wasm', importedTable(0xffff_ffff));
    expectBadInput(instlab('inspect', file, '--stub-imports'), /ResourceLimitError: .*4294967295 is over the limit tableElements = 10000000/);
  });

  it('an imported table64 of 2^40 elements and an exported one of 100 M are limit errors', () => {
    expectBadInput(instlab('inspect', write('table64.wasm', importedTable(2 ** 40, true)), '--stub-imports'), /tableElements/);
    const exported = wasmModule(section(SECTION.import, [1, ...name('m'), ...name('t'), 1, 0x70, 0, ...uleb(100_000_000)]), section(SECTION.export, [1, ...name('t'), 1, 0]));
    expectBadInput(instlab('inspect', write('table-exported.wasm', exported), '--stub-imports'), /tableElements/);
  });

  it('an imports file with a table of 2^32-1 elements is a limit error naming the import', () => {
    const file = write('table-import.wasm', importedTable(1));
    const imports = write('table-import.json', JSON.stringify({ m: { t: { kind: 'table', size: 0xffff_ffff } } }));
    expectBadInput(instlab('inspect', file, '--imports', imports), /table-import\.json: import "m" "t": .*tableElements/);
  });

  it('an exported memory of 32768 pages (2 GiB) is hashed, as V8 holds it', () => {
    const file = write('memory-2gib.wasm', wasmModule(section(SECTION.memory, [1, 0, ...uleb(32_768)]), section(SECTION.export, [1, ...name('m'), 2, 0])));
    const run = instlab('inspect', file, '--json');
    expect(run.stderr).toBe('');
    const zeros = createHash('sha256');
    const mebibyte = new Uint8Array(1 << 20);
    for (let i = 0; i < 2048; i++) zeros.update(mebibyte);
    expect(JSON.parse(run.stdout).exports.m).toEqual({ kind: 'memory', pages: 32_768, sha256: zeros.digest('hex') });
  });

  it('130,000 exported globals print as text, one line each', () => {
    const n = 130_000;
    const file = write('many-globals.wasm', wasmModule(section(SECTION.global, vector(n, () => [0x7f, 0, 0x41, 0, 0x0b])), section(SECTION.export, vector(n, (i) => [...name(`g${i}`), 3, ...uleb(i)]))));
    const run = instlab('inspect', file);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines[n].trim()).toMatch(/^global g129999 +i32 = 0$/);
  });

  it('a spec script of 200,000 ( is a script error, not a stack overflow', () => {
    expectBadInput(instlab('spec', write('deep.wast', '('.repeat(200_000))), /deep\.wast:1: unclosed parenthesis/);
  });

  it('a spec script nested 200,000 deep and closed is read without recursion', () => {
    const text = `(module ${'('.repeat(200_000)}${')'.repeat(200_000)})`;
    expectBadInput(instlab('spec', write('nested.wast', text)), /nested\.wast:1: /);
  });
});

describe('unbounded work', () => {
  it('a chain of 100,000 struct subtypes is refused at depth 64, as V8 refuses it', () => {
    const chain = wasmModule(section(SECTION.type, vector(100_000, (i) => (i === 0 ? [0x50, 0, 0x5f, 0] : [0x50, 1, ...uleb(i - 1), 0x5f, 0]))));
    expect(v8Wasm.validate(chain)).toBe(false);
    expectBadInput(instlab('inspect', write('chain.wasm', chain)), /type 64: subtyping depth: 64 is over the limit subtypeDepth = 63/);
  });

  it('a global of array.new_default of 60 M i8 is refused by the array element limit', () => {
    const bytes = wasmModule(section(SECTION.type, [1, 0x5e, 0x78, 1]), section(SECTION.global, [1, 0x64, 0, 0, 0x41, ...sleb(60_000_000), 0xfb, 7, 0, 0x0b]));
    expect(bytes.length).toBeLessThan(30);
    expectBadInput(instlab('inspect', write('array.wasm', bytes)), /60000000 is over the limit arrayElements/);
  });

  it('a GC array prints at most 16 elements as text (all of them with --json)', () => {
    const bytes = wasmModule(
      section(SECTION.type, [1, 0x5e, 0x78, 1]),
      section(SECTION.global, [1, 0x64, 0, 0, 0x41, ...sleb(40), 0xfb, 7, 0, 0x0b]),
      section(SECTION.export, [1, ...name('a'), 3, 0]),
    );
    const file = write('array-40.wasm', bytes);
    expect(instlab('inspect', file).stdout).toContain(`{"array":0,"elements":[${Array(16).fill(0).join(',')},"… 24 more"]}`);
    expect(JSON.parse(instlab('inspect', file, '--json').stdout).exports.a.value.elements).toHaveLength(40);
  });

  it('a GC graph reached along 2^40 paths (a 481-byte module) stops at the state value limit', () => {
    // Found by the fuzzer: each global a struct of two references to the one before.
    const globals = ['(global $g0 (ref $s) (struct.new $s (ref.null $s) (ref.null $s)))'];
    for (let i = 1; i <= 40; i++) globals.push(`(global $g${i} (ref $s) (struct.new $s (global.get $g${i - 1}) (global.get $g${i - 1})))`);
    const bytes = assemble(`(module (type $s (struct (field (ref null $s)) (field (ref null $s)))) ${globals.join(' ')} (export "g" (global $g40)))`);
    expectBadInput(instlab('inspect', write('shared-graph.wasm', bytes)), /ResourceLimitError: instance state: more than 1000000 values/);
  });

  it('inspect /dev/zero stops at the module size limit', () => {
    expectBadInput(instlab('inspect', '/dev/zero'), /\/dev\/zero: larger than the moduleBytes limit of 1073741824 bytes/);
  });

  it('an imports file that never ends stops at the JSON size limit', () => {
    expectBadInput(instlab('inspect', write('none.wasm', wasmModule()), '--imports', '/dev/zero'), /\/dev\/zero: larger than the JSON file limit/);
  });
});

describe('hangs', () => {
  it('bench --out under /proc returns with the folder it cannot make', () => {
    expectBadInput(instlab('bench', '--quick', '--workload', 'globals-i32/10', '--out', '/proc/nope/x.json'), /\/proc\/nope\/x\.json: cannot make the folder \/proc\/nope/);
  });

  it.each([['1e20'], ['0x10'], ['0'], ['-1'], ['2.5'], ['many']])('bench --processes %s is refused before any process starts', (value) => {
    const run = instlab('bench', '--quick', '--workload', 'globals-i32/10', '--processes', value);
    expectBadInput(run, new RegExp(`--processes must be a whole number from 1 to 1000, not ${value.replace('.', '\\.')}`));
    expect(run.stderr).not.toContain('process 1 of');
  });
});

describe('wrong accepts', () => {
  it('WAT (global i32 (i32.const)) is a syntax error, not a global of 0', () => {
    expectBadInput(instlab('inspect', write('no-literal.wat', '(module (global i32 (i32.const)))')), /no-literal\.wat:1:31: error: .*expected a numeric literal/);
  });

  const importsModule = write(
    'imports.wat',
    '(module (import "m" "g" (global i32)) (import "m" "mem" (memory 1)) (import "m" "t" (table 1 funcref)))',
  );
  const given = (entry: Record<string, unknown>) => ({ m: { g: { kind: 'global', value: 1 }, mem: { kind: 'memory' }, t: { kind: 'table' }, ...entry } });
  it.each([
    ['an i32 of 1e300', { g: { kind: 'global', value: 1e300 } }, /"m" "g": 1e\+300 is not a value of type i32/],
    ['"mutable": "yes"', { g: { kind: 'global', value: 1, mutable: 'yes' } }, /"m" "g": "mutable" must be true or false, not "yes"/],
    ['pages over maxPages', { mem: { kind: 'memory', pages: 3, maxPages: 2 } }, /"m" "mem": "pages" 3 is over the maximum 2/],
    ['a negative maxPages', { mem: { kind: 'memory', maxPages: -1 } }, /"m" "mem": "maxPages" must be a whole number/],
    ['a fractional maxSize', { t: { kind: 'table', maxSize: 1.5 } }, /"m" "t": "maxSize" must be a whole number from 0 to 4294967295, not 1\.5/],
    ['a misspelt field', { t: { kind: 'table', maxsize: 4 } }, /"m" "t": unknown field "maxsize"/],
    ['an i64 that is not a number', { g: { kind: 'global', type: 'i64', value: '12abc' } }, /"m" "g": /],
  ])('an imports file with %s is refused, naming the import', (_, entry, message) => {
    const file = write('given.json', JSON.stringify(given(entry)));
    expectBadInput(instlab('inspect', importsModule, '--imports', file), message);
  });

  it('the same imports file without the bad value instantiates', () => {
    expect(instlab('inspect', importsModule, '--imports', write('good.json', JSON.stringify(given({})))).status).toBe(0);
  });
});

describe('wrong reject', () => {
  it('one import name for two function types links with --stub-imports, as V8 links it with one JS function', () => {
    const wat = '(module (import "m" "f" (func)) (import "m" "f" (func (param i32))) (export "a" (func 0)) (export "b" (func 1)))';
    const file = write('same-name.wat', wat);
    const run = instlab('inspect', file, '--stub-imports', '--json');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).exports).toEqual({ a: { kind: 'func', index: 0 }, b: { kind: 'func', index: 1 } });
    const bytes = wasmModule(
      section(SECTION.type, [2, 0x60, 0, 0, 0x60, 1, 0x7f, 0]),
      section(SECTION.import, [2, ...name('m'), ...name('f'), 0, 0, ...name('m'), ...name('f'), 0, 1]),
    );
    expect(() => new v8Wasm.Instance(new v8Wasm.Module(bytes), { m: { f: () => {} } })).not.toThrow();
  });

  it('one import name for a function and a global fails to link with --stub-imports, as with any one JS value in V8', () => {
    const file = write('mixed-kinds.wat', '(module (import "m" "f" (func)) (import "m" "f" (global i32)))');
    expectBadInput(instlab('inspect', file, '--stub-imports'), /LinkError: incompatible import type for "m" "f": expected global, got func/);
    const bytes = wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.import, [2, ...name('m'), ...name('f'), 0, 0, ...name('m'), ...name('f'), 3, 0x7f, 0]));
    expect(() => new v8Wasm.Instance(new v8Wasm.Module(bytes), { m: { f: () => {} } })).toThrow(v8Wasm.LinkError as unknown as ErrorConstructor);
  });

  it('one import name for a function and an externref global links with --stub-imports: V8 converts the JS function to an externref', () => {
    // The fuzzer's 149-byte finding (seed 20261207, mutant 30267), in text.
    const file = write('func-then-externref.wat', '(module (import "m" "f" (func)) (import "m" "f" (global externref)) (export "g" (global 0)))');
    const run = instlab('inspect', file, '--stub-imports', '--json');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).exports.g).toMatchObject({ kind: 'global', type: 'externref', mutable: false, value: { extern: expect.anything() } });
    const imports = (global: number[], ...more: number[][]) =>
      wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.import, [2, ...name('m'), ...name('f'), 0, 0, ...name('m'), ...name('f'), 3, ...global]), ...more);
    const f = () => {};
    const instance = new v8Wasm.Instance(new v8Wasm.Module(imports([0x6f, 0], section(SECTION.export, [1, ...name('g'), 3, 0]))), { m: { f } });
    expect((instance.exports.g as { value: unknown }).value).toBe(f);
    // A mutable one needs a WebAssembly.Global, and a funcref one a Wasm function: both refuse, here and in V8.
    for (const [text, global] of [['(mut externref)', [0x6f, 1]], ['funcref', [0x70, 0]]] as const) {
      const refused = write('func-then-global.wat', `(module (import "m" "f" (func)) (import "m" "f" (global ${text})))`);
      expectBadInput(instlab('inspect', refused, '--stub-imports'), /LinkError: incompatible import type for "m" "f": expected global, got func/);
      expect(() => new v8Wasm.Instance(new v8Wasm.Module(imports([...global])), { m: { f } })).toThrow();
    }
  });
});

describe('messages', () => {
  it('--out DIR says it is a folder', () => {
    expectBadInput(instlab('bench', '--quick', '--workload', 'globals-i32/10', '--out', scratch), /is a folder; --out takes a file name/);
  });

  it('--out under a file says which part is a file', () => {
    const file = write('file.wasm', wasmModule());
    expectBadInput(instlab('bench', '--quick', '--workload', 'globals-i32/10', '--out', join(file, 'x.json')), /file\.wasm is a file, not a folder/);
  });

  it('an unwritable --out fails before the benchmark runs', () => {
    const run = instlab('bench', '--quick', '--workload', 'globals-i32/10', '--out', '/proc/x.json');
    expectBadInput(run, /\/proc\/x\.json: cannot write in \/proc/);
    expect(run.stderr).not.toMatch(/^bench: /m);
  });

  it('a data64 offset of 2^63 is printed exactly', () => {
    const bytes = wasmModule(section(SECTION.memory, [1, 0x04, 0]), section(SECTION.data, [1, 0, 0x42, ...sleb(-(2n ** 63n)), 0x0b, 0]));
    for (const strategy of ['raw', 'val', 'fast-path', 'cached', 'compiled']) {
      expectBadInput(instlab('inspect', write('data64.wasm', bytes), '--strategy', strategy), /data segment 0 at offset 9223372036854775808$/m);
    }
  });

  it('spec of an empty file exits 2 naming the problem, not 0 with "0 passed"', () => {
    const run = instlab('spec', write('empty.wasm', new Uint8Array(0)));
    expectBadInput(run, /empty\.wasm: no commands: not a spec script/);
  });

  it('the bin under a Node before 24 says which Node it needs', () => {
    const older = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})';
    const run = spawnSync(process.execPath, ['--import', older, BIN, 'strategies'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'instlab: needs Node 24 or later, this is Node 20.20.2; run it as npx instlab or npm run instlab (they use the Node 24 the project installs)\n',
    );
    expect(spawnSync(process.execPath, [BIN, 'strategies'], { encoding: 'utf8' }).stdout).toContain('(default)');
  });
});

describe('what already behaved well', () => {
  it('leaves nothing behind in the folder of a refused --out', () => {
    const folder = mkdtempSync(join(tmpdir(), 'instlab-out-'));
    instlab('bench', '--quick', '--workload', 'no-such-workload', '--out', join(folder, 'run.json'));
    expect(readdirSync(folder)).toEqual([]);
  });
});
