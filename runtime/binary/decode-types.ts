// Decoding of types (https://webassembly.github.io/spec/core/binary/types.html).
import type { ByteReader } from './byte-reader.ts';
import { typeIndex, type TypeIndex } from '../module/module.ts';
import type {
  AbsHeapType,
  CompositeType,
  FieldType,
  GlobalType,
  HeapType,
  Limits,
  MemoryType,
  RecGroup,
  RefType,
  StorageType,
  SubType,
  TableType,
  ValType,
} from '../module/module.ts';

/** Abstract heap types by their one-byte encoding (0x69-0x74). */
const ABS_HEAP_TYPES: readonly (AbsHeapType | undefined)[] = (() => {
  const table: (AbsHeapType | undefined)[] = new Array(0x100).fill(undefined);
  const order: AbsHeapType[] = [
    'exn', 'array', 'struct', 'i31', 'eq', 'any', 'extern', 'func', 'none', 'noextern', 'nofunc', 'noexn',
  ];
  order.forEach((heap, i) => (table[0x69 + i] = heap));
  return table;
})();

// Reference types over abstract heaps are immutable values; sharing them saves an
// allocation per local, global and table.
const NULLABLE_ABS = new Map<HeapType, RefType>();
const NON_NULL_ABS = new Map<HeapType, RefType>();
for (const heap of ABS_HEAP_TYPES) {
  if (heap === undefined) continue;
  NULLABLE_ABS.set(heap, { nullable: true, heap });
  NON_NULL_ABS.set(heap, { nullable: false, heap });
}

/** Value types with a one-byte encoding: number and vector types, abstract reference types. */
const ONE_BYTE_VALTYPES: readonly (ValType | undefined)[] = (() => {
  const table: (ValType | undefined)[] = new Array(0x100).fill(undefined);
  table[0x7f] = 'i32';
  table[0x7e] = 'i64';
  table[0x7d] = 'f32';
  table[0x7c] = 'f64';
  table[0x7b] = 'v128';
  ABS_HEAP_TYPES.forEach((heap, b) => {
    if (heap !== undefined) table[b] = NULLABLE_ABS.get(heap);
  });
  return table;
})();

const REF_NULL = 0x63;
const REF = 0x64;

export function readHeapType(r: ByteReader): HeapType {
  const at = r.pos;
  const b = r.peek();
  if (b >= 0) {
    const abs = ABS_HEAP_TYPES[b];
    if (abs !== undefined) {
      r.pos++;
      return abs;
    }
  }
  const index = r.s33();
  if (index < 0) r.fail('malformed heap type', at);
  return typeIndex(index);
}

/** A type index (typeidx): a u32. Whether it names a type is for validation. */
export function readTypeIndex(r: ByteReader): TypeIndex {
  return typeIndex(r.u32());
}

function refTypeOf(nullable: boolean, heap: HeapType): RefType {
  if (typeof heap === 'number') return { nullable, heap };
  return (nullable ? NULLABLE_ABS : NON_NULL_ABS).get(heap)!;
}

/** The value type whose encoding starts with byte `b` (already consumed), if any. */
function valTypeAfter(r: ByteReader, b: number): ValType | undefined {
  const t = ONE_BYTE_VALTYPES[b];
  if (t !== undefined) return t;
  if (b === REF_NULL || b === REF) return refTypeOf(b === REF_NULL, readHeapType(r));
  return undefined;
}

export function readValType(r: ByteReader): ValType {
  const at = r.pos;
  const t = valTypeAfter(r, r.u8());
  if (t === undefined) r.fail('malformed value type', at);
  return t;
}

export function readRefType(r: ByteReader): RefType {
  const at = r.pos;
  const t = valTypeAfter(r, r.u8());
  if (t === undefined || typeof t === 'string') r.fail('malformed reference type', at);
  return t;
}

function readStorageType(r: ByteReader): StorageType {
  const at = r.pos;
  const b = r.u8();
  if (b === 0x78) return 'i8';
  if (b === 0x77) return 'i16';
  const t = valTypeAfter(r, b);
  if (t === undefined) r.fail('malformed storage type', at);
  return t;
}

function readMutability(r: ByteReader): boolean {
  const at = r.pos;
  const b = r.u8();
  if (b > 1) r.fail('malformed mutability', at);
  return b === 1;
}

