// `instlab check (--baseline NAME | --against REV)`: bench, then compare, with compare's
// output and exit status. Against a stored baseline the run takes the baseline's
// configuration (workloads, strategies, processes, samples, quick); against a revision
// both sides are measured paired, in the same processes (paired-run.ts).
import { join } from 'node:path';
import { UsageError } from '../bad-input.ts';
import { invocation } from '../format.ts';
import { baselinePath, BASELINES, readBaseline } from '../baseline.ts';
import { runBench, type BenchOptions } from '../bench/bench.ts';
import { compareFiles, exitStatus, parseCompareFlags, type CompareFlags } from '../compare/compare.ts';
import { formatCompare } from '../compare/compare-format.ts';
import type { Results } from '../results-file.ts';
import { runPaired } from './paired-run.ts';

export interface CheckOptions extends BenchOptions, Omit<CompareFlags, 'format' | 'seed'> {
  readonly baseline?: string;
  readonly against?: string;
  readonly baselines?: string;
  readonly compareFormat?: string;
}

export async function checkCommand(files: readonly string[], options: CheckOptions): Promise<number> {
  if ((options.baseline === undefined) === (options.against === undefined)) throw new UsageError('check needs one of --baseline NAME or --against REV');
  // Compare's flags are checked before minutes of measuring.
  const { options: compareOptions, format } = parseCompareFlags({ threshold: options.threshold, confidence: options.confidence, format: options.compareFormat });
  let base: Results;
  let head: Results;
  let paths: { base: string; head: string };
  if (options.baseline !== undefined) {
    const folder = options.baselines ?? BASELINES;
    base = await readBaseline(options.baseline, folder);
    const run = await runBench(files.length > 0 ? files : baselineFiles(base), withBaselineConfig(options, base));
    head = run.results;
    paths = { base: baselinePath(options.baseline, folder), head: run.out };
  } else {
    const run = await runPaired(files, options, options.against!);
    ({ base, head } = run);
    paths = { base: run.basePath, head: run.headPath };
  }
  const report = compareFiles(base, head, paths, compareOptions);
  const charts = options.chart === true ? await (await import('../chart/chart.ts')).writeCharts(paths.head, head, { base: paths.base }) : undefined;
  process.stdout.write(
    formatCompare(report, format, {
      commands: [invocation(), `npx instlab compare ${paths.base} ${paths.head}`],
      charts: charts === undefined ? undefined : [join(charts.folder, 'compare.png')],
    }),
  );
  process.stderr.write(`results: BASE ${paths.base}, HEAD ${paths.head}\n`);
  if (charts !== undefined) process.stderr.write(`charts: ${charts.report}\n`);
  return exitStatus(report);
}

/**
 * The bench settings of the baseline, so the two sides measure the same matrix the same
 * way; a flag given on the command line wins (and then compare lists the difference).
 */
function withBaselineConfig(options: CheckOptions, base: Results): BenchOptions {
  const { config } = base;
  const builtIn = config.workloads.filter((name) => base.workloads[name]?.file === undefined);
  return {
    ...options,
    quick: options.quick ?? config.quick,
    memoryPool: options.memoryPool ?? config.memoryPool,
    processes: options.processes ?? String(config.processes),
    samples: options.samples ?? (config.samples === null ? undefined : String(config.samples)),
    strategy: options.strategy ?? config.strategies,
    // Workload names hold no wildcard, so each name is a glob that matches only itself.
    workload: options.workload ?? (builtIn.length > 0 ? builtIn : undefined),
  };
}

/** Module files the baseline measured (by the path it was given), when no file is named now. */
function baselineFiles(base: Results): string[] {
  return base.config.workloads.filter((name) => base.workloads[name]?.file !== undefined);
}
