// The paired worker measures BASE and HEAD the same way or not at all: an option that
// BASE's worker entry does not take would leave BASE measured without it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PairedPlan } from './paired-worker.ts';
import { readFileSync } from 'node:fs';
import { rowOptionsOf } from './worktree.ts';

const WORKER = fileURLToPath(new URL('paired-worker.ts', import.meta.url));
const ENTRY = fileURLToPath(new URL('../bench/worker-entry.ts', import.meta.url));

describe('the paired worker', () => {
  it('refuses --memory-pool when BASE’s worker entry has no memory pool option, before measuring', () => {
    const dir = mkdtempSync(join(tmpdir(), 'instlab-paired-'));
    // A revision from before the option: version 1, without BENCH_ROW_OPTIONS.
    const older = join(dir, 'older-entry.ts');
    writeFileSync(older, `export { WORKER_ENTRY_VERSION, benchRows, moduleBytes, moduleCounters } from ${JSON.stringify(ENTRY)};\n`);
    const plan: PairedPlan = {
      modules: [{ name: 'wasmtime/empty', imports: { kind: 'stub' } }],
      strategies: ['val'],
      budgetMs: 1,
      minIterations: 1,
      maxIterations: 1,
      samples: 1,
      seed: 1,
      slowdowns: [],
      memoryPool: true,
      baseEntry: older,
      headEntry: ENTRY,
      counters: false,
    };
    const run = (p: PairedPlan) => spawnSync(process.execPath, [WORKER], { input: JSON.stringify(p), encoding: 'utf8' });
    const refused = run(plan);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--memory-pool: BASE's .*older-entry\.ts has no memory pool option/);
    expect(refused.stdout).toBe('');
    // Without the option the same older BASE is measured, and with it a BASE that takes it.
    for (const accepted of [{ ...plan, memoryPool: false }, { ...plan, baseEntry: ENTRY }]) {
      const measured = run(accepted);
      expect(measured.status, measured.stderr).toBe(0);
      expect(JSON.parse(measured.stdout).samples.length).toBeGreaterThan(0);
    }
  });

  it('lets check refuse --memory-pool before measuring, by the options BASE’s worker entry source lists', () => {
    expect(rowOptionsOf(readFileSync(ENTRY, 'utf8'))).toEqual(['memoryPool']);
    expect(rowOptionsOf("export const WORKER_ENTRY_VERSION = 1;\nexport { benchRows } from './bench-rows.ts';\n")).toEqual([]);
  });
});