function readFieldType(r: ByteReader): FieldType {
  const storage = readStorageType(r);
  return { storage, mutable: readMutability(r) };
}

function readResultType(r: ByteReader): ValType[] {
  const n = r.count();
  const types = new Array<ValType>(n);
  for (let i = 0; i < n; i++) types[i] = readValType(r);
  return types;
}

function readCompositeType(r: ByteReader): CompositeType {
  const at = r.pos;
  switch (r.u8()) {
    case 0x60: {
      const params = readResultType(r);
      return { kind: 'func', params, results: readResultType(r) };
    }
    case 0x5f: {
      const n = r.count();
      const fields = new Array<FieldType>(n);
      for (let i = 0; i < n; i++) fields[i] = readFieldType(r);
      return { kind: 'struct', fields };
    }
    case 0x5e:
      return { kind: 'array', element: readFieldType(r) };
    default:
      r.fail('malformed definition type', at);
  }
}

const NO_SUPERTYPES: readonly TypeIndex[] = [];

function readSubType(r: ByteReader): SubType {
  const b = r.peek();
  if (b !== 0x50 && b !== 0x4f) {
    return { final: true, supertypes: NO_SUPERTYPES, composite: readCompositeType(r) };
  }
  r.pos++;
  const n = r.count();
  const supertypes = new Array<TypeIndex>(n);
  for (let i = 0; i < n; i++) supertypes[i] = readTypeIndex(r);
  return { final: b === 0x4f, supertypes, composite: readCompositeType(r) };
}

/** One entry of the type section: a recursion group, or a lone subtype (a group of one). */
export function readRecType(r: ByteReader, types: SubType[], recGroups: RecGroup[]): void {
  const start = types.length;
  if (r.peek() === 0x4e) {
    r.pos++;
    const n = r.count();
    for (let i = 0; i < n; i++) types.push(readSubType(r));
  } else {
    types.push(readSubType(r));
  }
  recGroups.push({ start, size: types.length - start });
}

const HAS_MAX = 0x01;
const SHARED = 0x02;
const ADDRESS_I64 = 0x04;

/** Limits flags; `allowed` masks the bits the owner may use. Min and max are u64 for all. */
function readLimits(r: ByteReader, allowed: number): { flags: number; limits: Limits } {
  const at = r.pos;
  const flags = r.u8();
  if (flags & ~allowed) r.fail('malformed limits flags', at);
  const minAt = r.pos;
  const min = r.u64AsNumber();
  const maxAt = r.pos;
  const max = flags & HAS_MAX ? r.u64AsNumber() : undefined;
  if (min <= Number.MAX_SAFE_INTEGER && (max === undefined || max <= Number.MAX_SAFE_INTEGER)) {
    return { flags, limits: { min, max } };
  }
  // Rounded values could compare equal where the exact ones do not: read them again.
  const end = r.pos;
  r.pos = minAt;
  const exactMin = r.u64();
  r.pos = maxAt;
  const exact = { min: exactMin, max: max === undefined ? undefined : r.u64() };
  r.pos = end;
  return { flags, limits: { min, max, exact } };
}

export function readTableType(r: ByteReader): TableType {
  const element = readRefType(r);
  // Tables cannot be shared: the flag is not part of their encoding.
  const { flags, limits } = readLimits(r, HAS_MAX | ADDRESS_I64);
  return { addressType: flags & ADDRESS_I64 ? 'i64' : 'i32', limits, element };
}

export function readMemoryType(r: ByteReader): MemoryType {
  const { flags, limits } = readLimits(r, HAS_MAX | SHARED | ADDRESS_I64);
  return { addressType: flags & ADDRESS_I64 ? 'i64' : 'i32', limits, shared: (flags & SHARED) !== 0 };
}

export function readGlobalType(r: ByteReader): GlobalType {
  const type = readValType(r);
  return { type, mutable: readMutability(r) };
}

/** A tag type: an attribute byte that must be 0 (exception), then a type index. */
export function readTagType(r: ByteReader): TypeIndex {
  const at = r.pos;
  if (r.u8() !== 0) r.fail('zero byte expected', at);
  return readTypeIndex(r);
}
