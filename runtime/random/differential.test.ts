// Differential testing: random modules (random-module.ts) instantiated by V8 and by our
// runtime with the same imports must end the same way (an instance with the same
// state, a trap leaving the same state in the imported tables and memories, or a link
// error). The generator's own model of the outcome is checked against V8 too, so a
// disagreement with our runtime is not a harness bug.
import { describe, expect, it } from 'vitest';
import { compile, type CompiledModule } from '../module/compile.ts';
import { writeSlot } from '../instance/const-value.ts';
import { LinkError, RuntimeError } from '../errors.ts';
import { writeGlobalValue } from '../instance/global-value.ts';
import { canonicalFuncTypeId } from '../embedder/host-func-type.ts';
import { describeInstance, type InstanceState } from '../embedder/instance-state.ts';
import type { Strategy } from '../instance/initializer.ts';
import { instantiate } from '../instance/instantiate.ts';
import type { AnyHeapType, RefType, ValType } from '../module/module.ts';
import { toCanonicalRefType, toCanonicalValType, type CanonicalTypeIds } from '../module/type-registry.ts';
import {
  FEATURES,
  generateModule,
  revalueImports,
  type Feature,
  type GeneratedCase,
  type ImportSpec,
  type ModuleCase,
} from './random-module.ts';
import { funcRef, NULL_REF, type RefWord } from '../gc/raw-ref.ts';
import { parseStateValue, type StateValue } from '../embedder/state-value.ts';
import { Store, type Extern, type FuncInst } from '../instance/store.ts';
import { describeV8Instance, v8Wasm, withoutProbes } from '../v8/v8-instance-state.ts';
import { defaultStrategy, strategies } from '../../variants/registry.ts';

/** `DIFFERENTIAL_SEEDS=20000 npx vitest run runtime/differential` sweeps deeper. */
const SEEDS = Array.from({ length: Number(process.env.DIFFERENTIAL_SEEDS ?? 1000) }, (_, i) => i + 1);
/** Each feature must appear in at least this many cases of the corpus. */
const MIN_CASES_PER_FEATURE = 3;

type Outcome =
  | { readonly outcome: 'instance'; readonly state: InstanceState }
  | { readonly outcome: 'trap'; readonly error: unknown; readonly visible: InstanceState }
  | { readonly outcome: 'link-error'; readonly error: unknown };

const cases = SEEDS.map(generateModule);

describe('random module generator', () => {
  it('is deterministic: the same seed gives the same bytes', () => {
    for (const seed of SEEDS.slice(0, 50)) {
      const [a, b] = [generateModule(seed), generateModule(seed)];
      expect(b.bytes, `seed ${seed}`).toEqual(a.bytes);
      expect(b.provider, `seed ${seed}`).toEqual(a.provider);
      expect(b.observer, `seed ${seed}`).toEqual(a.observer);
    }
  });

  it('covers every feature across the corpus', () => {
    const counts = new Map<Feature, number>(FEATURES.map((f) => [f, 0]));
    for (const c of cases) for (const f of c.features) counts.set(f, counts.get(f)! + 1);
    const rare = [...counts].filter(([, n]) => n < MIN_CASES_PER_FEATURE);
    expect(rare, 'features generated in too few cases').toEqual([]);
  });

  it.each(cases)('seed $seed: V8 ends as the generator expects', (c) => {
    const v8 = runV8(c);
    const expected = c.expected;
    expect(v8.outcome, `seed ${c.seed}: ${errorOf(v8)}`).toBe(expected.outcome);
    if (v8.outcome === 'instance' && expected.outcome === 'instance') expect(v8.state, `seed ${c.seed}`).toEqual(expected.state);
    if (v8.outcome === 'trap' && expected.outcome === 'trap') expect(v8.visible, `seed ${c.seed}`).toEqual(expected.visible);
  });
});

