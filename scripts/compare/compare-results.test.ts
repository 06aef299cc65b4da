import { describe, expect, it } from 'vitest';
import { compareResults, DEFAULT_COMPARE, type CompareRow } from './compare-results.ts';
import { exitStatus } from './compare.ts';
import { formatCompare } from './compare-format.ts';
import { syntheticResults, type SyntheticOptions, type SyntheticRow } from './test-kit.ts';

const paths = { base: 'base.json', head: 'head.json' };
const quiet: SyntheticOptions = { processes: 10, samples: 200, withinSd: 0.05, betweenSd: 0.01, seed: 1 };
/** Rows that nothing happens to, so that the family and the variance priors are realistic. */
const others: SyntheticRow[] = Array.from({ length: 12 }, (_, i) => ({ workload: `other/${i}`, median: 5000 + 1000 * i }));

function rowOf(base: SyntheticRow[], head: SyntheticRow[], options: SyntheticOptions, headSeed = options.seed + 1): CompareRow {
  const report = compareResults(syntheticResults(base, options), syntheticResults(head, { ...options, seed: headSeed }), paths);
  return report.rows.find((r) => r.workload === 'w')!;
}

describe('compareResults on known distributions', () => {
  it('calls identical samples unchanged, with a ratio of exactly 1', () => {
    const results = syntheticResults([{ workload: 'w', median: 10_000 }, ...others], quiet);
    const report = compareResults(results, results, paths);
    expect(report.rows.every((r) => r.verdict === 'unchanged')).toBe(true);
    expect(report.rows[0].ratio).toBe(1);
    expect(report.verdicts.unchanged).toBe(13);
  });

  it('calls a 20 % shift regressed, with an interval around 1.2', () => {
    const row = rowOf([{ workload: 'w', median: 10_000 }, ...others], [{ workload: 'w', median: 10_000, shift: 1.2 }, ...others], quiet);
    expect(row.verdict).toBe('regressed');
    expect(row.ci[0]).toBeGreaterThan(1.1);
    expect(row.ci[1]).toBeLessThan(1.3);
    expect(row.ratio).toBeCloseTo(1.2, 1);
  });

  it('calls a 20 % speed-up improved', () => {
    const row = rowOf([{ workload: 'w', median: 10_000 }, ...others], [{ workload: 'w', median: 10_000, shift: 1 / 1.2 }, ...others], quiet);
    expect(row.verdict).toBe('improved');
  });

  it('calls a shift smaller than the noise inconclusive', () => {
    const noisy: SyntheticOptions = { processes: 3, samples: 30, withinSd: 0.3, betweenSd: 0.15, seed: 5 };
    const row = rowOf([{ workload: 'w', median: 10_000 }, ...others], [{ workload: 'w', median: 10_000, shift: 1.04 }, ...others], noisy);
    expect(row.verdict).toBe('inconclusive');
    expect(row.ci[0]).toBeLessThan(1);
    expect(row.ci[1]).toBeGreaterThan(1.05);
    // The change this data could detect is larger than the one it was shown.
    expect(row.mde).toBeGreaterThan(0.04);
  });

  it('does not call a 20 % shift in one process of ten regressed', () => {
    const base = [{ workload: 'w', median: 10_000 }, ...others];
    const head = [{ workload: 'w', median: 10_000, shift: 1.2, shiftProcesses: [3] }, ...others];
    const row = rowOf(base, head, quiet);
    expect(row.verdict).not.toBe('regressed');
    // Pooling the samples would have hidden the process: the interval reaches the shift's share and beyond 1.
    expect(row.ci[0]).toBeLessThan(1);
  });

  it('is reproducible for a seed, and the bootstrap moves with it', () => {
    // One process per side: no between-process variance to moderate, so the bootstrap alone sets the width.
    const single = { ...quiet, processes: 1 };
    const base = syntheticResults([{ workload: 'w', median: 10_000 }, ...others], single);
    const head = syntheticResults([{ workload: 'w', median: 10_000, shift: 1.03 }, ...others], { ...single, seed: 9 });
    const a = compareResults(base, head, paths, { ...DEFAULT_COMPARE, seed: 4 });
    const b = compareResults(base, head, paths, { ...DEFAULT_COMPARE, seed: 4 });
    const c = compareResults(base, head, paths, { ...DEFAULT_COMPARE, seed: 5 });
    expect(b.rows).toEqual(a.rows);
    expect(c.rows[0].ci).not.toEqual(a.rows[0].ci);
    expect(c.rows[0].ratio).toBe(a.rows[0].ratio);
  });

  it('widens every interval as the family grows (Bonferroni)', () => {
    const one = syntheticResults([{ workload: 'w', median: 10_000 }], { ...quiet, processes: 3 });
    const oneHead = syntheticResults([{ workload: 'w', median: 10_000 }], { ...quiet, processes: 3, seed: 2 });
    const many = syntheticResults([{ workload: 'w', median: 10_000 }, ...others], { ...quiet, processes: 3 });
    const manyHead = syntheticResults([{ workload: 'w', median: 10_000 }, ...others], { ...quiet, processes: 3, seed: 2 });
    const width = (r: CompareRow) => Math.log(r.ci[1] / r.ci[0]);
    const single = compareResults(one, oneHead, paths);
    const family = compareResults(many, manyHead, paths);
    expect(single.z).toBeCloseTo(2.5758, 3);
    expect(family.z).toBeGreaterThan(single.z);
    expect(width(family.rows[0])).toBeGreaterThan(width(single.rows[0]));
  });

  it('lists every counter that changed, old → new, even when timings are unchanged', () => {
    const base = syntheticResults([{ workload: 'w', median: 10_000 }], quiet);
    const head = structuredClone(base) as typeof base;
    (head.counters.w.cached as { constOps: number }).constOps = 150;
    const report = compareResults(base, head, paths);
    expect(report.rows[0].verdict).toBe('unchanged');
    expect(report.counters).toEqual([{ workload: 'w', strategy: 'cached', counter: 'constOps', base: 0, head: 150 }]);
  });

  it('calls no row of one process per side anything but inconclusive, however far it moved', () => {
    // One process shows nothing of the process-to-process spread, so a 30 % shift of one
    // process against another is no evidence of a change in the code.
    const single = { ...quiet, processes: 1 };
    const row = rowOf([{ workload: 'w', median: 10_000 }, ...others], [{ workload: 'w', median: 10_000, shift: 1.3 }, ...others], single);
    expect(row.ci[0]).toBeGreaterThan(1.05);
    expect(row.verdict).toBe('inconclusive');
    expect(row.capped).toBe('one process');
    expect(rowOf([{ workload: 'w', median: 10_000 }, ...others], [{ workload: 'w', median: 10_000, shift: 1.3 }, ...others], { ...quiet, processes: 2 }).capped).toBeUndefined();
  });

  it('reports a reference row that moved as drift, outside the verdicts the gate counts', () => {
    const rows = (shift: number): SyntheticRow[] => [
      { workload: 'w', median: 10_000 },
      { workload: 'w', strategy: 'v8', median: 20_000, shift },
      { workload: 'w', strategy: 'floor', median: 3_000 },
      ...others,
    ];
    const report = compareResults(syntheticResults(rows(1), quiet), syntheticResults(rows(1.4), { ...quiet, seed: 2 }), paths);
    const v8 = report.rows.find((r) => r.strategy === 'v8')!;
    expect(v8).toMatchObject({ verdict: 'regressed', reference: true });
    expect(report.rows.find((r) => r.strategy === 'floor')!.reference).toBe(true);
    expect(report.rows.find((r) => r.strategy === 'cached' && r.workload === 'w')!.reference).toBe(false);
    expect(report.drift).toMatchObject({ regressed: 1 });
    expect(report.verdicts.regressed).toBe(0);
    expect(report.verdicts.unchanged + report.verdicts.inconclusive).toBe(13);
    expect(exitStatus(report)).toBe(0);
    const text = formatCompare(report, 'text', { commands: [] });
    expect(text).toMatch(/^w v8 instantiate .* slower by \[\+\d+%, \+\d+%\]: the machine or V8 changed, not this code \(not gated\)$/m);
    expect(text).toMatch(/^THE MACHINE DRIFTED: 1 reference rows got slower/m);
    expect(text).toMatch(/^0 regressed, .* of 13 engine rows; reference rows \(v8, floor, not gated\): 1 slower, 0 faster of 2;/m);
    const md = formatCompare(report, 'md', { commands: [] });
    expect(md).toMatch(/^## instlab compare: ✅ no regression$/m);
    expect(md).toMatch(/^### Reference rows that moved \(the machine or V8, not gated\)\n\n.*\n.*\n\| `w v8 instantiate` \|/m);
    // The folded table counts engine verdicts apart from the reference row (floor) that did not move.
    const v = report.verdicts;
    expect(md).toContain(`<summary>14 other rows (${v.inconclusive} inconclusive, ${v.unchanged} unchanged; 1 reference rows, not gated)</summary>`);
  });

  it('names environment and configuration differences, and rows on one side only', () => {
    const base = syntheticResults([{ workload: 'w', median: 10_000 }, { workload: 'gone', median: 5 }], quiet);
    const head = syntheticResults([{ workload: 'w', median: 10_000 }, { workload: 'new', median: 5 }], quiet);
    const moved = { ...head, environment: { ...head.environment, node: 'v25.0.0' }, config: { ...head.config, slowdowns: [{ strategy: 'cached', percent: 30 }] } };
    const report = compareResults(base, moved, paths);
    expect(report.environment).toEqual({ same: false, differences: ['node: v24.9.0 vs v25.0.0'] });
    expect(report.configDifferences).toEqual(['injected slowdowns: none vs cached=30%']);
    expect(report.onlyIn).toEqual({ base: ['gone cached instantiate'], head: ['new cached instantiate'] });
  });

  it('names a pooled HEAD against a fresh BASE as a configuration difference, and a file from before the option as fresh', () => {
    const rows = [{ workload: 'w', median: 10_000 }, ...others];
    const base = syntheticResults(rows, quiet);
    const head = syntheticResults(rows, { ...quiet, seed: 2 });
    const pooled = { ...head, config: { ...head.config, memoryPool: true } };
    const report = compareResults(base, pooled, paths);
    expect(report.configDifferences).toEqual(['memory pool: off vs on']);
    expect(formatCompare(report, 'text', { commands: [] })).toMatch(/^configurations differ: memory pool: off vs on$/m);
    expect(formatCompare(report, 'md', { commands: [] })).toContain('> **configurations differ: memory pool: off vs on**');
    expect(JSON.parse(formatCompare(report, 'json', { commands: [] })).configDifferences).toEqual(['memory pool: off vs on']);
    // `base` has no memoryPool field at all, as files from before the option: the same as off.
    expect('memoryPool' in base.config).toBe(false);
    expect(compareResults(base, { ...head, config: { ...head.config, memoryPool: false } }, paths).configDifferences).toEqual([]);
  });
});
