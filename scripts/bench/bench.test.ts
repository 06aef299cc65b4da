// `instlab bench` and `instlab merge` end to end on the smallest workloads, through the
// CLI as a user runs them: the results file (validated against the committed schema),
// the summary, the progress lines, shards, injected slowdowns and module files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { readResults, RESULTS_SCHEMA, type Results } from '../results-file.ts';
import { RESULTS_SCHEMA_FILE } from '../results-schema.ts';
import { injectionUnits } from './slowdown.ts';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

function instlab(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
}

const dir = mkdtempSync(join(tmpdir(), 'instlab-bench-'));
const MATRIX = ['--workload', 'wasmtime/empty', '--workload', 'wasmtime/small_memory', '--strategy', 'val', '--strategy', 'cached'];
const FIXED = ['--quick', '--processes', '2', '--samples', '4', '--seed', '7'];
const rowKeys = (results: Results) => results.rows.map((r) => `${r.workload} ${r.strategy} ${r.phase} ${r.samples.map((s) => s.length).join(',')}`).sort();

describe('instlab bench', () => {
  const out = join(dir, 'run.json');
  const run = instlab('bench', ...MATRIX, ...FIXED, '--out', out);

  it('writes a results file that the committed JSON Schema accepts', () => {
    expect(run.status, run.stderr).toBe(0);
    const schema = JSON.parse(readFileSync(RESULTS_SCHEMA_FILE, 'utf8'));
    const validate = new Ajv2020({ validateFormats: false }).compile(schema);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    // The schema is not vacuous: a sample that is not a number is refused.
    json.rows[0].samples[0][0] = 'fast';
    expect(validate(json)).toBe(false);
  });

  it('keeps every sample of every row per process, with the seed and fixed sample count it was given', async () => {
    const results = await readResults(out);
    expect(results.schema).toBe(RESULTS_SCHEMA);
    expect(results.config).toMatchObject({ quick: true, processes: 2, samples: 4, seed: 7, shard: null, slowdowns: [] });
    expect(results.environment.timer.resolutionNs).toBeGreaterThan(0);
    expect(results.environment.v8CompileCache).toMatch(/unique bytes/);
    const rows = results.rows.filter((r) => r.workload === 'wasmtime/empty').map((r) => `${r.strategy} ${r.phase}`).sort();
    expect(rows).toEqual(['cached compile', 'cached instantiate', 'floor instantiate', 'v8 compile', 'v8 instantiate', 'val compile', 'val instantiate']);
    for (const row of results.rows) {
      expect(row.samples.map((s) => s.length)).toEqual([4, 4]);
      expect(row.summary.n).toBe(8);
      expect(row.summary.min).toBe(Math.min(...row.samples.flat()));
      expect(row.summary.interval[0]).toBeLessThanOrEqual(Math.min(row.summary.medianCi95[0], ...row.summary.processMedians));
      expect(row.summary.interval[1]).toBeGreaterThanOrEqual(Math.max(row.summary.medianCi95[1], ...row.summary.processMedians));
    }
    expect(results.counters['wasmtime/empty'].val).toMatchObject({ constOps: 0, slotsWritten: 0 });
    expect(results.workloads['wasmtime/empty'].bytes).toBe(8);
  });

  it('prints a table per phase with a column per strategy, v8 and floor, and notes under it', () => {
    const lines = run.stdout.split('\n');
    const header = lines.find((line) => line.startsWith('workload') && line.includes('floor'))!;
    expect(header.split(/\s{2,}/)).toEqual(['workload', 'val', 'cached', 'v8', 'floor', 'best vs v8']);
    expect(lines.some((line) => line.startsWith('wasmtime/small_memory '))).toBe(true);
    expect(run.stdout).toMatch(/^noise: /m);
    expect(run.stdout).toContain('seed 7');
  });

  it('records the memory pool as off without --memory-pool, and the footer does not mention it', async () => {
    expect((await readResults(out)).config.memoryPool).toBe(false);
    expect(run.stdout).toMatch(/^≈: .* · seed 7$/m);
    expect(run.stdout).not.toMatch(/memory pool/);
  });

  it('reports progress outside a terminal as one line per module and process', () => {
    const progress = run.stderr.split('\n').filter((line) => /^\[\s*\d+%\] process/.test(line));
    expect(progress).toHaveLength(4);
    expect(progress.at(-1)).toMatch(/^\[100%\] process 2\/2 /);
  });

  it('replaces its own results file atomically, leaving no temporary file', () => {
    const before = readFileSync(out, 'utf8');
    expect(instlab('bench', '--workload', 'wasmtime/empty', '--strategy', 'val', ...FIXED, '--out', out).status).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe(before);
    expect(readdirSync(dir).filter((name) => name.startsWith('run.json'))).toEqual(['run.json']);
  });

  it('refuses before measuring to write over a file that is not a results file', () => {
    const notes = join(dir, 'notes.json');
    writeFileSync(notes, '{"mine": true}');
    const refused = instlab('bench', '--workload', 'wasmtime/empty', '--out', notes);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/notes\.json: not a results file/);
    expect(refused.stderr).not.toMatch(/process 1/);
    expect(readFileSync(notes, 'utf8')).toBe('{"mine": true}');
  });

  it('summarizes as JSON and Markdown on request', () => {
    const json = instlab('bench', '--workload', 'wasmtime/empty', '--strategy', 'val', ...FIXED, '--format', 'json', '--out', join(dir, 'j.json'));
    const summary = JSON.parse(json.stdout);
    expect(summary.schema).toBe('instlab.summary/1');
    expect(summary.phases[0].columns).toEqual(['val', 'v8', 'floor']);
    const md = instlab('bench', '--workload', 'wasmtime/empty', '--strategy', 'val', ...FIXED, '--format', 'md', '--out', join(dir, 'm.json'));
    expect(md.stdout).toContain('| workload | val | v8 | floor | best vs v8 |');
  });

  it('refuses malformed options before measuring', () => {
    for (const [args, message] of [
      [['--processes', '0x10'], /--processes must be a whole number/],
      [['--processes', '1e20'], /--processes must be a whole number/],
      [['--shard', '3/2'], /--shard must be I\/N/],
      [['--format', 'xml'], /--format must be one of/],
      [['--inject-slowdown', 'nope=5'], /nope is not a measured strategy/],
      [['--inject-slowdown', 'val=-5'], /must be NAME=PCT/],
      [['--stub-imports'], /applies to module files/],
    ] as const) {
      const refused = instlab('bench', '--workload', 'wasmtime/empty', ...args, '--out', join(dir, 'never.json'));
      expect(refused.status, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
    expect(readdirSync(dir)).not.toContain('never.json');
  });
});

describe('shards and instlab merge', () => {
  const shardFile = (i: number, seed = '7') => {
    const file = join(dir, `shard-${i}-${seed}.json`);
    const shard = instlab('bench', ...MATRIX, ...FIXED.slice(0, -1), seed, '--shard', `${i}/2`, '--out', file);
    expect(shard.status, shard.stderr).toBe(0);
    return file;
  };
  const [one, two] = [shardFile(1), shardFile(2)];

  it('splits the matrix into disjoint shards whose merge has the rows and sample counts of the unsharded run', async () => {
    const [a, b] = [await readResults(one), await readResults(two)];
    expect(a.config.workloads).toHaveLength(1);
    expect(b.config.workloads).toHaveLength(1);
    expect(a.config.workloads[0]).not.toBe(b.config.workloads[0]);
    const merged = join(dir, 'merged.json');
    const merge = instlab('merge', one, two, '--out', merged);
    expect(merge.status, merge.stderr).toBe(0);
    const whole = instlab('bench', ...MATRIX, ...FIXED, '--out', join(dir, 'whole.json'));
    expect(whole.status, whole.stderr).toBe(0);
    const [m, w] = [await readResults(merged), await readResults(join(dir, 'whole.json'))];
    expect(rowKeys(m)).toEqual(rowKeys(w));
    expect([...m.config.workloads].sort()).toEqual([...w.config.workloads].sort());
    expect(m.config).toMatchObject({ shard: null, seed: 7, merged: { shards: 2, forced: [] } });
    expect(Object.keys(m.counters).sort()).toEqual(Object.keys(w.counters).sort());
  });

  it('refuses shards of different seeds, a shard given twice and a file that is not a shard, unless forced', async () => {
    const other = shardFile(2, '8');
    const refused = instlab('merge', one, other, '--out', join(dir, 'refused.json'));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/cannot merge: .*seed 8 vs 7/);
    expect(readdirSync(dir)).not.toContain('refused.json');
    expect(instlab('merge', one, one, '--out', join(dir, 'twice.json')).stderr).toMatch(/shard 1 again/);
    expect(instlab('merge', one, join(dir, 'run.json'), '--out', join(dir, 'whole-too.json')).stderr).toMatch(/run\.json: not a shard/);
    const forced = instlab('merge', one, other, '--force', '--out', join(dir, 'forced.json'));
    expect(forced.status, forced.stderr).toBe(0);
    expect((await readResults(join(dir, 'forced.json'))).config.merged!.forced.join(' ')).toMatch(/seed/);
  });
});

