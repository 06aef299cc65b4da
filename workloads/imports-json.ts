// The imports-file format as externs: {"module": {"name": extern}} with externs
//   {"kind": "global", "type": "i32", "value": 7, "mutable": false}
//   {"kind": "memory", "pages": 1}  {"kind": "table", "type": "funcref", "size": 2}
//   {"kind": "func"}  (a host function of the importing declaration's type that traps)
// "type" and "mutable" default to what the module declares; a given one must match it
// the way any import must.
import type { CompiledModule } from '../runtime/module/compile.ts';
import { writeGlobalValue } from '../runtime/instance/global-value.ts';
import type { AbsHeapType, Import, Limits } from '../runtime/module/module.ts';
import type { Extern, ImportResolver, Store } from '../runtime/instance/store.ts';
import { importsByName, stubExtern } from '../runtime/embedder/stub-imports.ts';
import { toCanonicalGlobalType, toCanonicalTableType, type CanonicalValType } from '../runtime/module/type-registry.ts';
import type { ImportsJson } from './imports.ts';

/** An imports file entry that does not describe an extern the module can import. */
export class ImportsJsonError extends Error {
  override name = 'ImportsJsonError';
}

export function importsFromJson(store: Store, compiled: CompiledModule, json: ImportsJson, path: string): ImportResolver {
  return importsByName(store, compiled, (entry) => {
    const spec = json[entry.module]?.[entry.name];
    if (spec === undefined) return undefined;
    try {
      return externFromJson(store, compiled, entry, spec);
    } catch (error) {
      throw new ImportsJsonError(`${path}: import "${entry.module}" "${entry.name}": ${(error as Error).message}`);
    }
  });
}

const FIELDS: Record<string, readonly string[]> = {
  func: ['kind'],
  global: ['kind', 'type', 'value', 'mutable'],
  memory: ['kind', 'pages', 'maxPages'],
  table: ['kind', 'type', 'size', 'maxSize'],
};

function externFromJson(store: Store, compiled: CompiledModule, entry: Import, spec: Record<string, unknown>): Extern {
  const canonical = compiled.info.canonicalTypes;
  const { desc } = entry;
  const fields = typeof spec.kind === 'string' ? FIELDS[spec.kind] : undefined;
  if (fields === undefined) throw new Error(`unknown kind ${JSON.stringify(spec.kind)} (expected func, global, memory or table)`);
  const unknown = Object.keys(spec).find((field) => !fields.includes(field));
  if (unknown !== undefined) throw new Error(`unknown field "${unknown}" for a ${spec.kind} (expected ${fields.join(', ')})`);
  switch (spec.kind) {
    case 'func':
      return stubExtern(store, compiled, entry);
    case 'global': {
      const declared = desc.kind === 'global' ? toCanonicalGlobalType(desc.type, canonical) : undefined;
      const type = spec.type === undefined ? declared?.type : parseValType(spec.type);
      if (type === undefined) throw new Error('"type" is required for an import the module does not declare as a global');
      if (spec.mutable !== undefined && typeof spec.mutable !== 'boolean') throw new Error(`"mutable" must be true or false, not ${JSON.stringify(spec.mutable)}`);
      const mutable = spec.mutable ?? declared?.mutable ?? false;
      const global = store.createGlobal({ type, mutable });
      if (spec.value !== undefined) writeGlobalValue(store, global, spec.value);
      return global;
    }
    case 'memory': {
      const declared = desc.kind === 'memory' ? desc.type : undefined;
      const addressType = declared?.addressType ?? 'i32';
      const limits = limitsOf(spec, 'pages', 'maxPages', declared?.limits, addressType === 'i32' ? MAX_PAGES_32 : MAX_PAGES_64);
      return store.createMemory({ addressType, shared: declared?.shared ?? false, limits });
    }
    case 'table': {
      const declared = desc.kind === 'table' ? toCanonicalTableType(desc.type, canonical) : undefined;
      const element = spec.type === undefined ? declared?.element : parseValType(spec.type);
      if (element === undefined || typeof element === 'string') throw new Error('a table needs a reference "type"');
      const addressType = declared?.addressType ?? 'i32';
      const limits = limitsOf(spec, 'size', 'maxSize', declared?.limits, addressType === 'i32' ? MAX_TABLE_SIZE_32 : Number.MAX_SAFE_INTEGER);
      return store.createTable({ addressType, element, limits });
    }
  }
  throw new Error(`unknown kind ${JSON.stringify(spec.kind)}`);
}

const MAX_PAGES_32 = 0x1_0000;
const MAX_PAGES_64 = 2 ** 48;
const MAX_TABLE_SIZE_32 = 0xffff_ffff;

/** A size and an optional maximum from `spec` (defaulting to the declared ones), each a whole number up to `bound`, the size at most the maximum. */
function limitsOf(spec: Record<string, unknown>, sizeField: string, maxField: string, declared: Limits | undefined, bound: number): Limits {
  const whole = (field: string, value: unknown): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > bound) {
      throw new Error(`"${field}" must be a whole number from 0 to ${bound}, not ${JSON.stringify(value)}`);
    }
    return value;
  };
  const min = whole(sizeField, spec[sizeField] ?? declared?.min ?? 0);
  const max = spec[maxField] !== undefined ? whole(maxField, spec[maxField]) : declared?.max;
  if (max !== undefined && min > max) throw new Error(`"${sizeField}" ${min} is over the maximum ${max}`);
  return { min, max };
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
