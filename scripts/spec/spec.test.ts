import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { matches, NOTE_START_NOT_RUN, runSpecFile, runSpecFiles, SKIP, specCommand } from './spec.ts';
import type { SpecFileResult, SpecRunResult } from './spec.ts';
import { parseScript } from './spec-script.ts';
import { assembleWat } from '../../workloads/wat.ts';
import { CompileError, InternalError } from '../../runtime/errors.ts';
import { compile } from '../../runtime/module/compile.ts';
import { section, SECTION, wasmModule } from '../../runtime/binary/wasm-bytes.ts';
import type { Strategy } from '../../runtime/instance/initializer.ts';
import { defaultStrategy } from '../../variants/registry.ts';

/**
 * Commands of the official scripts that pass today. The count may only go up: raise it
 * when the runtime learns more, so that a drop can never go unnoticed.
 */
const PASSED_FLOOR = 3480;

const SPEC_DIR = fileURLToPath(new URL('../../../shared/spec/binary/', import.meta.url));

describe('the official spec scripts', () => {
  const paths = readdirSync(SPEC_DIR)
    .filter((name) => name.endsWith('.bin.wast'))
    .sort()
    .map((name) => join(SPEC_DIR, name));
  let files: SpecRunResult['files'];
  let total: SpecRunResult['total'];

  beforeAll(() => {
    ({ files, total } = runSpecFiles(paths));
  });

  it('are all there and all parse', () => {
    expect(paths.length).toBeGreaterThan(50);
    expect(files.filter((row) => 'error' in row)).toEqual([]);
  });

  it('have no failures', () => {
    const failures = files.flatMap((row) =>
      'error' in row ? [] : row.failures.map((f) => `${row.file}:${f.line}: ${f.command}: expected ${f.expected}, got ${f.got}`),
    );
    expect(failures).toEqual([]);
  });

  it(`pass at least ${PASSED_FLOOR} commands`, () => {
    expect(total.passed).toBeGreaterThanOrEqual(PASSED_FLOOR);
  });

  // Cross-checked against V8, whose message names the function it failed compiling: every
  // module of an assert_invalid that V8 rejects in a function body is rejected here by
  // body validation, in the same function.
  it('reject every assert_invalid module that V8 rejects in a function body, in the function V8 names', () => {
    const v8 = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => unknown } }).WebAssembly;
    const mismatches: string[] = [];
    let checked = 0;
    for (const row of files) {
      if ('error' in row) continue;
      for (const command of parseScript(readFileSync(join(SPEC_DIR, row.file), 'utf8'), row.file)) {
        if (command.kind !== 'assert_invalid' || command.module.source.form !== 'binary') continue;
        const bytes = command.module.source.bytes;
        let v8Function: string | undefined;
        try {
          new v8.Module(bytes);
        } catch (error) {
          v8Function = /Compiling function #(\d+)/.exec((error as Error).message)?.[1];
        }
        if (v8Function === undefined) continue;
        checked++;
        let ours = 'compiled';
        try {
          compile(bytes);
        } catch (error) {
          ours = error instanceof CompileError && error.kind === 'invalid' ? (/ in function (\d+):/.exec(error.message)?.[1] ?? error.message) : String(error);
        }
        if (ours !== v8Function) mismatches.push(`${row.file}:${command.line}: V8 function ${v8Function}, ours ${ours}`);
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(mismatches).toEqual([]);
  });

  it('skip only for known reasons', () => {
    const known = new Set<string>(Object.values(SKIP));
    const unknown = Object.keys(total.skips).filter((c) => !known.has(c));
    expect(unknown).toEqual([]);
  });
});

