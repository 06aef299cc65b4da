// Results files on disk under stress: two processes writing into one folder at once, and
// a run interrupted with Ctrl-C, must leave only whole results files (or none) behind.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readResults } from './results-file.ts';

const RESULTS_FILE = fileURLToPath(new URL('results-file.ts', import.meta.url));
const BASELINE = fileURLToPath(new URL('../results/baselines/vm-2vcpu-quick.json', import.meta.url));
const CLI = fileURLToPath(new URL('cli.ts', import.meta.url));

/** A process that writes the committed baseline 25 times to `shared` and to a file of its own. */
function writer(folder: string, name: string) {
  const script = `
    import { readResults, writeResults } from ${JSON.stringify(RESULTS_FILE)};
    const results = await readResults(${JSON.stringify(BASELINE)});
    for (let i = 0; i < 25; i++) {
      await writeResults(${JSON.stringify(join(folder, 'shared.json'))}, results);
      await writeResults(${JSON.stringify(join(folder, `${name}.json`))}, results);
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ status: number | null; stderr: string }>((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

describe('results files written concurrently', () => {
  it('two runs writing into one folder at once leave whole, valid files and no temporary ones', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'instlab-writes-'));
    const runs = await Promise.all([writer(folder, 'a'), writer(folder, 'b')]);
    for (const run of runs) expect(run, run.stderr).toMatchObject({ status: 0 });
    expect(readdirSync(folder).sort()).toEqual(['a.json', 'b.json', 'shared.json']);
    const baseline = await readResults(BASELINE);
    for (const file of ['a.json', 'b.json', 'shared.json']) expect(await readResults(join(folder, file))).toEqual(baseline);
  }, 60_000);
});

describe('an interrupted bench', () => {
  it('leaves no results file and no partial one when Ctrl-C stops it while it measures', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'instlab-interrupt-'));
    const bench = spawn(process.execPath, [CLI, 'bench', '--workload', 'globals-i32/10', '--processes', '3', '--out', join(folder, 'run.json')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    const measuring = new Promise<void>((resolve) =>
      bench.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (/^bench: /m.test(stderr)) resolve();
      }),
    );
    const closed = new Promise<void>((resolve) => bench.on('close', () => resolve()));
    await measuring;
    // Ctrl-C in a terminal signals the whole process group: the bench and its measuring processes.
    process.kill(-bench.pid!, 'SIGINT');
    await closed;
    expect(readdirSync(folder)).toEqual([]);
    expect(spawnSync('pgrep', ['-g', String(bench.pid)]).stdout.toString()).toBe('');
  }, 60_000);
});
