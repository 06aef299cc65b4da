// The workload registry: every module the lab instantiates, by a stable name
// `family/param`. A workload's bytes come from a generator (WAT text for a size N), a
// .wat file in workloads/wat/, or a .wasm file inside an npm package; see README.md for
// registering a new family.
import { fileURLToPath } from 'node:url';
import { dataSegments } from './generators/data.ts';
import { elemExpr, elemFuncref, elemManySegments, TABLE_INIT_EXPR_IMPORTS, tableInitExpr } from './generators/elements.ts';
import { gcArrayGlobals, gcElem, gcNested, gcPressure, gcPressureHeapBytes, gcStructGlobals } from './generators/gc.ts';
import { globalsChain, globalsExtconst, globalsI32, globalsMixed, importsGlobals, importsGlobalsValues } from './generators/globals.ts';
import { givenImports, STUB_IMPORTS, type WorkloadImports } from './imports.ts';
import { NPM_MODULES } from './real-world.ts';

export type WorkloadSource =
  /** Text-format source made by a generator; assembled and cached (module-cache.ts). */
  | { readonly kind: 'generator'; readonly generate: () => string }
  /** A .wat file (absolute path); assembled and cached. */
  | { readonly kind: 'wat-file'; readonly path: string }
  /** A .wasm file inside an installed npm package, read as is. */
  | { readonly kind: 'npm'; readonly package: string; readonly path: string };

export interface Workload {
  /** `family/param`, stable across runs: results and baselines are keyed by it. */
  readonly name: string;
  readonly family: string;
  readonly param: number | string;
  /** Features the module exercises; `gc` and `table-init-expr` also pick the assembler. */
  readonly tags: readonly string[];
  readonly description: string;
  readonly source: WorkloadSource;
  readonly imports: WorkloadImports;
  /** GC heap capacity to instantiate with (`new Store({ gc: { capacityBytes } })`); default otherwise. */
  readonly gcHeapBytes?: number;
}

/** Sizes of the scaling families. */
export const SCALES = [10, 100, 1000, 10000] as const;
/** Sizes of the GC families (their values are object graphs, so they stay smaller). */
export const GC_SCALES = [10, 100, 1000] as const;

export interface ScalingFamily {
  readonly family: string;
  readonly sizes: readonly number[];
  readonly tags: readonly string[];
  /** What the module holds, for size `n`. */
  readonly description: string;
  /** The module's text for size `n`: deterministic, the same `n` always gives the same text. */
  readonly generate: (n: number) => string;
  readonly imports?: (n: number) => WorkloadImports;
  readonly gcHeapBytes?: (n: number) => number;
}

/** One workload per size of a generated family. */
function scalingFamily(spec: ScalingFamily): Workload[] {
  return spec.sizes.map((n) => ({
    name: `${spec.family}/${n}`,
    family: spec.family,
    param: n,
    tags: spec.tags,
    description: spec.description.replace(/\bN\b/g, String(n)),
    source: { kind: 'generator', generate: () => spec.generate(n) },
    imports: spec.imports?.(n) ?? STUB_IMPORTS,
    ...(spec.gcHeapBytes === undefined ? {} : { gcHeapBytes: spec.gcHeapBytes(n) }),
  }));
}

function watFile(name: string, tags: readonly string[], description: string): Workload {
  return {
    name: `wasmtime/${name}`,
    family: 'wasmtime',
    param: name,
    tags: ['wasmtime', ...tags],
    description,
    source: { kind: 'wat-file', path: fileURLToPath(new URL(`wat/${name}.wat`, import.meta.url)) },
    imports: STUB_IMPORTS,
  };
}

