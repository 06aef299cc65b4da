// The `name` custom section (https://webassembly.github.io/spec/core/appendix/custom.html#name-section):
// the module name and function names. Custom sections never make a module malformed,
// so a name section that does not decode is ignored as a whole.
import { ByteReader } from './byte-reader.ts';
import { CompileError } from '../errors.ts';
import type { NameSection } from '../module/module.ts';

const MODULE_NAME = 0;
const FUNCTION_NAMES = 1;

/** Decodes the payload `bytes[start, end)` of a name section; undefined if malformed. */
export function decodeNameSection(bytes: Uint8Array, start: number, end: number): NameSection | undefined {
  const r = new ByteReader(bytes, start, end);
  let module: string | undefined;
  const functions = new Map<number, string>();
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.length();
      const subsectionEnd = r.pos + size;
      if (id === MODULE_NAME) {
        module = r.name();
      } else if (id === FUNCTION_NAMES) {
        const n = r.count();
        for (let i = 0; i < n; i++) {
          const index = r.u32();
          functions.set(index, r.name());
        }
      } else {
        r.pos = subsectionEnd;
      }
      if (r.pos !== subsectionEnd) return undefined;
    }
  } catch (e) {
    if (e instanceof CompileError) return undefined;
    throw e;
  }
  return { module, functions };
}
