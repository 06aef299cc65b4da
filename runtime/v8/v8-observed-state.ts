// A module's instance state as V8 leaves it: V8 instantiates the module's observable
// copy (observable-copy.ts) with the caller's JS imports, and the state is read through
// v8-instance-state.ts, extended here to the any and extern hierarchies (structs,
// arrays, i31 references, externalized values) through the copy's GC probes. Besides
// the state, the reader reports which of the described objects are the same object.
import type { CompiledModule } from '../module/compile.ts';
import type { ExportState, InstanceState } from '../embedder/instance-state.ts';
import type { StorageType, SubType, ValType } from '../module/module.ts';
import { gcProbe, observableCopy, type GcRoot, type ObservableCopy } from './observable-copy.ts';
import { moduleHeapFamily } from '../module/ref-family.ts';
import { describeNumeric, type StateValue } from '../embedder/state-value.ts';
import { storageTypeName } from '../module/type-names.ts';
import { describeV8Instance, v8Wasm, type V8Instance } from './v8-instance-state.ts';

export type V8Imports = Record<string, Record<string, unknown>>;

export interface V8Observation {
  /** The copy's state as `observedState` gives ours: the module's own exports and the observed ones. */
  readonly state: InstanceState;
  /**
   * Object identity: walking the GC exports by name (`compareExportNames`) and each
   * value in the order it is described, for every struct or array met (a shared one
   * each time it is met, a cycle's back reference too), the position of its first
   * meeting.
   */
  readonly identity: number[];
  readonly copy: ObservableCopy;
}

/** The order in which `identity` walks the exports. */
export function compareExportNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Instantiates the observable copy of `compiled` in V8 and describes it. */
export function observeInV8(compiled: CompiledModule, imports: V8Imports): V8Observation {
  const copy = observableCopy(compiled);
  const module = new v8Wasm.Module(copy.bytes);
  const instance = new v8Wasm.Instance(module, imports);
  const state = describeV8Instance(instance, module, copy.declared);
  const reader = new GcReader(compiled.module.types, instance);
  const roots = [...copy.gcRoots].sort((a, b) => compareExportNames(a.exportName, b.exportName));
  for (const root of roots) state.exports[root.exportName] = reader.describeRoot(root, compiled);
  return { state, identity: reader.identity, copy };
}

/**
 * Describes values of the any and extern hierarchies the way state-value.ts does, by
 * asking the copy's GC probes. An object's type is the most specific struct or array
 * type its `ref.test` passes (subtype depth, then the lowest index: the first of
 * iso-recursively equal types, which is the index our description uses).
 */
class GcReader {
  readonly identity: number[] = [];
  private readonly types: readonly SubType[];
  private readonly exports: V8Instance['exports'];
  private readonly depths: number[];
  private readonly firstMeeting = new Map<unknown, number>();
  /** Objects met so far by type, one JS value for each distinct object. */
  private readonly metByType = new Map<number, unknown[]>();

  constructor(types: readonly SubType[], instance: V8Instance) {
    this.types = types;
    this.exports = instance.exports;
    this.depths = types.map((_, t) => subtypeDepth(types, t));
  }

  describeRoot(root: GcRoot, compiled: CompiledModule): ExportState {
    const { info } = compiled;
    if (root.kind === 'global') {
      const { type, mutable } = info.globals[root.index];
      const value = this.describeValue(type, this.call(gcProbe.global(root.index)), new Set());
      return { kind: 'global', type: storageTypeName(type), mutable, value };
    }
    const table = info.tables[root.index];
    const wide = table.addressType === 'i64';
    const size = Number(this.call(gcProbe.tableSize(root.index)));
    const elements: StateValue[] = [];
    for (let i = 0; i < size; i++) {
      elements.push(this.describeValue(table.element, this.call(gcProbe.table(root.index), wide ? BigInt(i) : i), new Set()));
    }
    return { kind: 'table', type: storageTypeName(table.element), size, elements };
  }

  private describeValue(type: StorageType, value: unknown, path: Set<unknown>): StateValue {
    switch (type) {
      case 'i8':
      case 'i16':
      case 'i32':
      case 'i64':
      case 'f32':
      case 'f64':
        return describeNumeric(type, value as number | bigint);
      case 'v128':
        throw new TypeError('a v128 value is read as two lanes');
      default:
        return this.describeRef(type, value, path);
    }
  }

