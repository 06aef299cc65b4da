// Where a module's bytes come from: a .wasm file, or a .wat file assembled here.
import { readFile } from 'node:fs/promises';
import { BadInput } from './bad-input.ts';
import { assembleWat } from '../workloads/wat.ts';

export async function loadModuleBytes(path: string): Promise<Uint8Array> {
  let contents: Buffer;
  try {
    contents = await readFile(path);
  } catch (error) {
    throw new BadInput(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
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
