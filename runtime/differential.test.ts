// Differential testing: random modules (random-module.ts) instantiated by V8 and by our
// runtime with the same imports must leave the same instance state, or both trap and
// leave the same state in their imported tables and memories. The generator's own
// model of that state is checked against V8 too, so a disagreement with our runtime is
// not a harness bug.
import { describe, expect, it } from 'vitest';
import { compile } from './compile.ts';
import { writeSlot } from './const-value.ts';
import { RuntimeError } from './errors.ts';
import { writeGlobalValue } from './global-value.ts';
import { canonicalFuncTypeId } from './host-func-type.ts';
import { describeInstance, type InstanceState } from './instance-state.ts';
import { instantiate } from './instantiate.ts';
import type { RefType, ValType } from './module.ts';
import { FEATURES, generateModule, type Feature, type GeneratedCase, type ImportSpec } from './random-module.ts';
import { funcRef, NULL_REF } from './raw-ref.ts';
import { parseStateValue, type StateValue } from './state-value.ts';
import { Store, type Extern, type FuncInst } from './store.ts';
import { describeV8Instance, v8Wasm, withoutProbes } from './v8-instance-state.ts';

/** `DIFFERENTIAL_SEEDS=20000 npx vitest run runtime/differential` sweeps deeper. */
const SEEDS = Array.from({ length: Number(process.env.DIFFERENTIAL_SEEDS ?? 1000) }, (_, i) => i + 1);
/** Each feature must appear in at least this many cases of the corpus. */
const MIN_CASES_PER_FEATURE = 3;

type Outcome =
  | { readonly trap: false; readonly state: InstanceState }
  | { readonly trap: true; readonly error: unknown; readonly visible: InstanceState };

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

  it.each(cases)('seed $seed: V8 leaves the state the generator expects', (c) => {
    const v8 = runV8(c);
    if (c.expected.trap) {
      expect(v8.trap, `seed ${c.seed}: V8 should trap`).toBe(true);
      if (v8.trap) expect(v8.visible, `seed ${c.seed}`).toEqual(c.expected.visible);
    } else {
      expect(v8.trap ? v8.error : undefined, `seed ${c.seed}: V8 trapped`).toBeUndefined();
      if (!v8.trap) expect(v8.state, `seed ${c.seed}`).toEqual(c.expected.state);
    }
  });
});

describe('our runtime against V8', () => {
  it.each(cases)('seed $seed', (c) => {
    const v8 = runV8(c);
    const ours = runOurs(c);
    if (v8.trap) {
      expect(ours.trap ? ours.error : undefined, `seed ${c.seed}: V8 trapped, ours did not`).toBeInstanceOf(RuntimeError);
      if (ours.trap) expect(ours.visible, `seed ${c.seed}: state left by the trap`).toEqual(v8.visible);
    } else {
      expect(ours.trap ? ours.error : undefined, `seed ${c.seed}: ours trapped, V8 did not`).toBeUndefined();
      if (!ours.trap) expect(ours.state, `seed ${c.seed}`).toEqual(v8.state);
    }
  });
});

// ---- V8 ----------------------------------------------------------------------------------

function runV8(c: GeneratedCase): Outcome {
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
    imports[spec.module][spec.name] = v8Import(spec, provider, jsValue);
  }
  const module = new v8Wasm.Module(c.bytes);
  let instance;
  try {
    instance = new v8Wasm.Instance(module, imports);
  } catch (error) {
    if (!(error instanceof v8Wasm.RuntimeError)) throw error;
    const observer = new v8Wasm.Module(c.observer);
    const visible = describeV8Instance(new v8Wasm.Instance(observer, imports), observer, c.observerDeclared);
    return { trap: true, error, visible };
  }
  return { trap: false, state: describeV8Instance(instance, module, c.declared) };
}

function v8Import(spec: ImportSpec, provider: Readonly<Record<string, unknown>>, jsValue: (v: StateValue) => unknown): unknown {
  switch (spec.kind) {
    case 'func':
      return provider[spec.name];
    case 'global':
      // The provider holds every global the JS API cannot create with exact bits; an
      // externref's value is a JS value, which only the JS API can give.
      if (isExternRef(spec.type)) return new v8Wasm.Global({ value: 'externref', mutable: spec.mutable }, jsValue(spec.value));
      return provider[spec.name];
    case 'table': {
      const { actual } = spec;
      const address = actual.addressType === 'i64' ? BigInt : Number;
      const table = new v8Wasm.Table(
        {
          element: actual.element.heap === 'extern' ? 'externref' : 'anyfunc',
          initial: address(actual.limits.min),
          ...(actual.limits.max === undefined ? {} : { maximum: address(actual.limits.max) }),
          address: actual.addressType,
        },
        null,
      );
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

// ---- Our runtime ---------------------------------------------------------------------------

function runOurs(c: GeneratedCase): Outcome {
  const store = new Store();
  const typeIds = c.types.map(({ params, results }) => canonicalFuncTypeId(params, results));
  const canonical = (type: ValType): ValType =>
    typeof type !== 'string' && typeof type.heap === 'number' ? { ...type, heap: typeIds[type.heap] } : type;
  const funcs: FuncInst[] = [];
  for (const spec of c.imports) {
    if (spec.kind === 'func') funcs.push(store.createHostFunc(typeIds[spec.typeIndex], hostFunction(spec.name)));
  }
  // The raw word of a reference the host stores; a host value becomes a host object.
  const rawRef = (type: RefType, value: StateValue): number => {
    if (value !== null && typeof value === 'object' && 'func' in value) return funcRef(funcs[value.func].address);
    return value === null ? NULL_REF : (parseStateValue(store, type, value) as number);
  };
  const externs = new Map<string, Extern>();
  let f = 0;
  for (const spec of c.imports) {
    externs.set(importKey(spec.module, spec.name), ourImport(store, spec, funcs, f, canonical, rawRef));
    if (spec.kind === 'func') f++;
  }
  const resolve = (module: string, name: string): Extern | undefined => externs.get(importKey(module, name));
  try {
    return { trap: false, state: withoutProbes(describeInstance(instantiate(store, compile(c.bytes), resolve))) };
  } catch (error) {
    if (!(error instanceof RuntimeError)) throw error;
    const observer = instantiate(store, compile(c.observer), resolve);
    return { trap: true, error, visible: withoutProbes(describeInstance(observer)) };
  }
}

function ourImport(
  store: Store,
  spec: ImportSpec,
  funcs: readonly FuncInst[],
  funcIndex: number,
  canonical: (type: ValType) => ValType,
  rawRef: (type: RefType, value: StateValue) => number,
): Extern {
  switch (spec.kind) {
    case 'func':
      return funcs[funcIndex];
    case 'global': {
      const type = canonical(spec.type);
      const global = store.createGlobal({ type, mutable: spec.mutable });
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
      const table = store.createTable(spec.actual);
      const element = spec.actual.element;
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

function isExternRef(type: ValType): boolean {
  return typeof type !== 'string' && type.heap === 'extern';
}

function importKey(module: string, name: string): string {
  return JSON.stringify([module, name]);
}