describe('our runtime against V8', () => {
  // Every strategy instantiates one compiled module twice, the second time with other
  // import values, so per-module work that wrongly kept an import's value shows up.
  it.each(cases)('seed $seed, every strategy', (c) => {
    const variants = [c, revalueImports(c, c.seed ^ 0x5eed)];
    const v8 = variants.map(runV8);
    const compiled = compile(c.bytes);
    for (const strategy of strategies) {
      variants.forEach((variant, i) => {
        const label = `seed ${c.seed}, strategy ${strategy.name}, ${i === 0 ? 'first' : 'second'} instantiation`;
        const ours = runOurs(variant, compiled, strategy);
        expect(ours.outcome, `${label}: ours ${errorOf(ours)}, V8 ${errorOf(v8[i])}`).toBe(v8[i].outcome);
        if (ours.outcome === 'instance' && v8[i].outcome === 'instance') expect(ours.state, label).toEqual(v8[i].state);
        if (ours.outcome === 'trap' && v8[i].outcome === 'trap') {
          expect(ours.visible, `${label}: state left by the trap`).toEqual(v8[i].visible);
        }
      });
    }
  });

  it('canonicalizes types as the generator models them (iso-recursive equivalence)', () => {
    for (const c of cases) {
      const ids = compile(c.bytes).info.canonicalTypes;
      for (let a = 0; a < c.types.length; a++) {
        for (let b = 0; b < a; b++) {
          const equivalent = c.typeClasses[a] === c.typeClasses[b];
          expect(ids[a] === ids[b], `seed ${c.seed}: types ${b} and ${a} equivalent: ${equivalent}`).toBe(equivalent);
        }
      }
    }
  });

  it('gives a host function type the canonical id of the same type in a module', () => {
    for (const c of cases) {
      const ids = compile(c.bytes).info.canonicalTypes;
      c.types.forEach(({ params, results }, t) => {
        if (!isHostNameable(c, t)) return;
        expect(canonicalFuncTypeId(params, results), `seed ${c.seed}: type ${t}`).toBe(ids[t]);
      });
    }
  });
});

// ---- V8 ----------------------------------------------------------------------------------

function runV8(c: ModuleCase): Outcome {
  const hostFuncs: Record<string, unknown> = {};
  for (const spec of c.imports) if (spec.kind === 'func') hostFuncs[spec.name] = hostFunction(spec.name);
  const provider = new v8Wasm.Instance(new v8Wasm.Module(c.provider), { host: hostFuncs }).exports;
  const funcs = c.imports.flatMap((spec) => (spec.kind === 'func' ? [provider[spec.name]] : []));
  const jsValue = (value: StateValue): unknown => {
    if (value === null) return null;
    if (typeof value === 'object' && 'func' in value) return funcs[value.func];
    if (typeof value === 'object' && 'extern' in value) return value.extern;
    throw new TypeError(`not a reference: ${JSON.stringify(value)}`);
  };
  const imports: Record<string, Record<string, unknown>> = {};
  for (const spec of c.imports) {
    imports[spec.module] ??= {};
    // A repeated import (same module and name) is one extern.
    if (!(spec.name in imports[spec.module])) imports[spec.module][spec.name] = v8Import(spec, provider, jsValue);
  }
  const module = new v8Wasm.Module(c.bytes);
  let instance;
  try {
    instance = new v8Wasm.Instance(module, imports);
  } catch (error) {
    if (error instanceof v8Wasm.LinkError) return { outcome: 'link-error', error };
    if (!(error instanceof v8Wasm.RuntimeError)) throw error;
    const observer = new v8Wasm.Module(c.observer);
    const visible = describeV8Instance(new v8Wasm.Instance(observer, imports), observer, c.observerDeclared);
    return { outcome: 'trap', error, visible };
  }
  return { outcome: 'instance', state: describeV8Instance(instance, module, c.declared) };
}

/**
 * The provider holds every extern the JS API cannot create exactly (see GeneratedCase);
 * the rest is made through the JS API, as an embedder would.
 */
function v8Import(spec: ImportSpec, provider: Readonly<Record<string, unknown>>, jsValue: (v: StateValue) => unknown): unknown {
  switch (spec.kind) {
    case 'func':
      return provider[spec.name];
    case 'global': {
      const { type, mutable } = spec.actual;
      return isExternRef(type) ? new v8Wasm.Global({ value: 'externref', mutable }, jsValue(spec.value)) : provider[spec.name];
    }
    case 'table': {
      const { actual } = spec;
      const address = actual.addressType === 'i64' ? BigInt : Number;
      const table =
        typeof actual.element.heap === 'number'
          ? (provider[spec.name] as ReturnType<typeof newV8Table>)
          : newV8Table(actual.element, actual.addressType, actual.limits);
      spec.elements.forEach((value, i) => table.set(address(i), jsValue(value)));
      return table;
    }
    case 'memory': {
      const { actual } = spec;
      const address = actual.addressType === 'i64' ? BigInt : Number;
      const memory = new v8Wasm.Memory({
        initial: address(actual.limits.min),
        ...(actual.limits.max === undefined ? {} : { maximum: address(actual.limits.max) }),
        address: actual.addressType,
      });
      for (const { offset, bytes } of spec.writes) new Uint8Array(memory.buffer).set(bytes, offset);
      return memory;
    }
  }
}

function newV8Table(element: RefType, addressType: 'i32' | 'i64', limits: { min: number; max?: number }) {
  const address = addressType === 'i64' ? BigInt : Number;
  return new v8Wasm.Table(
    {
      element: element.heap === 'extern' ? 'externref' : 'anyfunc',
      initial: address(limits.min),
      ...(limits.max === undefined ? {} : { maximum: address(limits.max) }),
      address: addressType,
    },
    null,
  );
}