  private describeRef(type: Exclude<ValType, string>, value: unknown, path: Set<unknown>): StateValue {
    if (value === null) return null;
    switch (moduleHeapFamily(this.types, type.heap)) {
      case 'func':
        return { func: Number((value as () => unknown).name) };
      case 'extern': {
        // A host value stays itself; any other value was externalized (`extern.convert_any`).
        const inner = this.describeAny(this.call(gcProbe.internalize, value), path);
        return isHostValue(inner) ? { extern: hostValue(value) } : { extern: inner };
      }
      case 'exn':
        throw new TypeError('exnref values cannot be read through the JS API');
      case 'any':
        return this.describeAny(value, path);
    }
  }

  private describeAny(value: unknown, path: Set<unknown>): StateValue {
    if (this.call(gcProbe.i31Test, value) === 1) return { i31: this.call(gcProbe.i31, value) as number };
    const type = this.exactType(value);
    // Neither i31 nor an object of the module's types: a host value taken in by `any.convert_extern`.
    if (type === undefined) return { extern: hostValue(value) };
    this.meet(type, value);
    if (path.has(value)) return { cycle: true };
    path.add(value);
    const composite = this.types[type].composite;
    let result: StateValue;
    if (composite.kind === 'struct') {
      const fields = composite.fields.map(({ storage }, f) => this.read(storage, (lane) => this.call(gcProbe.field(type, f, lane), value), path));
      result = { struct: type, fields };
    } else if (composite.kind === 'array') {
      const length = this.call(gcProbe.length(type), value) as number;
      const { storage } = composite.element;
      const elements = Array.from({ length }, (_, i) => this.read(storage, (lane) => this.call(gcProbe.element(type, lane), value, i), path));
      result = { array: type, elements };
    } else {
      throw new TypeError(`type ${type} is a function type`);
    }
    path.delete(value);
    return result;
  }

  /**
   * Records an object's identity. JS identity is the fast path; an object JS has not
   * seen is compared by `ref.eq` with the earlier objects of its type, so identity does
   * not rest on how V8 hands objects to JS.
   */
  private meet(type: number, value: unknown): void {
    let first = this.firstMeeting.get(value);
    if (first === undefined) {
      const earlier = this.metByType.get(type) ?? [];
      const same = earlier.find((other) => this.call(gcProbe.eq, other, value) === 1);
      first = same === undefined ? this.identity.length : this.firstMeeting.get(same)!;
      this.firstMeeting.set(value, first);
      if (same === undefined) {
        earlier.push(value);
        this.metByType.set(type, earlier);
      }
    }
    this.identity.push(first);
  }

  private read(storage: StorageType, probe: (lane: string) => unknown, path: Set<unknown>): StateValue {
    if (storage !== 'v128') return this.describeValue(storage, probe(''), path);
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64LE(probe(':lo') as bigint, 0);
    bytes.writeBigInt64LE(probe(':hi') as bigint, 8);
    return `0x${bytes.toString('hex')}`;
  }

  private exactType(value: unknown): number | undefined {
    let best: number | undefined;
    this.types.forEach(({ composite }, t) => {
      if (composite.kind === 'func' || this.call(gcProbe.test(t), value) !== 1) return;
      if (best === undefined || this.depths[t] > this.depths[best]) best = t;
    });
    return best;
  }

  private call(name: string, ...args: unknown[]): unknown {
    const probe = this.exports[name];
    if (typeof probe !== 'function') throw new TypeError(`missing probe export "${name}"`);
    return (probe as (...args: unknown[]) => unknown)(...args);
  }
}

function isHostValue(described: StateValue): boolean {
  return typeof described === 'object' && described !== null && 'extern' in described;
}

function subtypeDepth(types: readonly SubType[], index: number): number {
  let depth = 0;
  for (let t = index; types[t].supertypes.length > 0; t = types[t].supertypes[0]) depth++;
  return depth;
}

/**
 * A host value as the state describes it: the value itself, except a JS function, which
 * JSON cannot hold: it is `function NAME`, as our runtime labels a host value made from
 * a function import (the stubs of both sides are named for their import).
 */
function hostValue(value: unknown): unknown {
  return typeof value === 'function' ? `function ${value.name}` : value;
}
