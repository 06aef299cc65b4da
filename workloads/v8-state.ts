// A workload's instance state as V8 leaves it: V8 instantiates the module's observable
// copy (runtime/observable-copy.ts) with imports built to match the workload's (the same
// values as the given ones, V8 counterparts of our stubs), and the state is read by
// runtime/v8-observed-state.ts.
import type { CompiledModule } from '../runtime/module/compile.ts';
import type { GlobalType, Import, MemoryType, TableType } from '../runtime/module/module.ts';
import { stubFunctionName } from '../runtime/embedder/stub-imports.ts';
import { moduleHeapFamily } from '../runtime/module/ref-family.ts';
import { storageTypeName } from '../runtime/module/type-names.ts';
import { v8Wasm } from '../runtime/v8/v8-instance-state.ts';
import { observeInV8, type V8Imports, type V8Observation } from '../runtime/v8/v8-observed-state.ts';
import { givenImport, type WorkloadImports } from './imports.ts';

/** Instantiates the observable copy of `compiled` in V8, with the workload's imports, and describes it. */
export function describeWithV8(compiled: CompiledModule, imports: WorkloadImports): V8Observation {
  return observeInV8(compiled, v8Imports(compiled, imports));
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
    case 'func': {
      const stub = () => {
        throw new Error(`stub ${where} was called`);
      };
      // Named as our runtime labels it, should an externref import of the same name hold it.
      return Object.defineProperty(stub, 'name', { value: stubFunctionName(entry.module, entry.name) });
    }
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
