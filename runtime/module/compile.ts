// "Compile": everything computed once per module, before any instance exists.
import { decode } from '../binary/decode.ts';
import type { Module } from './module.ts';
import type { ModuleInfo } from './module-info.ts';
import { toCanonicalGlobalType, type CanonicalGlobalType } from './type-registry.ts';
import { validate } from '../validation/validate.ts';

export interface CompiledModule {
  readonly bytes: Uint8Array;
  readonly module: Module;
  readonly info: ModuleInfo;
  /** The type of every global in the global index space, in canonical form (store.ts). */
  readonly globalTypes: readonly CanonicalGlobalType[];
}

/** Decodes and validates; throws `CompileError` (kind `malformed` or `invalid`). */
export function compile(bytes: Uint8Array): CompiledModule {
  const module = decode(bytes);
  const info = validate(module);
  const globalTypes = info.globals.map((type) => toCanonicalGlobalType(type, info.canonicalTypes));
  return { bytes, module, info, globalTypes };
}