// ---- Our runtime ---------------------------------------------------------------------------

function runOurs(c: ModuleCase, compiled: CompiledModule, strategy: Strategy): Outcome {
  const store = new Store();
  const ids = compiled.info.canonicalTypes;
  // A repeated import (same module and name) is one extern.
  const externs = new Map<string, Extern>();
  const funcs: FuncInst[] = [];
  for (const spec of c.imports) {
    if (spec.kind !== 'func') continue;
    const key = importKey(spec.module, spec.name);
    if (!externs.has(key)) externs.set(key, store.createHostFunc(ids[spec.actual], hostFunction(spec.name)));
    funcs.push(externs.get(key) as FuncInst);
  }
  // The raw word of a reference the host stores; a host value becomes a host object.
  const rawRef = (type: RefType<AnyHeapType>, value: StateValue): RefWord => {
    if (value !== null && typeof value === 'object' && 'func' in value) return funcRef(funcs[value.func].address);
    return value === null ? NULL_REF : (parseStateValue(store, type, value) as RefWord);
  };
  for (const spec of c.imports) {
    const key = importKey(spec.module, spec.name);
    if (spec.kind !== 'func' && !externs.has(key)) externs.set(key, ourImport(store, spec, ids, rawRef));
  }
  const resolve = (module: string, name: string): Extern | undefined => externs.get(importKey(module, name));
  try {
    return { outcome: 'instance', state: withoutProbes(describeInstance(instantiate(store, compiled, resolve, { strategy }))) };
  } catch (error) {
    if (error instanceof LinkError) return { outcome: 'link-error', error };
    if (!(error instanceof RuntimeError)) throw error;
    const observer = instantiate(store, compile(c.observer), resolve, { strategy: defaultStrategy() });
    return { outcome: 'trap', error, visible: withoutProbes(describeInstance(observer)) };
  }
}

/** An extern of every kind but functions, which `runOurs` makes first so values can name them. */
function ourImport(
  store: Store,
  spec: Exclude<ImportSpec, { kind: 'func' }>,
  ids: CanonicalTypeIds,
  rawRef: (type: RefType<AnyHeapType>, value: StateValue) => RefWord,
): Extern {
  switch (spec.kind) {
    case 'global': {
      const type = toCanonicalValType(spec.actual.type, ids);
      const global = store.createGlobal({ type, mutable: spec.actual.mutable });
      // writeGlobalValue cannot take {"func": i} (a host global has no function index
      // space), so a function reference is stored as its raw word; funcrefs need no barrier.
      if (typeof type !== 'string' && spec.value !== null && typeof spec.value === 'object' && 'func' in spec.value) {
        writeSlot(global.cells, global.slot, type, rawRef(type, spec.value));
      } else {
        writeGlobalValue(store, global, spec.value);
      }
      return global;
    }
    case 'table': {
      // The store has no API to set a host table's elements: raw words, with the barrier
      // a counted (extern) reference needs.
      const element = toCanonicalRefType(spec.actual.element, ids);
      const table = store.createTable({ ...spec.actual, element });
      spec.elements.forEach((value, i) => {
        const raw = rawRef(element, value);
        if (isExternRef(element)) store.heap.writeBarrier(table.elements[i], raw);
        table.elements[i] = raw;
      });
      return table;
    }
    case 'memory': {
      const memory = store.createMemory(spec.actual);
      for (const { offset, bytes } of spec.writes) memory.bytes.set(bytes, offset);
      return memory;
    }
  }
}

// ---- Shared --------------------------------------------------------------------------------

function hostFunction(name: string): () => never {
  return () => {
    throw new Error(`host function ${name} was called during instantiation`);
  };
}

/** A type `canonicalFuncTypeId` can name: a final singleton group, no supertype, abstract heap types. */
function isHostNameable(c: GeneratedCase, t: number): boolean {
  const { final, supertype, params, results } = c.types[t];
  const group = c.groups.find(({ start, size }) => t >= start && t < start + size)!;
  const abstract = [...params, ...results].every((v) => typeof v === 'string' || typeof v.heap === 'string');
  return final && supertype === undefined && group.size === 1 && abstract;
}

function isExternRef(type: ValType<AnyHeapType>): boolean {
  return typeof type !== 'string' && type.heap === 'extern';
}

function errorOf(outcome: Outcome): string {
  return outcome.outcome === 'instance' ? 'instantiated' : `${outcome.outcome}: ${String(outcome.error)}`;
}

function importKey(module: string, name: string): string {
  return JSON.stringify([module, name]);
}
