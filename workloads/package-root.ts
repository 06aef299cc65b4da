// Where an installed npm package lives. `require.resolve('pkg/package.json')` is the
// direct way, but a package whose "exports" map does not list ./package.json (sql.js,
// brotli-wasm, web-tree-sitter) refuses it; such a package is then looked up in the
// node_modules folders Node itself would search.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function packageRoot(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'MODULE_NOT_FOUND') throw error;
  }
  for (const folder of require.resolve.paths(name) ?? []) {
    const root = join(folder, name);
    if (existsSync(join(root, 'package.json'))) return root;
  }
  throw new Error(`npm package "${name}" is not installed (run npm install)`);
}

const versions = new Map<string, string>();

/** The installed version of a package (its package.json "version"). */
export function packageVersion(name: string): string {
  let version = versions.get(name);
  if (version === undefined) {
    version = (JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')) as { version: string }).version;
    versions.set(name, version);
  }
  return version;
}
