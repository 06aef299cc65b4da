// The imports file of `inspect --imports`: read and checked for
// shape here; what each entry means is workloads/imports-json.ts.
import type { ImportsJson } from '../workloads/imports.ts';
import { BadInput } from './bad-input.ts';
import { readJsonFile } from './json-file.ts';

export async function readImportsFile(path: string): Promise<ImportsJson> {
  const json = await readJsonFile(path, 'not an imports file');
  if (!isObject(json) || !Object.values(json).every((names) => isObject(names) && Object.values(names).every(isObject))) {
    throw new BadInput(`${path}: expected {"module": {"name": {"kind": …}}}`);
  }
  return json as ImportsJson;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