describe('the runner', () => {
  let dir: string;
  /** A module as the binary script format writes it. */
  const wat: Record<string, string> = {};
  const binary = (bytes: Uint8Array): string => `binary "${[...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}"`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'instlab-spec-'));
    const sources = {
      // A mutable global and a function that could change it.
      counter: '(module (global (export "g") (mut i32) (i32.const 7)) (func (export "inc")))',
      // Re-exports spectest's f32 global.
      spectest: '(module (global (import "spectest" "global_f32") f32) (export "f" (global 0)))',
      empty: '(module)',
      withCode: '(module (func))',
      start: '(module (func $s) (start $s))',
      // Imports spectest's table (10 elements) and writes past its end.
      oob: '(module (import "spectest" "table" (table 10 funcref)) (func $f) (elem (i32.const 10) $f))',
      needsTable11: '(module (import "spectest" "table" (table 11 funcref)))',
      growsTable: '(module (import "spectest" "table" (table 10 funcref)) (func (export "grow")))',
    };
    for (const [name, source] of Object.entries(sources)) {
      const bytes = await assembleWat(`${name}.wat`, source);
      wat[name] = binary(bytes);
    }
    // (func (result i32) i32.add), which no assembler writes: i32.add has no operands.
    wat.invalidBody = binary(wasmModule(section(SECTION.type, [1, 0x60, 0, 1, 0x7f]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, 3, 0, 0x6a, 0x0b])));
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  let count = 0;
  const script = (text: string): string => {
    const path = join(dir, `s${count++}.bin.wast`);
    writeFileSync(path, text);
    return path;
  };
  const run = (text: string): SpecFileResult => runSpecFile(script(text));

  it('reads exported globals, including imported spectest ones', () => {
    const result = run(`
      (module definition $C ${wat.counter})
      (module instance $C $C)
      (assert_return (get $C "g") (i32.const 7))
      (module ${wat.spectest})
      (assert_return (get "f") (f32.const 666.6))`);
    expect(result).toMatchObject({ passed: 5, failed: 0, skipped: 0 });
  });

  it('reports a wrong value with its line, command, expectation and value', () => {
    const result = run(`(module ${wat.counter})\n(assert_return (get "g") (i32.const 8))`);
    expect(result.failures).toEqual([
      { line: 2, command: 'assert_return (get "g")', expected: '(i32.const 8)', got: '7', stack: undefined },
    ]);
  });

  it('skips execution, and reads of state that skipped execution could have changed', () => {
    const result = run(`
      (module ${wat.counter})
      (assert_return (invoke "inc"))
      (assert_trap (invoke "inc") "unreachable")
      (assert_return (get "g") (i32.const 8))
      (module ${wat.counter})
      (assert_return (get "g") (i32.const 7))`);
    expect(result).toMatchObject({ passed: 3, failed: 0, skipped: 3 });
    expect(result.skips).toEqual({ [SKIP.invoke]: 1, [SKIP.invokeTrap]: 1, [SKIP.staleState]: 1 });
    expect(result.excused).toEqual([{ line: 5, command: 'assert_return (get "g")', category: SKIP.staleState }]);
  });

  it('excuses a failed instantiation against a table that skipped execution may have grown', () => {
    const before = run(`(assert_unlinkable (module ${wat.needsTable11}) "incompatible import type")`);
    expect(before).toMatchObject({ passed: 1, skipped: 0 });
    const after = run(`
      (module ${wat.growsTable})
      (invoke "grow")
      (module ${wat.needsTable11})`);
    expect(after.skips).toEqual({ [SKIP.invoke]: 1, [SKIP.staleState]: 1 });
  });

  it('passes an assert_invalid whose only error is in a function body, and fails one that compiles', () => {
    const result = run(`
      (assert_invalid (module ${wat.empty}) "type mismatch")
      (assert_invalid (module ${wat.withCode}) "type mismatch")
      (assert_invalid (module ${wat.invalidBody}) "type mismatch")
      (assert_malformed (module binary "\\00asm\\02") "unknown binary version")
      (assert_malformed (module ${wat.withCode}) "illegal opcode")`);
    expect(result).toMatchObject({ passed: 2, failed: 3, skipped: 0 });
    expect(result.failures.map((f) => [f.line, f.expected, f.got])).toEqual([
      [2, 'invalid', 'compiled'],
      [3, 'invalid', 'compiled'],
      [6, 'malformed', 'compiled'],
    ]);
  });

  it('instantiates without running start functions, and skips traps that would come from them', () => {
    const result = run(`
      (module ${wat.start})
      (assert_trap (module ${wat.start}) "unreachable")
      (assert_trap (module ${wat.oob}) "out of bounds table access")
      (assert_trap (module ${wat.empty}) "unreachable")`);
    expect(result).toMatchObject({ passed: 2, failed: 1, skipped: 1, notes: { [NOTE_START_NOT_RUN]: 1 } });
    expect(result.skips).toEqual({ [SKIP.startTrap]: 1 });
    expect(result.failures[0]).toMatchObject({ line: 5, expected: 'a trap', got: 'instantiated' });
  });

  it('counts an internal error where a trap is expected as a failure, never a pass', () => {
    // A strategy with a bug: applying element segments hits a broken invariant instead
    // of the out-of-bounds trap the script expects.
    const buggy: Strategy = {
      name: 'buggy',
      description: 'val, with an internal error in place of every element segment',
      prepare(compiled) {
        const initializer = defaultStrategy().prepare(compiled);
        return {
          initializeGlobals: (instance) => initializer.initializeGlobals(instance),
          initializeTables: (instance) => initializer.initializeTables(instance),
          initializeElementSegments: () => {
            throw new InternalError('dangling GC reference 7');
          },
          initializeDataSegments: (instance) => initializer.initializeDataSegments(instance),
        };
      },
    };
    const path = script(`(assert_trap (module ${wat.oob}) "out of bounds table access")`);
    expect(runSpecFile(path)).toMatchObject({ passed: 1, failed: 0 });
    const result = runSpecFile(path, buggy);
    expect(result).toMatchObject({ passed: 0, failed: 1 });
    expect(result.failures[0]).toMatchObject({ expected: 'a trap', got: 'crash: InternalError: dangling GC reference 7' });
    expect(result.failures[0].stack).toMatch(/InternalError/);
  });

  it('links registered instances and fails a missing export', () => {
    const result = run(`
      (module definition $C ${wat.counter})
      (module instance $I $C)
      (register "counter" $I)
      (assert_unlinkable (module instance $C) "x")
      (invoke $I "nope")`);
    expect(result.failures.map((f) => [f.line, f.expected, f.got])).toEqual([
      [5, 'a link error', 'instantiated'],
      [6, 'a function export "nope"', 'no such export'],
    ]);
  });

  it('skips commands on a module or instance that failed', () => {
    const result = run(`
      (module $M binary "\\00asm\\02\\00\\00\\00")
      (assert_return (get $M "g") (i32.const 0))
      (module instance $M)`);
    expect(result).toMatchObject({ passed: 0, failed: 1, skipped: 2, skips: { [SKIP.afterFailure]: 2 } });
    expect(result.failures[0]).toMatchObject({ line: 2, expected: 'a valid module', got: expect.stringMatching(/^malformed: /) });
  });

  it('reports a script error with file and line', () => {
    const path = script('(module instance $Nope)');
    expect(() => runSpecFile(path)).toThrow(/s\d+\.bin\.wast:1: unknown module \$Nope/);
  });

  it('prints one line per file and the totals, and exits by the worst outcome', () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => (out.push(String(text)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => (out.push(`stderr: ${String(text)}`), true));
    const good = script(`(module ${wat.counter})\n(invoke "inc")`);
    const bad = script(`(module ${wat.counter})\n(assert_return (get "g") (i32.const 0))`);
    const broken = script('(module');

    expect(specCommand([good], {})).toBe(0);
    expect(out.join('')).toMatch(/^s\d+\.bin\.wast: 1 passed, 0 failed, 1 skipped \(skips: invoke 1\)\n1 passed, 0 failed, 1 skipped\n$/);
    out.length = 0;
    expect(specCommand([good, bad], {})).toBe(1);
    expect(out.join('')).toMatch(/ {2}s\d+\.bin\.wast:2: assert_return \(get "g"\): expected \(i32\.const 0\), got 7\n2 passed, 1 failed, 1 skipped\n$/);
    out.length = 0;
    expect(specCommand([bad, broken], {})).toBe(2);
    expect(out.join('')).toMatch(/stderr: instlab: s\d+\.bin\.wast:1: unclosed parenthesis\n/);
    out.length = 0;
    expect(specCommand([join(dir, 'missing.bin.wast')], {})).toBe(2);
    expect(out.join('')).toMatch(/^stderr: instlab: .*missing\.bin\.wast: cannot read: ENOENT/);
  });
});

