// The summary of a results file, as plain data that every format (text, Markdown, JSON)
// prints: per phase, a line per workload with each strategy's median and interval, the
// `v8` and `floor` reference rows, and the best strategy against V8, stated as a
// difference only where the intervals do not overlap. Rows too noisy to trust and rows
// that beat their floor (which would mean the floor or the row is wrong) are flagged.
import type { Phase, ResultRow, Results } from '../results-file.ts';
import type { Slowdown } from './slowdown.ts';

/**
 * A row is noisy when its interval is wider than ±10 % of its median: the table could not
 * tell a 10 % change in it from noise.
 */
export const NOISE_LIMIT = 0.1;

export interface SummaryCell {
  readonly median: number;
  readonly interval: readonly [number, number];
  readonly cv: number;
  readonly mad: number;
  readonly noisy: boolean;
  /** The whole interval lies below the floor's: a floor violation. */
  readonly belowFloor: boolean;
}

export interface Comparison {
  readonly strategy: string;
  /** V8's median over the strategy's: above 1 the strategy is faster. */
  readonly speedup: number;
  readonly verdict: 'faster' | 'slower' | 'same';
}

export interface SummaryLine {
  readonly workload: string;
  readonly cells: Readonly<Record<string, SummaryCell>>;
  /** The fastest strategy against `v8`; absent when V8 has no row. */
  readonly bestVsV8?: Comparison;
  /** Compile lines: bytes one compiled module keeps (heap and ArrayBuffers), when measured. */
  readonly keptBytes?: number;
}

export interface PhaseSummary {
  readonly phase: Phase;
  /** The strategies, then `v8`, then `floor` (instantiate only). */
  readonly columns: readonly string[];
  readonly lines: readonly SummaryLine[];
}

export interface BenchSummary {
  readonly schema: 'instlab.summary/1';
  readonly seed: number;
  readonly processes: number;
  readonly slowdowns: readonly Slowdown[];
  /** Instantiate rows of ours and the floor were measured with a memory pool (instantiate + release). */
  readonly memoryPool: boolean;
  readonly noiseLimit: number;
  readonly phases: readonly PhaseSummary[];
  readonly noisyRows: number;
  readonly rows: number;
  readonly floorViolations: readonly { readonly workload: string; readonly strategy: string }[];
  readonly unavailable: Results['unavailable'];
}

const PHASES: readonly Phase[] = ['instantiate', 'compile'];

export function summarizeResults(results: Results): BenchSummary {
  const byKey = new Map(results.rows.map((row) => [`${row.workload}\0${row.strategy}\0${row.phase}`, row]));
  const rowOf = (workload: string, strategy: string, phase: Phase) => byKey.get(`${workload}\0${strategy}\0${phase}`);
  const floorViolations: { workload: string; strategy: string }[] = [];
  let noisyRows = 0;
  const phases = PHASES.map((phase): PhaseSummary => {
    const columns = [...results.config.strategies, 'v8', ...(phase === 'instantiate' ? ['floor'] : [])];
    const lines = results.config.workloads.map((workload): SummaryLine => {
      const floor = rowOf(workload, 'floor', phase);
      const cells: Record<string, SummaryCell> = {};
      for (const column of columns) {
        const row = rowOf(workload, column, phase);
        if (row === undefined) continue;
        const belowFloor = floor !== undefined && column !== 'floor' && column !== 'v8' && row.summary.interval[1] < floor.summary.interval[0];
        if (belowFloor) floorViolations.push({ workload, strategy: column });
        const cell = cellOf(row, belowFloor);
        if (cell.noisy) noisyRows++;
        cells[column] = cell;
      }
      const best = results.config.strategies
        .filter((s) => cells[s] !== undefined)
        .reduce<string | undefined>((a, s) => (a === undefined || cells[s].median < cells[a].median ? s : a), undefined);
      const v8 = cells.v8;
      const memory = phase === 'compile' ? results.workloads[workload]?.compiledMemory : undefined;
      return {
        workload,
        cells,
        ...(best === undefined || v8 === undefined ? {} : { bestVsV8: compare(best, cells[best], v8) }),
        ...(memory === undefined ? {} : { keptBytes: memory.heapBytes + memory.arrayBufferBytes }),
      };
    });
    return { phase, columns, lines };
  });
  return {
    schema: 'instlab.summary/1',
    seed: results.config.seed,
    processes: results.config.processes,
    slowdowns: results.config.slowdowns,
    memoryPool: results.config.memoryPool === true,
    noiseLimit: NOISE_LIMIT,
    phases,
    noisyRows,
    rows: results.rows.length,
    floorViolations,
    unavailable: results.unavailable,
  };
}

function cellOf(row: ResultRow, belowFloor: boolean): SummaryCell {
  const { median, interval, cv, mad } = row.summary;
  return { median, interval, cv, mad, noisy: (interval[1] - interval[0]) / 2 > NOISE_LIMIT * median, belowFloor };
}

/** The strategy against V8: a speed-up or slow-down only where the intervals are apart. */
export function compare(strategy: string, cell: SummaryCell, v8: SummaryCell): Comparison {
  const speedup = v8.median / cell.median;
  const verdict = cell.interval[1] < v8.interval[0] ? 'faster' : cell.interval[0] > v8.interval[1] ? 'slower' : 'same';
  return { strategy, speedup, verdict };
}
