// Linking: each import is resolved to an extern of the same kind whose type matches the
// import's declared type (https://webassembly.github.io/spec/core/exec/modules.html#import-matching).
// A table's or memory's current size stands in for its minimum, as the spec's external
// typing of an instance does.
import type { CompiledModule } from '../module/compile.ts';
import { LinkError } from '../errors.ts';
import type { Import } from '../module/module.ts';
import type { Extern, ImportResolver } from './store.ts';
import { PAGE_BYTES } from './store.ts';
import {
  matchesFuncType,
  matchesGlobalType,
  matchesMemoryType,
  matchesTableType,
  matchesTagType,
} from '../validation/subtyping.ts';
import { toCanonicalGlobalType, toCanonicalTableType } from '../module/type-registry.ts';
import { withCurrentSize } from '../validation/limits.ts';

export function resolveImports(compiled: CompiledModule, resolveImport: ImportResolver): Extern[] {
  const imports = compiled.module.imports;
  const externs = new Array<Extern>(imports.length);
  for (let i = 0; i < imports.length; i++) {
    const { module, name, desc } = imports[i];
    const extern = resolveImport(module, name, i);
    if (extern === undefined) throw new LinkError(`unknown import ${describe(imports[i])}`, i);
    if (extern.kind !== desc.kind) {
      throw new LinkError(`incompatible import type for ${describe(imports[i])}: expected ${desc.kind}, got ${extern.kind}`, i);
    }
    if (!matchesImport(compiled, imports[i], extern)) {
      throw new LinkError(`incompatible import type for ${describe(imports[i])}`, i);
    }
    externs[i] = extern;
  }
  return externs;
}

function matchesImport(compiled: CompiledModule, { desc }: Import, extern: Extern): boolean {
  const canonical = compiled.info.canonicalTypes;
  switch (desc.kind) {
    case 'func':
      return extern.kind === 'func' && matchesFuncType(extern.type, canonical[desc.typeIndex]);
    case 'tag':
      return extern.kind === 'tag' && matchesTagType(extern.type, canonical[desc.typeIndex]);
    case 'global':
      return extern.kind === 'global' && matchesGlobalType(extern.type, toCanonicalGlobalType(desc.type, canonical));
    case 'table':
      return (
        extern.kind === 'table' &&
        matchesTableType(
          { ...extern.type, limits: withCurrentSize(extern.type.limits, extern.size) },
          toCanonicalTableType(desc.type, canonical),
        )
      );
    case 'memory':
      return (
        extern.kind === 'memory' &&
        matchesMemoryType(
          { ...extern.type, limits: withCurrentSize(extern.type.limits, extern.bytes.length / PAGE_BYTES) },
          desc.type,
        )
      );
  }
}

function describe({ module, name }: Import): string {
  return `"${module}" "${name}"`;
}
