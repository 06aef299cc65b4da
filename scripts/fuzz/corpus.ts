// The fuzzer's seeds: valid (and some deliberately invalid) modules to mutate. The
// workloads, every binary module of the spec scripts, the random-module generators'
// output, and any .wasm files of a --corpus folder. Modules over MAX_SEED_BYTES are left
// out: the real-world modules of several megabytes would cost most of the time for a
// few mutants.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGcModule } from '../../runtime/random/random-gc-module.ts';
import { generateModule } from '../../runtime/random/random-module.ts';
import { WORKLOADS } from '../../workloads/registry.ts';
import { workloadBytes } from '../../workloads/workload-bytes.ts';
import { parseScript, type Command, type ModuleCommand } from '../spec/spec-script.ts';
import { isProbe } from '../../runtime/v8/v8-instance-state.ts';
import { uleb } from '../../runtime/binary/wasm-bytes.ts';
import { readLeb, sectionSpans } from './mutate.ts';

export interface Seed {
  /** Where it came from: `workload globals-i32/10`, `spec binary.bin.wast:12`, `random 7`. */
  readonly origin: string;
  readonly bytes: Uint8Array;
}

export const MAX_SEED_BYTES = 64 * 1024;
const RANDOM_SEEDS = 150;
const SPEC_FOLDER = fileURLToPath(new URL('../../../shared/spec/binary/', import.meta.url));

export interface CorpusOptions {
  /** A folder of extra .wasm seeds. */
  readonly folder?: string;
  /** Fewer of each source, for a quick slice. */
  readonly small?: boolean;
}

export async function loadCorpus(options: CorpusOptions = {}): Promise<Seed[]> {
  const seeds: Seed[] = [];
  const add = (origin: string, bytes: Uint8Array): void => {
    if (bytes.length <= MAX_SEED_BYTES) seeds.push({ origin, bytes });
  };
  for (const workload of WORKLOADS) {
    if (workload.source.kind === 'npm' && options.small === true) continue;
    add(`workload ${workload.name}`, await workloadBytes(workload));
  }
  for (const seed of specModules(options.small === true ? 8 : Infinity)) add(seed.origin, seed.bytes);
  const randomSeeds = options.small === true ? 20 : RANDOM_SEEDS;
  for (let seed = 1; seed <= randomSeeds; seed++) {
    add(`random ${seed}`, withoutProbeExports(generateModule(seed).bytes));
    add(`random gc ${seed}`, generateGcModule(seed).bytes);
  }
  if (options.folder !== undefined) {
    for (const file of readdirSync(options.folder).filter((f) => f.endsWith('.wasm')).sort()) {
      add(`corpus ${file}`, new Uint8Array(readFileSync(join(options.folder, file))));
    }
  }
  return seeds;
}

/** The binary modules of the spec scripts beside the project (../shared/spec), if they are there. */
function specModules(maxFiles: number): Seed[] {
  if (!existsSync(SPEC_FOLDER)) return [];
  const seeds: Seed[] = [];
  for (const file of readdirSync(SPEC_FOLDER).filter((f) => f.endsWith('.bin.wast')).sort().slice(0, maxFiles)) {
    for (const module of scriptModules(parseScript(readFileSync(join(SPEC_FOLDER, file), 'utf8'), file))) {
      if (module.source.form === 'binary') seeds.push({ origin: `spec ${file}:${module.line}`, bytes: module.source.bytes });
    }
  }
  return seeds;
}

function scriptModules(commands: readonly Command[]): ModuleCommand[] {
  return commands.flatMap((command) => {
    switch (command.kind) {
      case 'module':
        return [command];
      case 'assert_malformed':
      case 'assert_invalid':
        return [command.module];
      case 'assert_unlinkable':
      case 'assert_uninstantiable':
        return command.target.kind === 'module' ? [command.target] : [];
      default:
        return [];
    }
  });
}

const EXPORT_SECTION = 7;

/**
 * A random module without the probe exports it carries for its own differential test:
 * the fuzzer's V8 side adds the same probes to its observable copy, and two exports of
 * one name make the copy invalid.
 */
function withoutProbeExports(bytes: Uint8Array): Uint8Array {
  const span = sectionSpans(bytes).find((s) => s.id === EXPORT_SECTION);
  if (span === undefined) return bytes;
  const count = readLeb(bytes, span.content)!;
  const kept: Uint8Array[] = [];
  let pos = span.content + count.length;
  for (let i = 0; i < count.value; i++) {
    const start = pos;
    const length = readLeb(bytes, pos)!;
    const name = new TextDecoder().decode(bytes.subarray(pos + length.length, pos + length.length + length.value));
    pos += length.length + length.value + 1;
    pos += readLeb(bytes, pos)!.length;
    if (!isProbe(name)) kept.push(bytes.subarray(start, pos));
  }
  const content = Buffer.concat([Uint8Array.from(uleb(kept.length)), ...kept]);
  return Buffer.concat([bytes.subarray(0, span.start), Uint8Array.from([EXPORT_SECTION, ...uleb(content.length)]), content, bytes.subarray(span.end)]);
}
