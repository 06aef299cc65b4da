// Text-format modules are assembled with wabt, the reference toolkit, and where wabt
// cannot (GC types and instructions, table initializer expressions) with watr, a small
// assembler that implements the Wasm 3.0 text format. wabt's feature flags go to the
// parser and stay with the parsed module, whose validate() checks against the same set.
import createWabt from 'wabt';
import { compile as watrCompile } from 'watr';
import { v8Wasm } from '../runtime/v8/v8-instance-state.ts';

const WAT_FEATURES = {
  threads: true,
  relaxed_simd: true,
  bulk_memory: true,
  reference_types: true,
  multi_value: true,
  simd: true,
  mutable_globals: true,
  sign_extension: true,
  sat_float_to_int: true,
  extended_const: true,
  multi_memory: true,
  memory64: true,
  function_references: true,
  tail_call: true,
  exceptions: true,
  gc: true,
} as const;

let wabt: ReturnType<typeof createWabt> | undefined;

/**
 * Assembles WAT to binary. When neither assembler accepts the text, throws with wabt's
 * message, which names the line and column. wabt 1.0.39 also writes some modules it
 * accepts wrongly (it drops the memory index of a data segment for memory 1 and up), so
 * output that V8 rejects is assembled again with watr, and watr's is kept if V8 takes it.
 */
export async function assembleWat(fileName: string, source: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await assembleWithWabt(fileName, source);
  } catch (wabtError) {
    if (isSyntaxErrorEverywhere(wabtError)) throw wabtError;
    try {
      return watrCompile(source);
    } catch {
      throw wabtError;
    }
  }
  if (v8Wasm.validate(bytes)) return bytes;
  try {
    const retry = watrCompile(source);
    return v8Wasm.validate(retry) ? retry : bytes;
  } catch {
    return bytes;
  }
}

/**
 * A wabt error that no Wasm 3.0 feature wabt lacks would explain, so watr must not get a
 * second try: watr reads a missing literal (`(i32.const)`) as 0 where wabt refuses it.
 */
function isSyntaxErrorEverywhere(error: unknown): boolean {
  return error instanceof Error && /expected a numeric literal/.test(error.message);
}

async function assembleWithWabt(fileName: string, source: string): Promise<Uint8Array> {
  return (await wabtAssembler({ validate: true }))(fileName, source);
}

/**
 * wabt alone, synchronous once loaded, with every feature on: for tests that need the
 * exact bytes wabt writes. `validate: false` also assembles modules wabt's validator
 * would refuse, as decoder tests of invalid-but-well-formed modules need.
 */
export async function wabtAssembler(options: { validate: boolean }): Promise<(fileName: string, source: string) => Uint8Array> {
  wabt ??= createWabt();
  const loaded = await wabt;
  return (fileName, source) => {
    const module = loaded.parseWat(fileName, source, WAT_FEATURES);
    try {
      if (options.validate) module.validate();
      else module.resolveNames();
      return module.toBinary({}).buffer;
    } finally {
      module.destroy();
    }
  };
}
