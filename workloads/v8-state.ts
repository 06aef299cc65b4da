// A workload's instance state as V8 leaves it: V8 instantiates the module's observable
// copy (observable-copy.ts) with imports built to match the workload's (the same values
// as the given ones, V8 counterparts of our stubs), and the state is read through
// runtime/v8-instance-state.ts, extended here to structs, arrays and i31 references.
import type { CompiledModule } from '../runtime/compile.ts';
import type { ExportState, InstanceState } from '../runtime/instance-state.ts';
import type { GlobalType, Import, MemoryType, StorageType, SubType, TableType, ValType } from '../runtime/module.ts';
import { describeNumeric, type StateValue } from '../runtime/state-value.ts';
import { storageTypeName } from '../runtime/type-names.ts';
import { describeV8Instance, v8Wasm, type V8Instance } from '../runtime/v8-instance-state.ts';
import { givenImport, type WorkloadImports } from './imports.ts';
import { gcProbe, moduleHeapFamily, observableCopy, type GcRoot, type ObservableCopy } from './observable-copy.ts';

export type V8Imports = Record<string, Record<string, unknown>>;

export interface V8State {
  readonly state: InstanceState;
  readonly copy: ObservableCopy;
}

/** Instantiates the observable copy of `compiled` in V8 and describes it. */
export function describeWithV8(compiled: CompiledModule, imports: WorkloadImports): V8State {
  const copy = observableCopy(compiled);
  const module = new v8Wasm.Module(copy.bytes);
  const instance = new v8Wasm.Instance(module, v8Imports(compiled, imports));
  const state = describeV8Instance(instance, module, copy.declared);
  const reader = new GcReader(compiled.module.types, instance);
  for (const root of copy.gcRoots) state.exports[root.exportName] = reader.describeRoot(root, compiled);
  return { state, copy };
}

// ---- Imports ----------------------------------------------------------------------------

/** The slice of the JS API for making imports that runtime/v8-instance-state.ts does not type. */
interface JsApi {
  readonly Global: new (descriptor: { value: string; mutable: boolean }, value: unknown) => unknown;
  readonly Memory: new (descriptor: {
    initial: number | bigint;
    maximum?: number | bigint;
    shared?: boolean;
    address?: 'i32' | 'i64';
  }) => unknown;
  readonly Table: new (
    descriptor: { element: string; initial: number | bigint; maximum?: number | bigint; address?: 'i32' | 'i64' },
    value: unknown,
  ) => unknown;
}
const jsApi = v8Wasm as unknown as JsApi;

/** A JS import object for `compiled`: each import given a value by the workload, or a stub like ours. */
export function v8Imports(compiled: CompiledModule, imports: WorkloadImports): V8Imports {
  const object: V8Imports = {};
  for (const entry of compiled.module.imports) {
    object[entry.module] ??= {};
    object[entry.module][entry.name] ??= v8Import(compiled, entry, givenImport(imports, entry.module, entry.name));
  }
  return object;
}

function v8Import(compiled: CompiledModule, entry: Import, given: Record<string, unknown> | undefined): unknown {
  const { desc } = entry;
  const where = `import "${entry.module}" "${entry.name}"`;
  switch (desc.kind) {
    case 'func':
      return () => {
        throw new Error(`stub ${where} was called`);
      };
    case 'global':
      return v8Global(compiled, desc.type, given, where);
    case 'memory':
      return v8Memory(desc.type, given);
    case 'table':
      return v8Table(compiled, desc.type, given, where);
    case 'tag':
      throw new Error(`${where}: V8 imports of tags are not made here`);
  }
}

function v8Global(compiled: CompiledModule, { type, mutable }: GlobalType, given: Record<string, unknown> | undefined, where: string): unknown {
  const value = given?.value ?? null;
  const isMutable = typeof given?.mutable === 'boolean' ? given.mutable : mutable;
  switch (type) {
    case 'i32':
      return new jsApi.Global({ value: 'i32', mutable: isMutable }, value ?? 0);
    case 'i64':
      return new jsApi.Global({ value: 'i64', mutable: isMutable }, BigInt((value ?? 0) as string | number));
    case 'f32':
    case 'f64':
      return new jsApi.Global({ value: type, mutable: isMutable }, value === null ? 0 : floatOfBits(type, String(value)));
    case 'v128':
      throw new Error(`${where}: the JS API cannot make a v128 global`);
    default: {
      const family = moduleHeapFamily(compiled.module.types, type.heap);
      if (family !== 'func' && family !== 'extern') throw new Error(`${where}: the JS API cannot make a global of ${storageTypeName(type)}`);
      const host = value !== null && typeof value === 'object' && 'extern' in value ? value.extern : null;
      return new jsApi.Global({ value: family === 'func' ? 'anyfunc' : 'externref', mutable: isMutable }, host);
    }
  }
}

function floatOfBits(type: 'f32' | 'f64', bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  if (type === 'f32') {
    view.setUint32(0, Number(bits));
    return view.getFloat32(0);
  }
  view.setBigUint64(0, BigInt(bits));
  return view.getFloat64(0);
}

function v8Memory(type: MemoryType, given: Record<string, unknown> | undefined): unknown {
  const address = type.addressType === 'i64' ? BigInt : Number;
  const pages = typeof given?.pages === 'number' ? given.pages : type.limits.min;
  return new jsApi.Memory({
    initial: address(pages),
    ...(type.limits.max === undefined ? {} : { maximum: address(type.limits.max) }),
    ...(type.shared ? { shared: true } : {}),
    address: type.addressType,
  });
}

function v8Table(compiled: CompiledModule, type: TableType, given: Record<string, unknown> | undefined, where: string): unknown {
  const family = moduleHeapFamily(compiled.module.types, type.element.heap);
  if (family !== 'func' && family !== 'extern') throw new Error(`${where}: the JS API cannot make a table of ${storageTypeName(type.element)}`);
  const address = type.addressType === 'i64' ? BigInt : Number;
  const size = typeof given?.size === 'number' ? given.size : type.limits.min;
  return new jsApi.Table(
    {
      element: family === 'func' ? 'anyfunc' : 'externref',
      initial: address(size),
      ...(type.limits.max === undefined ? {} : { maximum: address(type.limits.max) }),
      address: type.addressType,
    },
    null,
  );
}

// ---- GC values --------------------------------------------------------------------------

/**
 * Describes any-hierarchy values the way runtime/state-value.ts does, by asking the
 * copy's GC probes. An object's type is the most specific struct or array type its
 * `ref.test` passes (subtype depth, then the lowest index: the first of iso-recursively
 * equal types, which is the index our description uses).
 */
class GcReader {
  private readonly types: readonly SubType[];
  private readonly exports: V8Instance['exports'];
  private readonly depths: number[];

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
      case 'extern':
        return { extern: value };
      case 'exn':
        throw new TypeError('exnref values cannot be read through the JS API');
      case 'any':
        return this.describeAny(value, path);
    }
  }

  private describeAny(value: unknown, path: Set<unknown>): StateValue {
    if (this.call(gcProbe.i31Test, value) === 1) return { i31: this.call(gcProbe.i31, value) as number };
    const type = this.exactType(value);
    if (type === undefined) return { extern: value };
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

function subtypeDepth(types: readonly SubType[], index: number): number {
  let depth = 0;
  for (let t = index; types[t].supertypes.length > 0; t = types[t].supertypes[0]) depth++;
  return depth;
}
