// `instlab bench` end to end on the smallest workload: the results file it writes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readResults, RESULTS_SCHEMA } from '../results-file.ts';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

function instlab(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

describe('instlab bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'instlab-bench-'));
  const out = join(dir, 'run.json');
  const args = ['bench', '--quick', '--workload', 'wasmtime/empty', '--strategy', 'val', '--strategy', 'cached', '--processes', '2', '--out', out];

  it('writes every sample of every row, per process, with summaries and counters', async () => {
    const run = instlab(...args);
    expect(run.status, run.stderr).toBe(0);
    const results = await readResults(out);
    expect(results.schema).toBe(RESULTS_SCHEMA);
    expect(results.environment.node).toMatch(/^v2[4-9]\./);
    expect(results.config).toMatchObject({ quick: true, processes: 2, workloads: ['wasmtime/empty'], strategies: ['val', 'cached'] });
    const rows = results.rows.map((r) => `${r.strategy} ${r.phase}`).sort();
    expect(rows).toEqual(['cached compile', 'cached instantiate', 'floor instantiate', 'v8 compile', 'v8 instantiate', 'val compile', 'val instantiate']);
    for (const row of results.rows) {
      expect(row.samples).toHaveLength(2);
      const pooled = row.samples.flat();
      expect(pooled.length).toBeGreaterThanOrEqual(2 * results.config.minIterations);
      expect(row.summary.n).toBe(pooled.length);
      expect(row.summary.min).toBe(Math.min(...pooled));
      expect(row.summary.medianCi95[0]).toBeLessThanOrEqual(row.summary.median);
      expect(row.summary.processMedians).toHaveLength(2);
    }
    expect(results.counters['wasmtime/empty'].val).toMatchObject({ constOps: 0, slotsWritten: 0 });
    expect(results.workloads['wasmtime/empty'].bytes).toBe(8);
    expect(run.stdout).toContain('wasmtime/empty instantiate');
  });

  it('replaces its own results file atomically, leaving no temporary file', () => {
    const before = readFileSync(out, 'utf8');
    expect(instlab(...args).status).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe(before);
    expect(readdirSync(dir).filter((name) => name.startsWith('run.json'))).toEqual(['run.json']);
  });

  it('refuses before measuring to write over a file that is not a results file', () => {
    const notes = join(dir, 'notes.json');
    writeFileSync(notes, '{"mine": true}');
    const run = instlab(...args.slice(0, -1), notes);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/corrupt results file/);
    expect(run.stderr).not.toMatch(/process 1 of/);
    expect(readFileSync(notes, 'utf8')).toBe('{"mine": true}');
  });
});
