// `instlab baseline save NAME [RUN.json] [--force]`, `baseline list`, `baseline show NAME`:
// named results files under results/baselines/, the BASE that `instlab check --baseline`
// measures against. A saved baseline is never replaced without --force: the save is a
// hard link of a finished temporary file, which fails atomically when NAME exists.
import { link, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadInput, UsageError } from './bad-input.ts';
import { formatSummary } from './bench/summary-format.ts';
import { summarizeResults } from './bench/summary.ts';
import { readResults, type Results } from './results-file.ts';

/** Where baselines live unless --baselines names another folder. */
export const BASELINES = fileURLToPath(new URL('../results/baselines/', import.meta.url));
const RUNS = fileURLToPath(new URL('../results/runs/', import.meta.url));

export interface BaselineOptions {
  readonly force?: boolean;
  readonly baselines?: string;
}

export function baselinePath(name: string, folder: string = BASELINES): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) || name.endsWith('.json')) {
    throw new UsageError(`baseline name must be letters, digits, '.', '_' or '-' (no .json, no folders), not ${JSON.stringify(name)}`);
  }
  return join(folder, `${name}.json`);
}

export async function readBaseline(name: string, folder: string = BASELINES): Promise<Results> {
  const path = baselinePath(name, folder);
  try {
    await stat(path);
  } catch {
    const known = await baselineNames(folder);
    throw new BadInput(`no baseline ${name} in ${folder} (${known.length === 0 ? 'there are none; instlab baseline save NAME makes one' : `known: ${known.join(', ')}`})`);
  }
  return readResults(path);
}

async function baselineNames(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

export async function saveBaseline(name: string, run: string | undefined, options: BaselineOptions): Promise<number> {
  const folder = options.baselines ?? BASELINES;
  const target = baselinePath(name, folder);
  const source = run ?? (await newestRun());
  const results = await readResults(source);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(results)}\n`);
    if (options.force === true) await rename(temporary, target);
    else await link(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new BadInput(`baseline ${name} exists (${target}); --force replaces it`);
    throw new BadInput(`${target}: cannot write: ${code ?? String(error)}`);
  } finally {
    await rm(temporary, { force: true });
  }
  process.stderr.write(`baseline ${name} ← ${source} (${describe(results)})\n`);
  return 0;
}

/** The newest results file in results/runs/, the default RUN of `baseline save`. */
async function newestRun(): Promise<string> {
  let files: string[] = [];
  try {
    files = (await readdir(RUNS)).filter((f) => f.endsWith('.json'));
  } catch {
    // no runs folder yet: reported below
  }
  if (files.length === 0) throw new BadInput(`no results file in ${RUNS}: run instlab bench first, or name one`);
  const dated = await Promise.all(files.map(async (f) => ({ f, at: (await stat(join(RUNS, f))).mtimeMs })));
  dated.sort((a, b) => b.at - a.at);
  return join(RUNS, dated[0].f);
}

function describe(results: Results): string {
  const { config, environment } = results;
  const commit = environment.git.commit === null ? 'no commit' : `${environment.git.commit.slice(0, 12)}${environment.git.dirty ? ' dirty' : ''}`;
  return (
    `${config.workloads.length} modules × ${config.strategies.length} strategies, ${config.processes} processes` +
    `${config.quick ? ', quick' : ''}${config.memoryPool === true ? ', memory pool on' : ''}; ${commit}; Node ${environment.node}; ${environment.cpu}; ${results.createdAt}`
  );
}

export async function listBaselines(options: BaselineOptions): Promise<number> {
  const folder = options.baselines ?? BASELINES;
  const names = await baselineNames(folder);
  if (names.length === 0) process.stdout.write(`no baselines in ${folder}\n`);
  for (const name of names) {
    try {
      process.stdout.write(`${name.padEnd(24)} ${describe(await readResults(join(folder, `${name}.json`)))}\n`);
    } catch (error) {
      // One unreadable baseline must not hide the others: it is listed with its problem.
      process.stdout.write(`${name.padEnd(24)} UNREADABLE: ${(error as Error).message}\n`);
    }
  }
  return 0;
}

/** `baseline show NAME`, or a results file's path (ending in .json) to show any run the same way. */
export async function showBaseline(name: string, options: BaselineOptions & { format?: string }): Promise<number> {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'md') throw new UsageError(`--format must be text or md, not ${format}`);
  const isFile = name.endsWith('.json');
  const results = isFile ? await readResults(name) : await readBaseline(name, options.baselines ?? BASELINES);
  const title = isFile ? name : `baseline ${name}`;
  process.stdout.write(format === 'md' ? `## ${title}\n\n${describe(results)}\n\n` : `${title}: ${describe(results)}\n`);
  process.stdout.write(formatSummary(summarizeResults(results), format));
  return 0;
}
