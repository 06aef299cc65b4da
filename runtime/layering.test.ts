// Dependencies point one way: runtime ← variants ← workloads ← scripts (design.md), and
// inside runtime/ the engine never reaches for the V8 comparison readers or the random
// module generators, which serve tests and the bench. Tests, and the kits only tests
// use, may import anything.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['runtime', 'variants', 'workloads', 'scripts'];
const OUTSIDE_THE_ENGINE = ['runtime/v8/', 'runtime/random/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function isTestOnly(path: string): boolean {
  return path.endsWith('.test.ts') || path.endsWith('test-kit.ts');
}

/** Each relative import of `file`, as a path from the project root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
}

function layerOf(path: string): number {
  return LAYERS.indexOf(path.split('/')[0]);
}

/** Every edge that breaks a rule, as "from -> to". */
function forbiddenEdges(files: readonly string[], importsOfFile: (file: string) => string[]): string[] {
  const edges: string[] = [];
  for (const file of files.filter((f) => !isTestOnly(f))) {
    for (const target of importsOfFile(file)) {
      const upward = layerOf(target) > layerOf(file);
      const engine = file.startsWith('runtime/') && !OUTSIDE_THE_ENGINE.some((dir) => file.startsWith(dir));
      const intoLabHelpers = engine && OUTSIDE_THE_ENGINE.some((dir) => target.startsWith(dir));
      if (upward || intoLabHelpers) edges.push(`${file} -> ${target}`);
    }
  }
  return edges;
}

describe('the import graph', () => {
  const files = LAYERS.flatMap(sourceFiles);

  it('reads real imports (the check is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importsOf('runtime/instance/instantiate.ts')).toContain('runtime/instance/link.ts');
  });

  it('has no edge from a lower layer to a higher one', () => {
    expect(forbiddenEdges(files, importsOf)).toEqual([]);
  });

  it('would report an engine file importing a strategy, the lab or a V8 reader', () => {
    const planted = (file: string): string[] =>
      file === 'runtime/instance/instantiate.ts'
        ? ['variants/registry.ts', 'scripts/cli.ts', 'runtime/v8/v8-instance-state.ts', 'runtime/module/compile.ts']
        : [];
    expect(forbiddenEdges(['runtime/instance/instantiate.ts', 'runtime/gc/leaks.test.ts'], planted)).toEqual([
      'runtime/instance/instantiate.ts -> variants/registry.ts',
      'runtime/instance/instantiate.ts -> scripts/cli.ts',
      'runtime/instance/instantiate.ts -> runtime/v8/v8-instance-state.ts',
    ]);
  });
});
