// The CLI contract as other tools see it: exit status, one-line errors, JSON output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../runtime/module/compile.ts';
import { describeInstance } from '../runtime/embedder/instance-state.ts';
import { instantiate } from '../runtime/instance/instantiate.ts';
import { Store } from '../runtime/instance/store.ts';
import { v8Wasm } from '../runtime/v8/v8-instance-state.ts';
import { assembleWat } from '../workloads/wat.ts';
import { writeResults, type Results } from './results-file.ts';
import { defaultStrategy } from '../variants/registry.ts';

const CLI = fileURLToPath(new URL('cli.ts', import.meta.url));

function instlab(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'instlab-cli-'));
const write = (name: string, contents: string | Uint8Array): string => {
  const path = join(scratch, name);
  writeFileSync(path, contents);
  return path;
};

const WAT = `(module
  (import "env" "base" (global $base i32))
  (global (export "g") i64 (i64.sub (i64.const 1) (i64.const 6)))
  (global (export "f") f32 (f32.const nan:0x200000))
  (table (export "t") 4 funcref)
  (memory (export "m") 1)
  (func $a) (func $b (export "b"))
  (elem (i32.const 1) $b $a)
  (data (global.get $base) "hi"))`;

describe('instlab inspect', () => {
  const wat = write('module.wat', WAT);
  const imports = write('imports.json', JSON.stringify({ env: { base: { kind: 'global', type: 'i32', value: 8 } } }));

  it('prints the instance state of a .wat module as the contract JSON', async () => {
    const run = instlab('inspect', wat, '--imports', imports, '--json');
    expect(run.status).toBe(0);
    const store = new Store();
    const compiled = compile(await assembleWat('module.wat', WAT));
    const base = store.createGlobal({ type: 'i32', mutable: false });
    base.cells.i32[0] = 8;
    const expected = describeInstance(instantiate(store, compiled, () => base, { strategy: defaultStrategy() }));
    expect(JSON.parse(run.stdout)).toEqual(expected);
    expect(JSON.parse(run.stdout).exports.g).toEqual({ kind: 'global', type: 'i64', mutable: false, value: '-5' });
    expect(JSON.parse(run.stdout).exports.f.value).toBe('0x7fa00000');
  });

  it('gives the same state for the .wasm and under every strategy', async () => {
    const wasm = write('module.wasm', await assembleWat('module.wat', WAT));
    const states = ['raw', 'val', 'fast-path', 'cached', 'compiled'].map((strategy) =>
      JSON.parse(instlab('inspect', wasm, '--imports', imports, '--json', '--strategy', strategy).stdout),
    );
    for (const state of states) expect(state).toEqual(states[0]);
  });

  it('agrees with V8 on memory contents', async () => {
    const bytes = await assembleWat('module.wat', WAT);
    const instance = new v8Wasm.Instance(new v8Wasm.Module(bytes), { env: { base: 8 } });
    const memory = new Uint8Array((instance.exports.m as { buffer: ArrayBuffer }).buffer);
    const { createHash } = await import('node:crypto');
    const state = JSON.parse(instlab('inspect', write('v8.wasm', bytes), '--imports', imports, '--json').stdout);
    expect(state.exports.m.sha256).toBe(createHash('sha256').update(memory).digest('hex'));
  });

  it('rejects a malformed module with exit 2 and one line naming the file and byte offset', () => {
    const file = write('bad.wasm', Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x05, 0x01));
    const run = instlab('inspect', file);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('bad.wasm');
    expect(run.stderr).toMatch(/CompileError: .*at byte 0x[0-9a-f]+/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing import, a missing file and an unknown strategy as bad input', () => {
    expect(instlab('inspect', wat).status).toBe(2);
    expect(instlab('inspect', wat).stderr).toMatch(/LinkError: unknown import "env" "base"/);
    expect(instlab('inspect', join(scratch, 'none.wasm')).status).toBe(2);
    const unknown = instlab('inspect', wat, '--stub-imports', '--strategy', 'fastest');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown strategy "fastest"');
  });

  it('refuses a module with a start function unless asked to skip it', () => {
    const file = write('start.wat', '(module (func $s) (start $s) (global (export "g") i32 (i32.const 3)))');
    expect(instlab('inspect', file).stderr).toContain('StartFunctionError');
    expect(JSON.parse(instlab('inspect', file, '--skip-start', '--json').stdout).exports.g.value).toBe(3);
  });
});

describe('instlab spec', () => {
  it('ends with the totals line and exits 0 when nothing fails', () => {
    const run = instlab('spec', fileURLToPath(new URL('../../shared/spec/binary/global.bin.wast', import.meta.url)));
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
  });
});

describe('results files', () => {
  it('never overwrites a file that is not a results file', async () => {
    const path = write('corrupt.json', '{"not": "results"');
    await expect(writeResults(path, {} as Results)).rejects.toThrow(/corrupt results file/);
    expect(readFileSync(path, 'utf8')).toBe('{"not": "results"');
  });
});