describe('result patterns', () => {
  it('match floats by bits or NaN class', () => {
    expect(matches({ type: 'f32', bits: 0x3f800000 }, '0x3f800000')).toBe(true);
    expect(matches({ type: 'f32', nan: 'nan:canonical' }, '0xffc00000')).toBe(true);
    expect(matches({ type: 'f32', nan: 'nan:canonical' }, '0x7fc00001')).toBe(false);
    expect(matches({ type: 'f64', nan: 'nan:arithmetic' }, '0x7ff8000000000001')).toBe(true);
    expect(matches({ type: 'f64', nan: 'nan:arithmetic' }, '0x7ff0000000000001')).toBe(false);
  });

  it('match v128 lanes in memory order', () => {
    const value = `0x${'0000803f'.repeat(3)}0000c07f`;
    expect(matches({ type: 'v128', shape: 'f32x4', lanes: [0x3f800000n, 0x3f800000n, 0x3f800000n, 'nan:canonical'] }, value)).toBe(true);
    expect(matches({ type: 'v128', shape: 'i32x4', lanes: [0x3f800000n, 0x3f800000n, 0x3f800000n, 0n] }, value)).toBe(false);
  });

  it('match references by kind', () => {
    expect(matches({ type: 'ref.null' }, null)).toBe(true);
    expect(matches({ type: 'ref.null', heap: 'func' }, { func: 0 })).toBe(false);
    expect(matches({ type: 'ref', heap: 'func' }, { func: 3 })).toBe(true);
    expect(matches({ type: 'ref', heap: 'eq' }, { i31: 1 })).toBe(true);
    expect(matches({ type: 'ref', heap: 'eq' }, { extern: 1 })).toBe(false);
    expect(matches({ type: 'ref', heap: 'struct' }, { struct: 0, fields: [] })).toBe(true);
    expect(matches({ type: 'ref', heap: 'any' }, { array: 0, elements: [] })).toBe(true);
    expect(matches({ type: 'ref.extern', value: 2 }, { extern: 2 })).toBe(true);
    expect(matches({ type: 'either', options: [{ type: 'i32', value: 1 }, { type: 'i32', value: 2 }] }, 2)).toBe(true);
    expect(matches({ type: 'i64', value: -1n }, '-1')).toBe(true);
  });
});
