// "Compile": everything computed once per module, before any instance exists.
import { decode } from '../binary/decode.ts';
import type { Module } from './module.ts';
import type { ModuleInfo } from './module-info.ts';
import { toCanonicalGlobalType, type CanonicalGlobalType } from './type-registry.ts';
import { validate } from '../validation/validate.ts';
import { validateFunctions } from '../validation/validate-function.ts';
import { checkLimit, DEFAULT_LIMITS, type ImplementationLimits } from '../implementation-limits.ts';

export interface CompiledModule {
  readonly bytes: Uint8Array;
  readonly module: Module;
  readonly info: ModuleInfo;
  /** The type of every global in the global index space, in canonical form (store.ts). */
  readonly globalTypes: readonly CanonicalGlobalType[];
}

export interface CompileOptions {
  /**
   * Type-check every function body (the default). When false, bodies are only decoded,
   * as before body validation existed: for comparing compile times, and for modules
   * whose bodies are known to be valid.
   */
  readonly validateBodies?: boolean;
}

/**
 * Decodes and validates; throws `CompileError` (kind `malformed` or `invalid`), or
 * `ResourceLimitError` for a module past one of `limits`. Every body is decoded before
 * any is validated, so a malformed module is reported as malformed even where an earlier
 * body is invalid.
 */
export function compile(bytes: Uint8Array, limits: ImplementationLimits = DEFAULT_LIMITS, options: CompileOptions = {}): CompiledModule {
  checkLimit(limits, 'moduleBytes', bytes.length, 'module bytes');
  const module = decode(bytes, { limits });
  const info = validate(module, limits);
  // Bodies need the module's context: its index spaces and canonical types.
  if (options.validateBodies ?? true) validateFunctions(module, info, bytes, limits);
  const globalTypes = info.globals.map((type) => toCanonicalGlobalType(type, info.canonicalTypes));
  return { bytes, module, info, globalTypes };
}
