// Values in the instance-state JSON format (the `inspect --json` contract):
// i32 a number; i64 a decimal string; f32/f64 the bit pattern "0x…"; v128 "0x…" of its
// 16 bytes in memory order; references null, {"func": i}, {"i31": n},
// {"struct": t, "fields": […]}, {"array": t, "elements": […]}, {"extern": json},
// and {"cycle": true} for an object already printed on the path.
import type { Value } from '../instance/const-value.ts';
import { InternalError, ResourceLimitError } from '../errors.ts';
import type { Instance } from '../instance/instance.ts';
import type { AnyHeapType, FieldType, StorageType, ValType } from '../module/module.ts';
import { funcAddress, i31Ref, i31Value, isHeapRef, isI31, type RefWord } from '../gc/raw-ref.ts';
import { heapFamily } from '../module/ref-family.ts';
import type { Store } from '../instance/store.ts';
import { canonicalType, type CanonicalTypeId } from '../module/type-registry.ts';
import { definedAt, wholeIndex } from '../module/index-spaces.ts';

export type StateValue =
  | number
  | string
  | null
  | { readonly func: number }
  | { readonly i31: number }
  | { readonly struct: number; readonly fields: StateValue[] }
  | { readonly array: number; readonly elements: StateValue[] }
  | { readonly extern: unknown }
  | { readonly cycle: true };

/**
 * How many more values a description may write. A GC object reachable along several
 * paths is written out once per path (the format has no sharing), so a graph of a few
 * hundred bytes can describe as gigabytes; past the budget, describing stops with a
 * `ResourceLimitError`.
 */
export interface DescribeBudget {
  values: number;
  readonly limit: number;
}

export function describeBudget(limit: number): DescribeBudget {
  return { values: limit, limit };
}

/** Describes a value of a canonical type as seen from `instance` (function indices are its own). */
export function describeValue(instance: Instance, type: StorageType<AnyHeapType>, value: Value, budget = describeBudget(Infinity)): StateValue {
  return describe(instance, type, value, new Set(), budget);
}

export type NumericStorageType = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';

/**
 * A number in the state format. Floats come as bit patterns: f32 bits as a number, f64
 * bits as a bigint (signed or not, as `i64.reinterpret_f64` gives them to JS).
 */
export function describeNumeric(type: NumericStorageType, value: number | bigint): StateValue {
  switch (type) {
    case 'i8':
    case 'i16':
    case 'i32':
      return value as number;
    case 'i64':
      return (value as bigint).toString();
    case 'f32':
      return hex((value as number) >>> 0, 8);
    case 'f64':
      return hex(BigInt.asUintN(64, value as bigint), 16);
  }
}

function describe(instance: Instance, type: StorageType<AnyHeapType>, value: Value, path: Set<number>, budget: DescribeBudget): StateValue {
  if (--budget.values < 0) {
    throw new ResourceLimitError('stateValues', budget.limit + 1, `instance state: more than ${budget.limit} values (a GC object is written out at every path that reaches it)`);
  }
  switch (type) {
    case 'i8':
    case 'i16':
    case 'i32':
    case 'i64':
    case 'f32':
    case 'f64':
      return describeNumeric(type, value as number | bigint);
    case 'v128':
      return `0x${Buffer.from(value as Uint8Array).toString('hex')}`;
    default:
      return describeRef(instance, heapFamily(type.heap), value as RefWord, path, budget);
  }
}

function describeRef(instance: Instance, family: string, raw: RefWord, path: Set<number>, budget: DescribeBudget): StateValue {
  if (raw === 0) return null;
  if (family === 'func') return { func: funcIndexIn(instance, funcAddress(raw)) };
  const inner = describeAnyRef(instance, raw, path, budget);
  if (family === 'extern' && !isHostObject(instance.store, raw)) return { extern: inner };
  return inner;
}

