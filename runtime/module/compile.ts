// "Compile": everything computed once per module, before any instance exists.
import { decode } from '../binary/decode.ts';
import { scanBodies } from '../binary/decode-code.ts';
import type { Module } from './module.ts';
import type { ModuleInfo } from './module-info.ts';
import { toCanonicalGlobalType, type CanonicalGlobalType } from './type-registry.ts';
import { validate } from '../validation/validate.ts';
import { validateFunctionBodies } from '../validation/validate-function.ts';
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
   * Type-check every function body (the default). When false, the decoder reads the
   * bodies (malformed ones are still rejected) and nothing types them: for comparing
   * compile times, and for modules whose bodies are known to be valid.
   */
  readonly validateBodies?: boolean;
}

/**
 * Decodes and validates; throws `CompileError` (kind `malformed` or `invalid`), or
 * `ResourceLimitError` for a module past one of `limits`. A malformed module is reported
 * as malformed even where it is also invalid, as the spec requires.
 */
export function compile(bytes: Uint8Array, limits: ImplementationLimits = DEFAULT_LIMITS, options: CompileOptions = {}): CompiledModule {
  checkLimit(limits, 'moduleBytes', bytes.length, 'module bytes');
  const validateBodies = options.validateBodies ?? true;
  // Body validation reads every instruction itself, so the decoder only delimits bodies.
  const module = decode(bytes, { limits, checkBodies: !validateBodies });
  let info: ModuleInfo;
  try {
    info = validate(module, limits);
  } catch (error) {
    // The bodies the decoder did not read may be malformed, which comes first.
    if (validateBodies) scanBodies(bytes, module, 0);
    throw error;
  }
  // Bodies need the module's context: its index spaces and canonical types.
  if (validateBodies) validateFunctionBodies(module, info, bytes, limits);
  const globalTypes = info.globals.map((type) => toCanonicalGlobalType(type, info.canonicalTypes));
  return { bytes, module, info, globalTypes };
}
