// Which assembler turns a workload's text into bytes. wabt is the project's assembler
// for text it supports; watr assembles the GC text wabt cannot (struct and array types,
// rec groups, GC constant expressions), and is also used for tables with initializer
// expressions, so one assembler is answerable for each feature.
import { compile as watrCompile } from 'watr';
import { assembleWat } from './wat.ts';
import { packageVersion } from './package-root.ts';

export type AssemblerName = 'wabt' | 'watr';

export interface Assembler {
  readonly name: AssemblerName;
  /** The installed package version: part of the cache key, so an upgrade reassembles. */
  readonly version: string;
  assemble(fileName: string, source: string): Promise<Uint8Array>;
}

/** Tags of the workloads watr assembles; everything else goes to wabt. */
const WATR_TAGS: ReadonlySet<string> = new Set(['gc', 'table-init-expr']);

export function assemblerFor(tags: readonly string[]): Assembler {
  return tags.some((tag) => WATR_TAGS.has(tag)) ? watr : wabt;
}

export const wabt: Assembler = {
  name: 'wabt',
  get version() {
    return packageVersion('wabt');
  },
  assemble: assembleWat,
};

export const watr: Assembler = {
  name: 'watr',
  get version() {
    return packageVersion('watr');
  },
  async assemble(fileName, source) {
    try {
      return new Uint8Array(watrCompile(source));
    } catch (error) {
      throw new Error(`${fileName}: ${(error as Error).message}`, { cause: error });
    }
  },
};
