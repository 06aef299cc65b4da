// Reading an input file whole, with a bound: a regular file over it is refused from its
// size, and anything else (a pipe, a device such as /dev/zero) is read only up to it,
// where reading to the end would never stop or would exhaust memory first.
import { open } from 'node:fs/promises';
import { BadInput } from './bad-input.ts';

const CHUNK_BYTES = 1 << 20;

export async function readBounded(path: string, maxBytes: number, limitName: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new BadInput(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new BadInput(`${path}: is a folder, not a file`);
    const tooLarge = (): never => {
      throw new BadInput(`${path}: larger than the ${limitName} limit of ${maxBytes} bytes`);
    };
    if (stats.isFile() && stats.size > maxBytes) tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) tooLarge();
      chunks.push(bytesRead === CHUNK_BYTES ? chunk : chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof BadInput) throw error;
    throw new BadInput(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  } finally {
    await handle.close();
  }
}
