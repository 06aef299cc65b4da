// The `instlab` command line. Exit status: 0 success, 1 a regression or failed check,
// 2 bad input or usage (one line naming the file and the problem; `--verbose` adds the
// stack trace).
import { Command, CommanderError } from 'commander';
import { BadInput, UsageError } from './bad-input.ts';
// Each command's module is loaded when the command runs, so a quick command does not pay
// for loading the workloads, the assemblers and the bench.

export async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const program = new Command('instlab')
    .description('WebAssembly instantiation lab: inspect, benchmark and compare instantiation strategies')
    .option('--verbose', 'print stack traces for errors')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`instlab: ${text.replace(/^error: /, '')}`),
    });
  let status = 0;

  program
    .command('inspect')
    .description('instantiate a module (.wasm or .wat) and print its instance state')
    .argument('<file>', 'a .wasm or .wat module, or a workload name (see `instlab workloads`)')
    .option('--strategy <name>', 'instantiation strategy (see `instlab strategies`)')
    .option('--imports <file.json>', 'externs to import, as JSON')
    .option('--stub-imports', 'give every import a default (zero, null, trapping function, fresh memory/table)')
    .option('--skip-start', 'instantiate a module with a start function without running it')
    .option('--json', 'print the instance state as JSON')
    .option('--counters', 'print the operation counters of the instantiation (every strategy, or --strategy)')
    .option('--show-code', "print the compiled strategy's generated initializer")
    .action(async (file: string, options) => {
      status = await (await import('./inspect.ts')).inspectCommand(file, options);
    });

  benchOptions(program.command('bench'))
    .description('measure compile and instantiate per module × strategy, with v8 and floor reference rows')
    .option('--shard <i/n>', 'measure the i-th of n parts of the matrix, balanced by expected cost (merge them with instlab merge)')
    .option('--format <format>', 'summary on stdout: text, md or json (the results file always has everything)', 'text')
    .option('--out <file>', 'results file (default results/runs/<time>.json)')
    .option('--chart', 'also draw the charts and report.html of the run (as instlab chart)')
    .action(async (files: string[], options) => {
      const { benchCommand } = await import('./bench/bench.ts');
      status = await benchCommand(files, {
        ...options,
        workload: options.workload.length > 0 ? options.workload : undefined,
        strategy: options.strategy.length > 0 ? options.strategy : undefined,
      });
    });

  program
    .command('merge')
    .description('combine the results files of the shards of one run into one results file')
    .argument('<files...>', 'results files of the shards (instlab bench --shard I/N)')
    .requiredOption('--out <file>', 'the merged results file')
    .option('--force', 'merge files from different environments, configurations or seeds (recorded in the result)')
    .action(async (files: string[], options: { out: string; force?: boolean }) => {
      status = await (await import('./merge.ts')).mergeCommand(files, options);
    });

  program
    .command('compare')
    .description('verdict per row of two results files: regressed, improved, unchanged or inconclusive (exit 1 on a regression)')
    .argument('<base>', 'results file of the base (e.g. a baseline)')
    .argument('<head>', 'results file of the change')
    .option('--threshold <pct>', 'practical threshold: changes inside ±PCT % count as unchanged', '5')
    .option('--confidence <c>', 'family-wise confidence over all rows compared', '0.99')
    .option('--seed <n>', 'seed of the bootstrap (the same files and seed give the same intervals)', '1')
    .option('--format <format>', 'text, md (pull requests), json or gab (github-action-benchmark)', 'text')
    .option('--charts <dir>', 'link the charts that instlab chart HEAD --base BASE --out DIR drew from the Markdown')
    .action(async (base: string, head: string, options) => {
      status = await (await import('./compare/compare.ts')).compareCommand(base, head, options);
    });

  const baseline = program.command('baseline').description('named results files in results/baselines/ for instlab check --baseline');
  baseline
    .command('save')
    .description('save a results file as baseline NAME (never replaces one without --force)')
    .argument('<name>', 'letters, digits, ., _ and -')
    .argument('[run]', 'results file (default: the newest in results/runs/)')
    .option('--force', 'replace an existing baseline of that name')
    .option('--baselines <dir>', 'baseline folder (default results/baselines/)')
    .action(async (name: string, run: string | undefined, options) => {
      status = await (await import('./baseline.ts')).saveBaseline(name, run, options);
    });
  baseline
    .command('list')
    .description('list the baselines with where and when they were measured')
    .option('--baselines <dir>', 'baseline folder (default results/baselines/)')
    .action(async (options) => {
      status = await (await import('./baseline.ts')).listBaselines(options);
    });
  baseline
    .command('show')
    .description("print a baseline's environment and summary table (or any results file's, given its path)")
    .argument('<name>', 'a baseline name, or a results file ending in .json')
    .option('--baselines <dir>', 'baseline folder (default results/baselines/)')
    .option('--format <format>', 'text or md', 'text')
    .action(async (name: string, options) => {
      status = await (await import('./baseline.ts')).showBaseline(name, options);
    });

  benchOptions(program.command('check'))
    .description('bench, then compare against a stored baseline or a git revision measured in the same processes (exit 1 on a regression)')
    .option('--baseline <name>', 'compare with this baseline, measuring with its configuration')
    .option('--against <rev>', 'measure this git revision and the working tree paired, in the same processes')
    .option('--baselines <dir>', 'baseline folder (default results/baselines/)')
    .option('--threshold <pct>', 'practical threshold in percent', '5')
    .option('--confidence <c>', 'family-wise confidence over all rows', '0.99')
    .option('--format <format>', 'text, md, json or gab (as compare)', 'text')
    .option('--out <file>', 'HEAD results file (BASE of --against goes beside it as NAME.base.json)')
    .option('--chart', 'also draw the charts of HEAD and of the comparison, and link them from the Markdown')
    .action(async (files: string[], options) => {
      const { format, ...rest } = options;
      status = await (await import('./check/check.ts')).checkCommand(files, {
        ...rest,
        compareFormat: format,
        workload: options.workload.length > 0 ? options.workload : undefined,
        strategy: options.strategy.length > 0 ? options.strategy : undefined,
      });
    });

  program
    .command('history')
    .description('order results files by commit date and report change points per row (E-divisive means)')
    .argument('<inputs...>', 'results files, or folders of them')
    .option('--metric <row>', 'only this row: WORKLOAD:STRATEGY:PHASE')
    .option('--significance <p>', 'significance level of the permutation test', '0.01')
    .option('--format <format>', 'text or json', 'text')
    .action(async (inputs: string[], options) => {
      status = await (await import('./history/history.ts')).historyCommand(inputs, options);
    });

  program
    .command('chart')
    .description('charts of a results file as SVG, PNG and vega-lite specs, and one self-contained report.html')
    .argument('<run>', 'results file (instlab bench --out)')
    .option('--base <file>', 'also chart the comparison BASE → RUN (as instlab compare)')
    .option('--history <dir>', 'also chart the history of these results files or folders (repeatable)', collect, [])
    .option('--metric <row>', 'history: only this row, WORKLOAD:STRATEGY:PHASE (default: the rows with the largest change points)')
    .option('--workload <name>', 'workloads of the distribution and counters charts (repeatable; default chosen and named in the report)', collect, [])
    .option('--control <strategy>', 'the strategy the speed-up chart divides by', 'val')
    .option('--out <dir>', 'folder for the files (default results/charts/<run name>/)')
    .action(async (run: string, options) => {
      status = await (await import('./chart/chart.ts')).chartCommand(run, options);
    });

  program
    .command('calibrate')
    .description("measure the gate's false-positive and detection rates on this machine, for baselines and paired checks")
    .option('--quick', 'the quick configuration (2 processes per side; under 15 minutes)')
    .option('--comparisons <n>', 'comparisons drawn per mode (default 200, or 300 without --quick)')
    .option('--processes <n>', 'processes measured per run (default 10, or 12 without --quick)')
    .option('--seed <n>', 'orders the runs and draws the comparisons (default from the clock)')
    .option('--per-side <n>', 'processes per side in each comparison (default 2, or 3 without --quick)')
    .option('--keep <dir>', 'keep the measured results files in this folder')
    .option('--json', 'print instlab.calibration/1 JSON')
    .action(async (options) => {
      status = await (await import('./calibrate/calibrate.ts')).calibrateCommand(options);
    });

  program
    .command('workloads')
    .description('list the built-in workloads with size, family and feature tags')
    .option('--json', 'print as JSON')
    .action(async (options) => {
      status = await (await import('./workloads.ts')).workloadsCommand(options);
    });

  program
    .command('strategies')
    .description('list the instantiation strategies')
    .option('--json', 'print as JSON')
    .action(async (options) => {
      status = (await import('./strategies.ts')).strategiesCommand(options);
    });

  program
    .command('spec')
    .description('run WebAssembly spec test scripts (binary form)')
    .argument('<files...>', '.bin.wast scripts')
    .option('--strategy <name>', 'instantiation strategy (see `instlab strategies`)')
    .action(async (files: string[], options: { strategy?: string }) => {
      const { requireStrategy } = await import('./strategies.ts');
      const strategy = options.strategy === undefined ? undefined : requireStrategy(options.strategy);
      status = (await import('./spec/spec.ts')).specCommand(files, { verbose, strategy });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      process.stderr.write(`${usageHint(program, argv)}\n`);
      return 2;
    }
    if (error instanceof BadInput) {
      process.stderr.write(`instlab: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write(`${usageHint(program, argv)}\n`);
      if (verbose) process.stderr.write(`${String((error.cause as Error | undefined)?.stack ?? error.stack)}\n`);
      return 2;
    }
    throw error;
  }
}

/** The measuring options `bench` and `check` share (with check, a slowdown is injected into HEAD only). */
function benchOptions(command: Command): Command {
  return command
    .argument('[files...]', '.wasm or .wat modules to measure (besides or instead of --workload)')
    .option('--quick', 'fewer samples and processes (under 3 minutes for every workload here)')
    .option('--workload <glob>', 'workloads to measure (repeatable; * and ? wildcards; default all, or none with files)', collect, [])
    .option('--strategy <name>', 'strategies to measure (repeatable; default all)', collect, [])
    .option('--processes <n>', 'measuring processes (default 3, or 2 with --quick)')
    .option('--samples <n>', 'a fixed number of samples per row and process (default: as many as the time budget allows)')
    .option('--seed <n>', 'orders modules and rows in every process (default from the clock; printed, recorded)')
    .option('--inject-slowdown <name=pct>', 'make a strategy do PCT % more work per instantiation (repeatable; recorded)', collect, [])
    .option('--imports <file.json>', 'externs for the module files, as JSON (as inspect --imports)')
    .option('--stub-imports', 'give every import of the module files a default (as inspect --stub-imports)')
    .option('--pin <cpus>', 'pin the measuring processes to these CPUs with taskset (e.g. 1)')
    .option('--memory-pool', 'instantiate rows take memories from a pool per row and release each instance in the timed call (recorded; v8 unchanged)');
}

/** The second line of a usage error: where the usage of the command that was run is. */
function usageHint(program: Command, argv: readonly string[]): string {
  const words: string[] = [];
  let command: Command | undefined = program;
  for (const arg of argv.filter((a) => !a.startsWith('-'))) {
    command = command.commands.find((c) => c.name() === arg);
    if (command === undefined) break;
    words.push(arg);
  }
  return `(instlab ${words.map((w) => `${w} `).join('')}--help shows the usage)`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
