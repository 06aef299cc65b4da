// What the heap needs to know about a struct or array type to allocate, size and free
// its objects: bytes per field, which fields hold counted references, packed masks.
// Computed once per canonical type.
import type { FieldValue } from './heap.ts';
import type { AnyHeapType, StorageType } from '../module/module.ts';
import { isGcManaged } from '../module/ref-family.ts';
import { canonicalType, type CanonicalStorageType, type CanonicalTypeId } from '../module/type-registry.ts';
import { defaultValue } from '../instance/const-value.ts';
import type { RefWord } from './raw-ref.ts';

export interface FieldLayout {
  readonly storage: CanonicalStorageType;
  readonly bytes: number;
  /** Holds a reference the heap counts (any or extern family). */
  readonly counted: boolean;
  /** Stored values are masked to the packed width (i8/i16), kept unsigned. */
  readonly mask?: number;
}

export interface StructLayout {
  readonly kind: 'struct';
  readonly fields: readonly FieldLayout[];
  readonly payloadBytes: number;
  readonly countedFields: readonly number[];
  /** The field values of struct.new_default. */
  readonly defaults: readonly FieldValue[];
  /** Yields the counted references a payload holds, for freeing. */
  readonly childRefs?: (payload: FieldValue[]) => Iterable<RefWord>;
}

export interface ArrayLayout {
  readonly kind: 'array';
  readonly element: FieldLayout;
  readonly childRefs?: (payload: FieldValue[]) => Iterable<RefWord>;
}

const layouts = new Map<number, StructLayout | ArrayLayout>();

export function layoutOf(typeId: CanonicalTypeId): StructLayout | ArrayLayout {
  let layout = layouts.get(typeId);
  if (layout === undefined) {
    layout = computeLayout(typeId);
    layouts.set(typeId, layout);
  }
  return layout;
}

function computeLayout(typeId: CanonicalTypeId): StructLayout | ArrayLayout {
  const composite = canonicalType(typeId).composite;
  if (composite.kind === 'struct') {
    const fields = composite.fields.map((f) => fieldLayout(f.storage));
    const countedFields = fields.flatMap((f, i) => (f.counted ? [i] : []));
    return {
      kind: 'struct',
      fields,
      payloadBytes: fields.reduce((sum, f) => sum + f.bytes, 0),
      countedFields,
      defaults: fields.map((f) => defaultFieldValue(f.storage)),
      childRefs: countedFields.length === 0 ? undefined : (payload) => countedFields.map((i) => payload[i] as RefWord),
    };
  }
  if (composite.kind === 'array') {
    const element = fieldLayout(composite.element.storage);
    return { kind: 'array', element, childRefs: element.counted ? (payload) => payload as RefWord[] : undefined };
  }
  throw new TypeError(`type ${typeId} is a function type, not a struct or array`);
}

function fieldLayout(storage: CanonicalStorageType): FieldLayout {
  switch (storage) {
    case 'i8':
      return { storage, bytes: 1, counted: false, mask: 0xff };
    case 'i16':
      return { storage, bytes: 2, counted: false, mask: 0xffff };
    case 'i32':
    case 'f32':
      return { storage, bytes: 4, counted: false };
    case 'i64':
    case 'f64':
      return { storage, bytes: 8, counted: false };
    case 'v128':
      return { storage, bytes: 16, counted: false };
    default:
      return { storage, bytes: 4, counted: isGcManaged(storage) };
  }
}

export function defaultFieldValue(storage: StorageType<AnyHeapType>): FieldValue {
  return storage === 'i8' || storage === 'i16' ? 0 : defaultValue(storage);
}

/**
 * A field value as stored: packed fields keep their low bits, unsigned; a v128 gets bytes
 * of its own (a value may be a view of the module's bytes, or shared by other fields).
 */
export function storeField(field: FieldLayout, value: FieldValue): FieldValue {
  if (value instanceof Uint8Array) return value.slice();
  return field.mask === undefined ? value : (value as number) & field.mask;
}
