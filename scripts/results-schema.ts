// Validation of results files against the committed JSON Schema
// (results/results.schema.json), which other tools can validate against too. Every
// command that reads a results file checks it here first, so a truncated, hand-edited or
// foreign file is named as such instead of failing somewhere inside a computation.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export const RESULTS_SCHEMA_FILE = new URL('../results/results.schema.json', import.meta.url);

const KNOWN_SCHEMA = 'instlab.results/1';

let validator: ValidateFunction | undefined;

function validate(json: unknown): boolean {
  // Compiled on first use: commands that never read a results file do not pay for ajv.
  validator ??= new Ajv2020({ allErrors: false, validateFormats: false }).compile(JSON.parse(readFileSync(RESULTS_SCHEMA_FILE, 'utf8')));
  return validator(json);
}

/** What is wrong with `json` as a results file, in one line, or undefined if nothing. */
export function resultsProblem(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'not a results file (not a JSON object)';
  const schema = (json as { schema?: unknown }).schema;
  if (typeof schema !== 'string' || !schema.startsWith('instlab.results/')) {
    return `not a results file (schema ${JSON.stringify(schema)}, expected "${KNOWN_SCHEMA}")`;
  }
  if (schema !== KNOWN_SCHEMA) return `results schema ${schema} is not supported (this version reads ${KNOWN_SCHEMA})`;
  if (validate(json)) return undefined;
  return `corrupt results file (${describeError(validator!.errors![0])})`;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the file' : error.instancePath.slice(1).replaceAll('/', '.');
  if (error.keyword === 'additionalProperties') return `${where}: unknown field ${(error.params as { additionalProperty: string }).additionalProperty}`;
  return `${where} ${error.message ?? 'is invalid'}`;
}
