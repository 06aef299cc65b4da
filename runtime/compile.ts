// "Compile": everything computed once per module, before any instance exists.
import { decode } from './decode.ts';
import type { Module } from './module.ts';
import type { ModuleInfo } from './module-info.ts';
import { validate } from './validate.ts';

export interface CompiledModule {
  readonly bytes: Uint8Array;
  readonly module: Module;
  readonly info: ModuleInfo;
}

/** Decodes and validates; throws `CompileError` (kind `malformed` or `invalid`). */
export function compile(bytes: Uint8Array): CompiledModule {
  const module = decode(bytes);
  const info = validate(module);
  return { bytes, module, info };
}
