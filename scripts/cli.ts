// The `instlab` command line. Exit status: 0 success, 1 a regression or failed check,
// 2 bad input or usage (one line naming the file and the problem; `--verbose` adds the
// stack trace).
import { Command, CommanderError } from 'commander';
import { BadInput } from './bad-input.ts';
// Each command's module is loaded when the command runs, so a quick command does not pay
// for loading the workloads, the assemblers and the bench.

export async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const program = new Command('instlab')
    .description('WebAssembly instantiation lab: inspect, benchmark and compare instantiation strategies')
    .option('--verbose', 'print stack traces for errors')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
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

  program
    .command('bench')
    .description('measure compile and instantiate per module × strategy, with v8 and floor reference rows')
    .argument('[files...]', '.wasm or .wat modules to measure (besides or instead of --workload)')
    .option('--quick', 'fewer samples and processes (about 2 minutes for every workload)')
    .option('--workload <glob>', 'workloads to measure (repeatable; * and ? wildcards; default all, or none with files)', collect, [])
    .option('--strategy <name>', 'strategies to measure (repeatable; default all)', collect, [])
    .option('--processes <n>', 'measuring processes (default 3, or 2 with --quick)')
    .option('--samples <n>', 'a fixed number of samples per row and process (default: as many as the time budget allows)')
    .option('--seed <n>', 'orders modules and rows in every process (default from the clock; printed, recorded)')
    .option('--inject-slowdown <name=pct>', 'make a strategy do PCT % more work per instantiation (repeatable; recorded)', collect, [])
    .option('--shard <i/n>', 'measure the i-th of n parts of the matrix, balanced by expected cost (merge them with instlab merge)')
    .option('--imports <file.json>', 'externs for the module files, as JSON (as inspect --imports)')
    .option('--stub-imports', 'give every import of the module files a default (as inspect --stub-imports)')
    .option('--pin <cpus>', 'pin the measuring processes to these CPUs with taskset (e.g. 1)')
    .option('--format <format>', 'summary on stdout: text, md or json (the results file always has everything)', 'text')
    .option('--out <file>', 'results file (default results/runs/<time>.json)')
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
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof BadInput) {
      process.stderr.write(`instlab: ${error.message}\n`);
      if (verbose) process.stderr.write(`${String((error.cause as Error | undefined)?.stack ?? error.stack)}\n`);
      return 2;
    }
    throw error;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