export const WORKLOADS: readonly Workload[] = [
  // The cases of Wasmtime's instantiation benchmarks.
  watFile('empty', [], 'an empty module'),
  watFile('small_memory', ['memory'], 'one page of memory'),
  watFile('data_segments', ['memory', 'data'], '17 pages of memory, one data segment'),

  ...scalingFamily({
    family: 'globals-i32',
    sizes: SCALES,
    tags: ['globals'],
    description: 'N i32 globals, each one i32.const',
    generate: globalsI32,
  }),
  ...scalingFamily({
    family: 'globals-mixed',
    sizes: SCALES,
    tags: ['globals', 'simd'],
    description: 'N globals of every numeric type (i32, i64, f32, f64, v128)',
    generate: globalsMixed,
  }),
  ...scalingFamily({
    family: 'globals-extconst',
    sizes: SCALES,
    tags: ['globals', 'extended-const'],
    description: 'N globals initialized by extended-const arithmetic, mostly (i64.add (i64.const) (i64.const))',
    generate: globalsExtconst,
  }),
  ...scalingFamily({
    family: 'globals-chain',
    sizes: SCALES,
    tags: ['globals', 'extended-const', 'global-get'],
    description: 'N i64 globals, each computed from earlier globals',
    generate: globalsChain,
  }),
  ...scalingFamily({
    family: 'elem-funcref',
    sizes: SCALES,
    tags: ['tables', 'elements'],
    description: 'one active segment in index form: N entries over up to 100 functions',
    generate: elemFuncref,
  }),
  ...scalingFamily({
    family: 'elem-expr',
    sizes: SCALES,
    tags: ['tables', 'elements'],
    description: 'one active segment of N ref.func / ref.null expressions',
    generate: elemExpr,
  }),
  ...scalingFamily({
    family: 'elem-many-segments',
    sizes: SCALES,
    tags: ['tables', 'elements', 'passive', 'declarative'],
    description: 'N four-item segments: active (both forms, two tables), passive, declarative',
    generate: elemManySegments,
  }),
  ...scalingFamily({
    family: 'data-segments',
    sizes: SCALES,
    tags: ['memory', 'data'],
    description: 'N active 16-byte data segments',
    generate: dataSegments,
  }),
  ...scalingFamily({
    family: 'table-init-expr',
    sizes: SCALES,
    tags: ['tables', 'table-init-expr', 'function-references', 'table64', 'imports'],
    description: 'four tables of N slots in all, filled by initializer expressions',
    generate: tableInitExpr,
    imports: () => givenImports(TABLE_INIT_EXPR_IMPORTS),
  }),
  ...scalingFamily({
    family: 'imports-globals',
    sizes: SCALES,
    tags: ['imports', 'globals', 'extended-const', 'memory', 'data', 'tables', 'elements'],
    description: 'N imported globals, each read by a defined global; segments at imported offsets',
    generate: importsGlobals,
    imports: (n) => givenImports(importsGlobalsValues(n)),
  }),

  ...scalingFamily({
    family: 'gc-struct-globals',
    sizes: GC_SCALES,
    tags: ['gc', 'globals', 'simd'],
    description: 'N globals holding structs (subtypes, packed, v128 and function reference fields)',
    generate: gcStructGlobals,
  }),
  ...scalingFamily({
    family: 'gc-array-globals',
    sizes: GC_SCALES,
    tags: ['gc', 'globals'],
    description: 'N globals holding arrays made by array.new_fixed (and a few array.new/array.new_default)',
    generate: gcArrayGlobals,
  }),
  ...scalingFamily({
    family: 'gc-nested',
    sizes: GC_SCALES,
    tags: ['gc', 'globals', 'rec-groups'],
    description: 'N globals holding nested structs and arrays of recursive, iso-recursively equal types',
    generate: gcNested,
  }),
  ...scalingFamily({
    family: 'gc-elem',
    sizes: GC_SCALES,
    tags: ['gc', 'tables', 'elements'],
    description: 'two N-slot tables filled by element expressions: structs, i31s and arrays',
    generate: gcElem,
  }),
  ...scalingFamily({
    family: 'gc-pressure',
    sizes: GC_SCALES,
    tags: ['gc', 'gc-pressure', 'globals', 'tables', 'elements', 'declarative'],
    description: '2N 1 KiB arrays allocated by element segments into a GC heap far smaller, so val collects during const eval',
    generate: gcPressure,
    gcHeapBytes: gcPressureHeapBytes,
  }),

  ...NPM_MODULES.map(
    (module): Workload => ({
      name: `real-world/${module.package}`,
      family: 'real-world',
      param: module.package,
      tags: module.tags,
      description: module.description,
      source: { kind: 'npm', package: module.package, path: module.path },
      imports: module.imports,
    }),
  ),
];

const byName = new Map(WORKLOADS.map((workload) => [workload.name, workload]));

export function findWorkload(name: string): Workload | undefined {
  return byName.get(name);
}

/**
 * Registered names closest to `name`, best first: by edit distance to the whole name, to
 * its param alone (`sql.js` finds `real-world/sql.js`), or part by part, where a family
 * that contains the given one counts as equal (`gc-struct/100` finds
 * `gc-struct-globals/100`); then by closeness in length.
 */
export function closeWorkloadNames(name: string, limit = 5): string[] {
  const slash = name.indexOf('/');
  const [family, param] = slash === -1 ? [name, undefined] : [name.slice(0, slash), name.slice(slash + 1)];
  const scored = WORKLOADS.map((workload) => {
    const distances = [editDistance(name, workload.name), editDistance(name, String(workload.param))];
    if (param !== undefined) {
      const familyDistance = workload.family.includes(family) ? 0 : editDistance(family, workload.family);
      distances.push(familyDistance + editDistance(param, String(workload.param)));
    }
    return {
      candidate: workload.name,
      distance: Math.min(...distances),
      lengthGap: Math.abs(workload.name.length - name.length),
    };
  });
  scored.sort((a, b) => a.distance - b.distance || a.lengthGap - b.lengthGap || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
