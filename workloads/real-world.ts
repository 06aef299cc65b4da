// The manifest of real-world modules: .wasm files shipped inside npm packages, pinned
// as exact devDependencies in package.json so every checkout measures the same bytes.
import { join } from 'node:path';
import { givenImports, STUB_IMPORTS, type WorkloadImports } from './imports.ts';
import { packageRoot } from './package-root.ts';

export interface NpmModule {
  readonly package: string;
  /** The .wasm file's path inside the package. */
  readonly path: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly imports: WorkloadImports;
}

export const NPM_MODULES: readonly NpmModule[] = [
  {
    package: 'sql.js',
    path: 'dist/sql-wasm.wasm',
    description: 'SQLite (Emscripten): 397 data segments, a 521-entry function table',
    tags: ['real-world', 'imports', 'memory', 'data', 'tables', 'elements'],
    imports: STUB_IMPORTS,
  },
  {
    package: 'brotli-wasm',
    path: 'pkg.node/brotli_wasm_bg.wasm',
    description: 'Brotli (Rust, wasm-bindgen): 4,978 data segments',
    tags: ['real-world', 'imports', 'memory', 'data', 'tables', 'elements'],
    imports: STUB_IMPORTS,
  },
  {
    package: 'vscode-oniguruma',
    path: 'release/onig.wasm',
    description: "Oniguruma regular expressions (Emscripten), VS Code's TextMate engine",
    tags: ['real-world', 'imports', 'memory', 'data', 'tables', 'elements'],
    imports: STUB_IMPORTS,
  },
  {
    package: 'web-tree-sitter',
    path: 'web-tree-sitter.wasm',
    description:
      'tree-sitter (Emscripten side module): imports its memory, table and mutable globals; ' +
      'segments placed at global.get offsets; has a start function',
    tags: ['real-world', 'imports', 'memory', 'data', 'tables', 'elements', 'start'],
    // Given the bases a dynamic loader would choose (slot 0 of the table stays null,
    // as Emscripten keeps it); the other imports are stubs.
    imports: givenImports({
      env: {
        __memory_base: { kind: 'global', value: 65536 },
        __table_base: { kind: 'global', value: 1 },
        __stack_pointer: { kind: 'global', value: 8 * 1024 * 1024 },
        __indirect_function_table: { kind: 'table', size: 31 },
      },
    }),
  },
  {
    package: 'esbuild-wasm',
    path: 'esbuild.wasm',
    description: 'esbuild (Go): 14 MB, 98,450 data segments, a 9,403-entry function table',
    tags: ['real-world', 'imports', 'memory', 'data', 'tables', 'elements'],
    imports: STUB_IMPORTS,
  },
];

export function npmModuleFile(module: Pick<NpmModule, 'package' | 'path'>): string {
  return join(packageRoot(module.package), module.path);
}
