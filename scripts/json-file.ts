// Reading a JSON input file, with the one-line errors bad input gets.
import { readFile } from 'node:fs/promises';
import { BadInput } from './bad-input.ts';

/** Parses `path` as JSON; `what` names the kind of file in the error ("corrupt results file"). */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BadInput(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInput(`${path}: ${what} (not JSON: ${(error as Error).message})`);
  }
}
