// A git revision as a directory beside the working tree, for `instlab check --against`:
// a detached worktree with its dependencies (the current node_modules when the lockfiles
// are the same, else `npm ci` from its own lockfile), removed again when the check ends.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { lstat, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadInput } from '../bad-input.ts';
import { WORKER_ENTRY_VERSION } from '../bench/worker-entry.ts';

/** This project's folder (the repository may hold it in a subfolder). */
export const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
export const ENTRY = 'scripts/bench/worker-entry.ts';

export interface Revision {
  readonly ref: string;
  readonly commit: string;
  /** The project's folder inside the materialized revision. */
  readonly project: string;
  readonly entry: string;
  readonly dependencies: 'shared' | 'installed' | 'committed';
  /** The bench row options its worker entry takes (`BENCH_ROW_OPTIONS`; none before there were any). */
  readonly rowOptions: readonly string[];
  remove(): Promise<void>;
}

function git(args: readonly string[], cwd: string = PROJECT): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.error !== undefined) throw new BadInput('--against needs git, which is not installed');
  if (result.status !== 0) throw new GitError(result.stderr.trim().split('\n')[0] ?? `git ${args.join(' ')} failed`);
  return result.stdout;
}

class GitError extends Error {}

export async function materialize(ref: string): Promise<Revision> {
  let commit: string;
  let prefix: string;
  try {
    prefix = git(['rev-parse', '--show-prefix']).trim();
    commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
  } catch (error) {
    if (error instanceof GitError) throw new BadInput(`--against ${ref}: not a revision of the repository at ${PROJECT} (${error.message || 'unknown revision'})`);
    throw error;
  }
  const rowOptions = checkEntry(ref, commit, prefix);
  const dir = await mkdtemp(join(tmpdir(), 'instlab-against-'));
  try {
    git(['worktree', 'add', '--detach', '--quiet', dir, commit]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new BadInput(`--against ${ref}: cannot make a worktree: ${(error as Error).message}`);
  }
  const project = join(dir, prefix);
  // Synchronous, so that an interrupted check (Ctrl-C, a CI timeout's SIGTERM) can still
  // remove the worktree from its signal handler instead of leaving it registered.
  const removeNow = () => {
    try {
      git(['worktree', 'remove', '--force', dir]);
    } catch {
      // already gone, or git refused: the folder is removed below either way
    }
    rmSync(dir, { recursive: true, force: true });
    try {
      git(['worktree', 'prune']);
    } catch {
      // pruning is tidiness only
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    removeNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const remove = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removeNow();
  };
  try {
    const dependencies = await provideDependencies(project);
    return { ref, commit, project, entry: join(project, ENTRY), dependencies, rowOptions, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * The revision must have the worker entry, in the version this revision speaks. Returns
 * the row options it lists, read from its source as the version is.
 */
function checkEntry(ref: string, commit: string, prefix: string): string[] {
  let source: string;
  try {
    source = git(['show', `${commit}:${prefix}${ENTRY}`]);
  } catch {
    let first = '';
    try {
      first = git(['log', '--diff-filter=A', '--format=%h %s', '--reverse', '--', ENTRY]).split('\n')[0] ?? '';
    } catch {
      // no history to search
    }
    throw new BadInput(
      `--against ${ref} (${commit.slice(0, 12)}) predates the paired worker entry ${ENTRY}; ` +
        (first === '' ? 'no committed revision has it yet' : `the first revision with it is ${first.split(' ')[0]} ("${first.slice(first.indexOf(' ') + 1)}")`),
    );
  }
  const version = /WORKER_ENTRY_VERSION = (\d+)/.exec(source)?.[1];
  if (Number(version) !== WORKER_ENTRY_VERSION) {
    throw new BadInput(`--against ${ref}: its worker entry is version ${version ?? 'unknown'}, this revision measures version ${WORKER_ENTRY_VERSION}`);
  }
  return rowOptionsOf(source);
}

/** The options a worker entry's source lists in `BENCH_ROW_OPTIONS`: none in one from before the list. */
export function rowOptionsOf(source: string): string[] {
  const list = /BENCH_ROW_OPTIONS[^=]*=\s*\[([^\]]*)\]/.exec(source)?.[1] ?? '';
  return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

async function provideDependencies(project: string): Promise<Revision['dependencies']> {
  // A revision that committed its node_modules (a symlink, say) brings its own.
  if (await exists(join(project, 'node_modules'))) return 'committed';
  const [ours, theirs] = await Promise.all([readFile(join(PROJECT, 'package-lock.json'), 'utf8'), readFile(join(project, 'package-lock.json'), 'utf8').catch(() => '')]);
  if (ours === theirs) {
    await symlink(join(PROJECT, 'node_modules'), join(project, 'node_modules'), 'dir');
    return 'shared';
  }
  process.stderr.write(`check: the revision's package-lock.json differs; installing its dependencies (npm ci)\n`);
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new BadInput(`cannot install the dependencies of the revision: ${(error as Error).message.split('\n')[0]}`);
  }
  return 'installed';
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