function describeAnyRef(instance: Instance, raw: RefWord, path: Set<number>, budget: DescribeBudget): StateValue {
  if (isI31(raw)) return { i31: i31Value(raw) };
  const heap = instance.store.heap;
  const kind = heap.kind(raw);
  if (kind === 'host') return { extern: heap.hostValue(raw) };
  if (path.has(raw)) return { cycle: true };
  path.add(raw);
  const typeId = heap.typeId(raw);
  const composite = canonicalType(typeId).composite;
  const fields = heap.fields(raw);
  const typeIndex = typeIndexIn(instance, typeId);
  let result: StateValue;
  if (composite.kind === 'struct') {
    result = { struct: typeIndex, fields: composite.fields.map((f, i) => describeField(instance, f, fields[i], path, budget)) };
  } else if (composite.kind === 'array') {
    const element = composite.element;
    result = { array: typeIndex, elements: fields.map((v) => describeField(instance, element, v, path, budget)) };
  } else {
    throw new InternalError(`GC object of function type ${typeId}`);
  }
  path.delete(raw);
  return result;
}

function describeField(instance: Instance, field: FieldType<AnyHeapType>, value: Value, path: Set<number>, budget: DescribeBudget): StateValue {
  return describe(instance, field.storage, value, path, budget);
}

function isHostObject(store: Store, raw: RefWord): boolean {
  return isHeapRef(raw) && store.heap.kind(raw) === 'host';
}

/**
 * A function's index in `instance`'s function index space. A function the instance
 * cannot name (reached through an imported table or global) keeps its index in its own
 * instance; a host function it does not import is -1.
 */
function funcIndexIn(instance: Instance, address: number): number {
  const addresses = instance.funcAddresses;
  const importedFuncs = instance.module.info.importedFuncs;
  const firstDefined = importedFuncs < addresses.length ? addresses[importedFuncs] : -1;
  if (firstDefined >= 0 && address >= firstDefined && address < firstDefined + addresses.length - importedFuncs) {
    return wholeIndex(importedFuncs, definedAt<'func'>(address - firstDefined));
  }
  for (let i = 0; i < importedFuncs; i++) if (addresses[i] === address) return i;
  const func = instance.store.funcAt(address);
  return func.instance === undefined ? -1 : func.index;
}

/**
 * The first type index of `instance`'s module with this canonical id, or -1 for a type
 * the module does not declare (an object made by another module, reached through an
 * import): no index of this module names it.
 */
function typeIndexIn(instance: Instance, canonicalId: CanonicalTypeId): number {
  return instance.module.info.canonicalTypes.indexOf(canonicalId);
}

function hex(value: number | bigint, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/**
 * Parses a state value for a slot of canonical type `type`, as host globals from an
 * imports file or a spec script are given. A host value becomes a new host object;
 * the caller stores the raw word behind a write barrier.
 */
export function parseStateValue(store: Store, type: ValType<AnyHeapType>, json: unknown): Value {
  const fail = (): never => {
    throw new TypeError(`${JSON.stringify(json)} is not a value of type ${typeof type === 'string' ? type : 'reference'}`);
  };
  switch (type) {
    case 'i32':
      // Signed, or the unsigned reading of the same bits; anything else would wrap silently.
      if (typeof json !== 'number' || !Number.isInteger(json) || json < -(2 ** 31) || json >= 2 ** 32) return fail();
      return json | 0;
    case 'i64': {
      const exact = typeof json === 'number' ? Number.isSafeInteger(json) : typeof json === 'string' && /^-?\d+$/.test(json);
      const value = exact ? BigInt(json as string | number) : undefined;
      if (value === undefined || value < -(2n ** 63n) || value >= 2n ** 64n) return fail();
      return BigInt.asIntN(64, value);
    }
    case 'f32':
      if (typeof json !== 'string' || !/^0x[0-9a-f]{1,8}$/i.test(json)) return fail();
      return Number(json) >>> 0;
    case 'f64':
      if (typeof json !== 'string' || !/^0x[0-9a-f]{1,16}$/i.test(json)) return fail();
      return BigInt(json);
    case 'v128':
      if (typeof json !== 'string' || !/^0x[0-9a-f]{32}$/i.test(json)) return fail();
      return new Uint8Array(Buffer.from(json.slice(2), 'hex'));
    default: {
      if (json === null) return 0;
      const family = heapFamily(type.heap);
      if (typeof json !== 'object') return fail();
      if (family === 'extern' && 'extern' in json) return store.heap.allocateHost(json.extern);
      if (family === 'any' && 'i31' in json && Number.isInteger(json.i31) && (json.i31 as number) >= -(2 ** 30) && (json.i31 as number) < 2 ** 30) {
        return i31Ref(json.i31 as number);
      }
      return fail();
    }
  }
}
