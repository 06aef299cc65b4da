// "Compile": everything computed once per module, before any instance exists.
import { decode } from '../binary/decode.ts';
import { scanBodies } from '../binary/decode-code.ts';
import type { Module } from './module.ts';
import type { ModuleInfo } from './module-info.ts';
import { toCanonicalGlobalType, type CanonicalGlobalType } from './type-registry.ts';
import { validate } from '../validation/validate.ts';
import { validateFunctionBodies } from '../validation/validate-function.ts';
import { defaultHelperThreads, PARALLEL_CODE_BYTES, startHelperJobs, validateWithHelpers } from '../validation/parallel-bodies.ts';
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
  /**
   * Helper threads that may validate bodies beside the main thread (parallel-bodies.ts):
   * by default one fewer than the cores, at most 3; 0 validates on one thread. Only a
   * code section of `parallelCodeBytes` or more (default 128 KiB) is split.
   */
  readonly helperThreads?: number;
  readonly parallelCodeBytes?: number;
}

/**
 * Decodes and validates; throws `CompileError` (kind `malformed` or `invalid`), or
 * `ResourceLimitError` for a module past one of `limits`. A malformed module is reported
 * as malformed even where it is also invalid, as the spec requires.
 */
export function compile(bytes: Uint8Array, limits: ImplementationLimits = DEFAULT_LIMITS, options: CompileOptions = {}): CompiledModule {
  checkLimit(limits, 'moduleBytes', bytes.length, 'module bytes');
  const validateBodies = options.validateBodies ?? true;
  // Helpers are woken before the main thread decodes: they decode too.
  const helpers = validateBodies
    ? startHelperJobs(bytes, limits, options.helperThreads ?? defaultHelperThreads(), options.parallelCodeBytes ?? PARALLEL_CODE_BYTES)
    : undefined;
  let module: Module;
  let info: ModuleInfo;
  try {
    // Body validation reads every instruction itself, so the decoder only delimits bodies.
    module = decode(bytes, { limits, checkBodies: !validateBodies });
    try {
      info = validate(module, limits);
    } catch (error) {
      // The bodies the decoder did not read may be malformed, which comes first.
      if (validateBodies) scanBodies(bytes, module, 0);
      throw error;
    }
  } catch (error) {
    helpers?.abandon();
    throw error;
  }
  // Bodies need the module's context: its index spaces and canonical types. With helpers,
  // any failure is validated again on one thread, which throws the error in spec order.
  if (validateBodies && (helpers === undefined || !validateWithHelpers(helpers, module, info, bytes, limits))) {
    validateFunctionBodies(module, info, bytes, limits);
  }
  const globalTypes = info.globals.map((type) => toCanonicalGlobalType(type, info.canonicalTypes));
  return { bytes, module, info, globalTypes };
}
