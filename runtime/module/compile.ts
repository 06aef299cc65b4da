// "Compile": everything computed once per module, before any instance exists.
import { decode } from '../binary/decode.ts';
import type { Module } from './module.ts';
import type { ModuleInfo } from './module-info.ts';
import { toCanonicalGlobalType, type CanonicalGlobalType } from './type-registry.ts';
import { validate } from '../validation/validate.ts';
import { checkLimit, DEFAULT_LIMITS, type ImplementationLimits } from '../implementation-limits.ts';

export interface CompiledModule {
  readonly bytes: Uint8Array;
  readonly module: Module;
  readonly info: ModuleInfo;
  /** The type of every global in the global index space, in canonical form (store.ts). */
  readonly globalTypes: readonly CanonicalGlobalType[];
}

/**
 * Decodes and validates; throws `CompileError` (kind `malformed` or `invalid`), or
 * `ResourceLimitError` for a module past one of `limits`.
 */
export function compile(bytes: Uint8Array, limits: ImplementationLimits = DEFAULT_LIMITS): CompiledModule {
  checkLimit(limits, 'moduleBytes', bytes.length, 'module bytes');
  const module = decode(bytes, { limits });
  const info = validate(module, limits);
  const globalTypes = info.globals.map((type) => toCanonicalGlobalType(type, info.canonicalTypes));
  return { bytes, module, info, globalTypes };
}