describe('instlab bench --inject-slowdown', () => {
  it('records the injection and sizes it from each process\'s warm time, and every summary says so', async () => {
    const out = join(dir, 'slow.json');
    const run = instlab('bench', '--workload', 'wasmtime/small_memory', '--strategy', 'val', '--strategy', 'cached', ...FIXED, '--inject-slowdown', 'cached=40', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('INJECTED SLOWDOWN: cached instantiations do 40% extra work');
    const results = await readResults(out);
    expect(results.config.slowdowns).toEqual([{ strategy: 'cached', percent: 40 }]);
    const injected = results.rows.filter((r) => r.injections !== undefined).map((r) => `${r.strategy} ${r.phase}`);
    expect(injected).toEqual(['cached instantiate']);
    const row = results.rows.find((r) => r.injections !== undefined)!;
    expect(row.injections).toHaveLength(2);
    for (const injection of row.injections!) {
      expect(injection.units).toBe(injectionUnits(40, injection.warmNs, injection.unitNs));
      expect(injection.units).toBeGreaterThan(0);
    }
  });
});

describe('instlab bench --memory-pool', () => {
  it('records the pool in the configuration, which the committed schema accepts, and the footer says so', async () => {
    const out = join(dir, 'pooled.json');
    const run = instlab('bench', '--workload', 'data-segments/10', '--strategy', 'cached', '--quick', '--processes', '1', '--samples', '4', '--seed', '7', '--memory-pool', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    const validate = new Ajv2020({ validateFormats: false }).compile(JSON.parse(readFileSync(RESULTS_SCHEMA_FILE, 'utf8')));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    // The field is a boolean, not anything at all.
    expect(validate({ ...json, config: { ...json.config, memoryPool: 'on' } })).toBe(false);
    const results = await readResults(out);
    expect(results.config.memoryPool).toBe(true);
    expect(results.rows.map((r) => `${r.strategy} ${r.phase}`).sort()).toEqual(['cached compile', 'cached instantiate', 'floor instantiate', 'v8 compile', 'v8 instantiate']);
    expect(run.stdout).toMatch(/^≈: .* · 1 process · seed 7 · memory pool on/m);
    expect(run.stderr).toMatch(/^bench: .*, memory pool on \(replay/m);
  });
});

describe('instlab bench FILE', () => {
  it('measures a .wat file, and reports the v8 rows as unavailable where V8 cannot instantiate it', async () => {
    const plain = join(dir, 'plain.wat');
    writeFileSync(plain, '(module (global (export "g") i32 (i32.const 7)) (memory 1) (data (i32.const 8) "hi"))');
    const v128 = join(dir, 'v128.wat');
    writeFileSync(v128, '(module (import "m" "g" (global $g v128)) (global (export "h") v128 (global.get $g)))');
    const out = join(dir, 'files.json');
    const run = instlab('bench', plain, v128, '--stub-imports', '--strategy', 'val', ...FIXED, '--out', out);
    expect(run.status, run.stderr).toBe(0);
    const results = await readResults(out);
    expect(results.config.workloads).toEqual([plain, v128]);
    expect(results.workloads[plain]).toMatchObject({ family: 'file', file: plain });
    const strategiesOf = (workload: string) => results.rows.filter((r) => r.workload === workload).map((r) => `${r.strategy} ${r.phase}`).sort();
    expect(strategiesOf(plain)).toEqual(['floor instantiate', 'v8 compile', 'v8 instantiate', 'val compile', 'val instantiate']);
    expect(strategiesOf(v128)).toEqual(['floor instantiate', 'val compile', 'val instantiate']);
    expect(results.unavailable).toEqual([{ workload: v128, strategy: 'v8', reason: expect.stringMatching(/v128/) }]);
    expect(run.stdout).toMatch(/v8 unavailable for .*v128\.wat: /);
  });

  it('names the file when it cannot be measured', () => {
    const trap = join(dir, 'trap.wat');
    writeFileSync(trap, '(module (memory 1) (data (i32.const 70000) "x"))');
    const run = instlab('bench', trap, '--strategy', 'val', '--out', join(dir, 'trap.json'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/trap\.wat: cannot be measured with val: RuntimeError/);
  });
});

describe('instlab bench --out', () => {
  it('refuses a place that cannot take the results file before measuring, in one line', () => {
    const file = join(dir, 'a-file.json');
    writeFileSync(file, '{}');
    for (const [out, message] of [
      [dir, /is a folder; --out takes a file name/],
      [join(file, 'x.json'), /a-file\.json is a file, not a folder/],
      ['/proc/instlab-nope/x.json', /cannot make the folder \/proc\/instlab-nope/],
    ] as const) {
      const refused = instlab('bench', '--workload', 'wasmtime/empty', '--out', out);
      expect(refused.status, out).toBe(2);
      expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    }
  });
});
