// Reading a JSON input file, with the one-line errors bad input gets.
import { BadInput } from './bad-input.ts';
import { readBounded } from './bounded-read.ts';

/** About the longest string V8 makes (2^29 - 24 characters): a larger file could not be parsed. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

/** Parses `path` as JSON; `what` names the kind of file in the error ("corrupt results file"). */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = (await readBounded(path, MAX_JSON_BYTES, 'JSON file')).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInput(`${path}: ${what} (not JSON: ${(error as Error).message})`);
  }
}
