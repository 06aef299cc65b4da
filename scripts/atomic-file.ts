// Writing a file so that a reader sees the old contents or the new, never a part: a
// temporary file in the same folder, then a rename over the target.
import { rename, rm, writeFile } from 'node:fs/promises';
import { BadInput } from './bad-input.ts';

export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new BadInput(`${path}: cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
