// `instlab merge SHARD.json... --out RUN.json [--force]`: the results files of the shards
// of one run (`bench --shard I/N`, e.g. on the machines of a CI matrix) become one
// results file. Shards measured on different engines or machines, with different
// settings or seeds, would make one table of incomparable rows, so they are refused
// unless `--force`, and then every mismatch let through is recorded in the result.
import { BadInput } from './bad-input.ts';
import { environmentDifferences } from './bench/environment.ts';
import { readResults, RESULTS_SCHEMA, writeResults, type Results, type ResultsConfig } from './results-file.ts';

export interface MergeOptions {
  readonly out: string;
  readonly force?: boolean;
}

export async function mergeCommand(files: readonly string[], options: MergeOptions): Promise<number> {
  const parts: { file: string; results: Results }[] = [];
  for (const file of files) parts.push({ file, results: await readResults(file) });
  const merged = mergeResults(parts, options.force === true);
  await writeResults(options.out, merged);
  const forced = merged.config.merged!.forced;
  process.stderr.write(
    `merged ${parts.length} files: ${merged.config.workloads.length} modules, ${merged.rows.length} rows → ${options.out}` +
      `${forced.length === 0 ? '' : ` (forced: ${forced.join('; ')})`}\n`,
  );
  return 0;
}

/** Settings that must agree between shards (everything but the shard and the module list). */
const SHARED_SETTINGS: readonly (keyof ResultsConfig)[] = [
  'quick', 'processes', 'samples', 'budgetMs', 'minIterations', 'maxIterations', 'strategies', 'seed', 'slowdowns', 'memoryPool',
];

export function mergeResults(parts: readonly { file: string; results: Results }[], force: boolean): Results {
  if (parts.length < 2) throw new BadInput('merge needs at least two results files');
  const [first, ...rest] = parts;
  // Shard problems first: a missing or repeated shard says more than the settings it differs in.
  const mismatches: string[] = shardProblems(parts);
  for (const { file, results } of rest) {
    for (const difference of environmentDifferences(first.results.environment, results.environment)) {
      mismatches.push(`${file}: environment ${difference}`);
    }
    for (const setting of SHARED_SETTINGS) {
      const a = JSON.stringify(first.results.config[setting]);
      const b = JSON.stringify(results.config[setting]);
      if (a !== b) mismatches.push(`${file}: ${setting} ${b} vs ${a} in ${first.file}`);
    }
  }
  if (mismatches.length > 0 && !force) {
    throw new BadInput(`cannot merge: ${mismatches[0]}${mismatches.length > 1 ? ` (and ${mismatches.length - 1} more)` : ''}; --force merges anyway`);
  }
  const seen = new Map<string, string>();
  for (const { file, results } of parts) {
    for (const workload of results.config.workloads) {
      const other = seen.get(workload);
      // Two sets of samples for one row cannot become one row, forced or not.
      if (other !== undefined) throw new BadInput(`cannot merge: ${workload} is measured in both ${other} and ${file}`);
      seen.set(workload, file);
    }
  }
  const ordered = [...parts].sort((a, b) => (a.results.config.shard?.index ?? 0) - (b.results.config.shard?.index ?? 0));
  const all = ordered.map((p) => p.results);
  return {
    schema: RESULTS_SCHEMA,
    createdAt: new Date().toISOString(),
    environment: first.results.environment,
    config: {
      ...first.results.config,
      workloads: all.flatMap((r) => r.config.workloads),
      shard: null,
      merged: { shards: parts.length, forced: mismatches },
    },
    workloads: Object.assign({}, ...all.map((r) => r.workloads)),
    rows: all.flatMap((r) => r.rows),
    counters: Object.assign({}, ...all.map((r) => r.counters)),
    unavailable: all.flatMap((r) => r.unavailable),
  };
}

/** Every file a different shard of one split, and no shard missing. */
function shardProblems(parts: readonly { file: string; results: Results }[]): string[] {
  const problems: string[] = [];
  const counts = new Set<number>();
  const indices = new Map<number, string>();
  for (const { file, results } of parts) {
    const shard = results.config.shard;
    if (shard === null) {
      problems.push(`${file}: not a shard (measured without --shard)`);
      continue;
    }
    counts.add(shard.count);
    const other = indices.get(shard.index);
    if (other !== undefined) problems.push(`${file}: shard ${shard.index} again (also ${other})`);
    indices.set(shard.index, file);
  }
  if (counts.size > 1) problems.push(`shards of different splits (${[...counts].map((c) => `/${c}`).join(', ')})`);
  else if (counts.size === 1) {
    const count = [...counts][0];
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indices.has(i));
    if (missing.length > 0) problems.push(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  }
  return problems;
}
