// Where a module's bytes come from: a .wasm file, or a .wat file assembled here.
import { BadInput } from './bad-input.ts';
import { readBounded } from './bounded-read.ts';
import { DEFAULT_LIMITS } from '../runtime/implementation-limits.ts';
import { assembleWat } from '../workloads/wat.ts';

export async function loadModuleBytes(path: string): Promise<Uint8Array> {
  const contents = await readBounded(path, DEFAULT_LIMITS.moduleBytes, 'moduleBytes');
  if (path.endsWith('.wat') || path.endsWith('.wast')) {
    try {
      return await assembleWat(path, contents.toString('utf8'));
    } catch (error) {
      throw new BadInput(`${path}: ${firstLine(String((error as Error).message))}`);
    }
  }
  return new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength);
}

function firstLine(message: string): string {
  const lines = message.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('parseWat failed'));
  return lines[0] ?? message;
}
