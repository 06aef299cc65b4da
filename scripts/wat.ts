// Text-format modules are assembled with wabt. The feature flags go to the parser and
// stay with the parsed module, whose validate() then checks against the same set.
import createWabt from 'wabt';

const WAT_FEATURES = {
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

/** Assembles WAT to binary; throws with wabt's message (which names line and column). */
export async function assembleWat(fileName: string, source: string): Promise<Uint8Array> {
  wabt ??= createWabt();
  const module = (await wabt).parseWat(fileName, source, WAT_FEATURES);
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
