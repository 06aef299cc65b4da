// Where a result was measured. Timings are only comparable on the same engine and
// machine, so a result records both, and the exact source it measured.
import { execFileSync } from 'node:child_process';
import { cpus, platform, release, arch } from 'node:os';

export interface Environment {
  readonly node: string;
  readonly v8: string;
  readonly cpu: string;
  readonly cores: number;
  readonly os: string;
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
  /** Node flags of the measuring processes. */
  readonly flags: readonly string[];
  /** Environment variables set for the measuring processes (run-worker.ts). */
  readonly env: Readonly<Record<string, string>>;
  /** The CPUs the measuring processes were pinned to (`taskset -c`), or null. */
  readonly pin: string | null;
  readonly timer: { readonly source: string; readonly resolutionNs: number };
  /** How the `v8` compile row avoids V8's module cache. */
  readonly v8CompileCache: string;
}

export function currentEnvironment(flags: readonly string[], env: Readonly<Record<string, string>>, pin: string | null): Environment {
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    os: `${platform()} ${release()} ${arch()}`,
    git: gitState(),
    flags,
    env,
    pin,
    timer: { source: 'process.hrtime.bigint', resolutionNs: timerResolutionNs() },
    v8CompileCache: 'bypassed: unique bytes per sample (a changing custom section)',
  };
}

/**
 * The smallest step the sample timer shows: the least non-zero difference between two
 * consecutive readings. Samples closer together than this cannot be told apart.
 */
export function timerResolutionNs(read: () => bigint = process.hrtime.bigint): number {
  let least = Infinity;
  for (let i = 0; i < 2000; i++) {
    const a = read();
    let b = read();
    while (b === a) b = read();
    least = Math.min(least, Number(b - a));
  }
  return least;
}

/** The fields that must agree for two results to be comparable or mergeable. */
export function environmentDifferences(a: Environment, b: Environment): string[] {
  const fields: [string, unknown, unknown][] = [
    ['node', a.node, b.node],
    ['v8', a.v8, b.v8],
    ['cpu', a.cpu, b.cpu],
    ['cores', a.cores, b.cores],
    ['os', a.os, b.os],
    ['git commit', a.git.commit, b.git.commit],
    ['flags', a.flags.join(' '), b.flags.join(' ')],
    ['pin', a.pin, b.pin],
    ['env', JSON.stringify(a.env), JSON.stringify(b.env)],
  ];
  return fields.filter(([, x, y]) => x !== y).map(([name, x, y]) => `${name}: ${String(x)} vs ${String(y)}`);
}

function gitState(): Environment['git'] {
  try {
    const cwd = new URL('../..', import.meta.url);
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}
