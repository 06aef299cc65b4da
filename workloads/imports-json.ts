// The imports-file format as externs: {"module": {"name": extern}} with externs
//   {"kind": "global", "type": "i32", "value": 7, "mutable": false}
//   {"kind": "memory", "pages": 1}  {"kind": "table", "type": "funcref", "size": 2}
//   {"kind": "func"}  (a host function of the importing declaration's type that traps)
// "type" and "mutable" default to what the module declares; a given one must match it
// the way any import must.
import type { CompiledModule } from '../runtime/module/compile.ts';
import { writeGlobalValue } from '../runtime/instance/global-value.ts';
import type { AbsHeapType, Import } from '../runtime/module/module.ts';
import type { Extern, ImportResolver, Store } from '../runtime/instance/store.ts';
import { stubExtern } from '../runtime/embedder/stub-imports.ts';
import { toCanonicalGlobalType, toCanonicalTableType, type CanonicalValType } from '../runtime/module/type-registry.ts';
import type { ImportsJson } from './imports.ts';

/** An imports file entry that does not describe an extern the module can import. */
export class ImportsJsonError extends Error {
  override name = 'ImportsJsonError';
}

export function importsFromJson(store: Store, compiled: CompiledModule, json: ImportsJson, path: string): ImportResolver {
  const externs = new Map<string, Extern>();
  for (const entry of compiled.module.imports) {
    const spec = json[entry.module]?.[entry.name];
    if (spec === undefined) continue;
    const key = JSON.stringify([entry.module, entry.name]);
    if (externs.has(key)) continue;
    try {
      externs.set(key, externFromJson(store, compiled, entry, spec));
    } catch (error) {
      throw new ImportsJsonError(`${path}: import "${entry.module}" "${entry.name}": ${(error as Error).message}`);
    }
  }
  return (module, name) => externs.get(JSON.stringify([module, name]));
}

function externFromJson(store: Store, compiled: CompiledModule, entry: Import, spec: Record<string, unknown>): Extern {
  const canonical = compiled.info.canonicalTypes;
  const { desc } = entry;
  switch (spec.kind) {
    case 'func':
      return stubExtern(store, compiled, entry);
    case 'global': {
      const declared = desc.kind === 'global' ? toCanonicalGlobalType(desc.type, canonical) : undefined;
      const type = spec.type === undefined ? declared?.type : parseValType(spec.type);
      if (type === undefined) throw new Error('"type" is required for an import the module does not declare as a global');
      const mutable = spec.mutable === undefined ? (declared?.mutable ?? false) : spec.mutable === true;
      const global = store.createGlobal({ type, mutable });
      if (spec.value !== undefined) writeGlobalValue(store, global, spec.value);
      return global;
    }
    case 'memory': {
      const declared = desc.kind === 'memory' ? desc.type : undefined;
      const pages = spec.pages ?? declared?.limits.min ?? 0;
      if (typeof pages !== 'number' || !Number.isInteger(pages) || pages < 0) throw new Error('"pages" must be a whole number');
      const max = typeof spec.maxPages === 'number' ? spec.maxPages : declared?.limits.max;
      return store.createMemory({ addressType: declared?.addressType ?? 'i32', shared: declared?.shared ?? false, limits: { min: pages, max } });
    }
    case 'table': {
      const declared = desc.kind === 'table' ? toCanonicalTableType(desc.type, canonical) : undefined;
      const element = spec.type === undefined ? declared?.element : parseValType(spec.type);
      if (element === undefined || typeof element === 'string') throw new Error('a table needs a reference "type"');
      const size = spec.size ?? declared?.limits.min ?? 0;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new Error('"size" must be a whole number');
      const max = typeof spec.maxSize === 'number' ? spec.maxSize : declared?.limits.max;
      return store.createTable({ addressType: declared?.addressType ?? 'i32', element, limits: { min: size, max } });
    }
    default:
      throw new Error(`unknown kind ${JSON.stringify(spec.kind)} (expected func, global, memory or table)`);
  }
}

const ABSTRACT_REFS: Record<string, { readonly nullable: boolean; readonly heap: AbsHeapType }> = {
  funcref: { nullable: true, heap: 'func' },
  externref: { nullable: true, heap: 'extern' },
  anyref: { nullable: true, heap: 'any' },
  eqref: { nullable: true, heap: 'eq' },
  i31ref: { nullable: true, heap: 'i31' },
  structref: { nullable: true, heap: 'struct' },
  arrayref: { nullable: true, heap: 'array' },
  nullref: { nullable: true, heap: 'none' },
  nullfuncref: { nullable: true, heap: 'nofunc' },
  nullexternref: { nullable: true, heap: 'noextern' },
  exnref: { nullable: true, heap: 'exn' },
  nullexnref: { nullable: true, heap: 'noexn' },
};

/** Value types by their text-format names; concrete heap types cannot be named here. */
function parseValType(name: unknown): CanonicalValType {
  if (name === 'i32' || name === 'i64' || name === 'f32' || name === 'f64' || name === 'v128') return name;
  if (typeof name === 'string' && name in ABSTRACT_REFS) return ABSTRACT_REFS[name];
  const match = typeof name === 'string' ? /^\(ref (null )?([a-z]+)\)$/.exec(name) : null;
  const heap = Object.values(ABSTRACT_REFS).find((ref) => ref.heap === match?.[2])?.heap;
  if (match !== null && heap !== undefined) return { nullable: match[1] !== undefined, heap };
  throw new Error(`unknown type ${JSON.stringify(name)}`);
}
