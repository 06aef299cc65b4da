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
}

export function currentEnvironment(flags: readonly string[]): Environment {
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    os: `${platform()} ${release()} ${arch()}`,
    git: gitState(),
    flags,
  };
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
