// Assembled workloads, cached on disk by content: the key is a hash of the assembler,
// its version and the exact text, so a module is assembled once and reused by every
// later run until its generator's output or the assembler changes. Files are written
// atomically (temporary file, then rename), so concurrent runs never read half a module.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Assembler } from './assemble.ts';

/** `.cache/workloads` at the repository root (git-ignored). */
const DEFAULT_CACHE_DIRECTORY = fileURLToPath(new URL('../.cache/workloads', import.meta.url));

export interface ModuleCacheOptions {
  readonly directory?: string;
}

export class ModuleCache {
  readonly directory: string;
  /** Modules already read or assembled by this process, by key. */
  private readonly loaded = new Map<string, Promise<Uint8Array>>();

  constructor(options: ModuleCacheOptions = {}) {
    this.directory = options.directory ?? DEFAULT_CACHE_DIRECTORY;
  }

  /** The bytes of `source` assembled by `assembler`; assembles only on a cache miss. */
  assembled(assembler: Assembler, fileName: string, source: string): Promise<Uint8Array> {
    const key = cacheKey(assembler, source);
    let bytes = this.loaded.get(key);
    if (bytes === undefined) {
      bytes = this.readOrAssemble(key, assembler, fileName, source);
      this.loaded.set(key, bytes);
      bytes.catch(() => this.loaded.delete(key));
    }
    return bytes;
  }

  private async readOrAssemble(key: string, assembler: Assembler, fileName: string, source: string): Promise<Uint8Array> {
    const file = join(this.directory, `${key}.wasm`);
    try {
      return new Uint8Array(await readFile(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const bytes = await assembler.assemble(fileName, source);
    await mkdir(this.directory, { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, file);
    return bytes;
  }
}

function cacheKey(assembler: Assembler, source: string): string {
  return createHash('sha256').update(`${assembler.name}@${assembler.version}\0`).update(source).digest('hex');
}

/** The cache every command shares. */
export const moduleCache = new ModuleCache();
