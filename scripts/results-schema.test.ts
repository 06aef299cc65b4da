import { describe, expect, it } from 'vitest';
import { resultsProblem } from './results-schema.ts';

describe('results schema check', () => {
  it('names a foreign file, an older or newer schema version, and a malformed field', () => {
    expect(resultsProblem([1, 2])).toMatch(/not a results file/);
    expect(resultsProblem({ rows: [] })).toMatch(/not a results file \(schema undefined/);
    expect(resultsProblem({ schema: 'instlab.results/0' })).toBe('results schema instlab.results/0 is not supported (this version reads instlab.results/1)');
    expect(resultsProblem({ schema: 'instlab.results/2' })).toMatch(/instlab.results\/2 is not supported/);
    expect(resultsProblem({ schema: 'instlab.results/1', rows: [] })).toMatch(/^corrupt results file \(the file must have required property/);
  });
});
