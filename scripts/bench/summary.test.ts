import { describe, expect, it } from 'vitest';
import type { ResultRow, Results } from '../results-file.ts';
import { summarizeProcesses } from '../statistics.ts';
import { formatCell, formatComparison, formatSummary } from './summary-format.ts';
import { compare, summarizeResults, type SummaryCell } from './summary.ts';

const cell = (median: number, low: number, high: number): SummaryCell => ({
  median,
  interval: [low, high],
  cv: 0,
  mad: 0,
  noisy: false,
  belowFloor: false,
});

function row(strategy: string, phase: ResultRow['phase'], samples: number[][]): ResultRow {
  return { workload: 'w/1', strategy, phase, samples, summary: summarizeProcesses(samples), gc: 'per-row' };
}

function results(rows: ResultRow[], workloads: Record<string, unknown> = { 'w/1': {} }): Results {
  return {
    config: { strategies: ['val', 'cached'], workloads: ['w/1'], seed: 3, processes: 2, slowdowns: [] },
    workloads,
    rows,
    unavailable: [],
  } as unknown as Results;
}

describe('bench summary', () => {
  it('states a speed-up only where the intervals are apart, and ≈ where they overlap', () => {
    expect(compare('cached', cell(100, 90, 110), cell(300, 280, 320))).toEqual({ strategy: 'cached', speedup: 3, verdict: 'faster' });
    expect(compare('cached', cell(300, 280, 320), cell(100, 90, 110)).verdict).toBe('slower');
    expect(compare('cached', cell(100, 90, 130), cell(120, 125, 140)).verdict).toBe('same');
    expect(formatComparison(compare('cached', cell(100, 90, 130), cell(120, 125, 140)))).toBe('cached ≈');
    expect(formatComparison(compare('val', cell(300, 280, 320), cell(100, 90, 110)))).toBe('val 3.00× slower');
  });

  it('prints a cell as the median and the wider side of its interval', () => {
    expect(formatCell(cell(2000, 1900, 2300))).toBe('2.00 µs ±15%');
    expect(formatCell(cell(2000, 1990, 2010))).toBe('2.00 µs ±0.5%');
    expect(formatCell(undefined)).toBe('—');
  });

  it('marks noisy rows and rows below their floor, and counts them', () => {
    const summary = summarizeResults(
      results([
        row('val', 'instantiate', [[1000, 1010, 990], [1005, 995, 1000]]),
        // Process medians 400 and 800: the interval spans both, ±33% of the median.
        row('cached', 'instantiate', [[400, 410, 390], [800, 810, 790]]),
        row('floor', 'instantiate', [[300, 305, 310], [300, 305, 310]]),
        row('v8', 'instantiate', [[3000, 3010, 2990], [3000, 3010, 2990]]),
      ]),
    );
    const [instantiate] = summary.phases;
    expect(instantiate.columns).toEqual(['val', 'cached', 'v8', 'floor']);
    const line = instantiate.lines[0];
    expect(line.cells.cached).toMatchObject({ noisy: true, belowFloor: false, interval: [390, 810] });
    expect(line.cells.val).toMatchObject({ noisy: false, belowFloor: false });
    expect(summary.noisyRows).toBe(1);
    expect(line.bestVsV8).toMatchObject({ strategy: 'cached', verdict: 'faster' });
    const below = summarizeResults(results([row('val', 'instantiate', [[500, 510], [505, 495]]), row('floor', 'instantiate', [[900, 905], [910, 900]])]));
    expect(below.floorViolations).toEqual([{ workload: 'w/1', strategy: 'val' }]);
    expect(formatSummary(below, 'text')).toMatch(/floor violations \(marked !\): w\/1 val/);
  });

  it('names an injected slowdown in every format', () => {
    const injected = { ...results([row('val', 'instantiate', [[1, 2, 3]])]), config: { ...results([]).config, slowdowns: [{ strategy: 'val', percent: 10 }] } } as Results;
    const summary = summarizeResults(injected);
    expect(formatSummary(summary, 'text')).toContain('INJECTED SLOWDOWN: val');
    expect(formatSummary(summary, 'md')).toContain('INJECTED SLOWDOWN: val');
    expect(JSON.parse(formatSummary(summary, 'json')).slowdowns).toEqual([{ strategy: 'val', percent: 10 }]);
  });

  it('adds what a compiled module keeps to the compile table, where it was measured', () => {
    const rows = [row('val', 'compile', [[2000, 2100]]), row('val', 'instantiate', [[500, 510]])];
    const measured = formatSummary(summarizeResults(results(rows, { 'w/1': { compiledMemory: { heapBytes: 460_000, arrayBufferBytes: 2_880_000 } } })), 'text');
    const [instantiate, compile] = measured.split('compile — ');
    expect(compile).toMatch(/best vs v8 +module keeps/);
    expect(compile).toMatch(/w\/1 .* 3\.34 MB/);
    expect(instantiate).not.toContain('module keeps');
    // A results file from before the measurement has no such column.
    expect(formatSummary(summarizeResults(results(rows)), 'text')).not.toContain('module keeps');
    expect(formatSummary(summarizeResults(results(rows, { 'w/1': { compiledMemory: { heapBytes: 0, arrayBufferBytes: 812_000 } } })), 'md')).toMatch(/\| 812 kB \|/);
  });

  it('states the memory pool in the footer of every format, and only when it was on', () => {
    const fresh = summarizeResults(results([row('val', 'instantiate', [[1, 2, 3]])]));
    const pooled = summarizeResults({ ...results([row('val', 'instantiate', [[1, 2, 3]])]), config: { ...results([]).config, memoryPool: true } } as Results);
    expect(formatSummary(pooled, 'text')).toMatch(/^≈: .* · 2 processes · seed 3 · memory pool on \(instantiate \+ release; v8 unchanged\)$/m);
    expect(formatSummary(pooled, 'md')).toMatch(/^- ≈: .* · seed 3 · memory pool on /m);
    expect(JSON.parse(formatSummary(pooled, 'json')).memoryPool).toBe(true);
    expect(formatSummary(fresh, 'text')).toMatch(/^≈: .* · seed 3$/m);
    expect(formatSummary(fresh, 'md')).not.toContain('memory pool');
    expect(fresh.memoryPool).toBe(false);
  });
});

