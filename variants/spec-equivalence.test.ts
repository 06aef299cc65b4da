// The spec scripts pass under every strategy, command for command: a strategy can change
// how initialization is computed, never its outcome.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSpecFiles } from '../scripts/spec/spec.ts';
import { strategies } from './registry.ts';

const SPEC_DIR = fileURLToPath(new URL('../../shared/spec/binary/', import.meta.url));
const scripts = readdirSync(SPEC_DIR)
  .filter((name) => name.endsWith('.bin.wast'))
  .map((name) => SPEC_DIR + name);

describe('spec scripts under every strategy', () => {
  const reference = runSpecFiles(scripts);

  for (const strategy of strategies) {
    it(`${strategy.name}: no failures, and the same outcome per file as the default`, () => {
      const run = runSpecFiles(scripts, strategy);
      expect(run.total.failed).toBe(0);
      expect(run.total.passed).toBe(reference.total.passed);
      const perFile = (r: typeof run) => r.files.map((f) => ('error' in f ? f : [f.file, f.passed, f.skipped]));
      expect(perFile(run)).toEqual(perFile(reference));
    });
  }
});
