// Process-wide canonicalization of recursion groups, for iso-recursive type equivalence
// (https://webassembly.github.io/spec/core/valid/conventions.html#rolling-and-unrolling).
//
// Two defined types are equivalent when their recursion groups are structurally equal
// and they sit at the same position in them, where references to types of the same group
// compare by position and references to earlier types compare by equivalence. Giving
// every equivalence class one number, its canonical id, turns that into `===`: a group
// is reduced to a key in which inner references are "rec.i" and outer references are
// canonical ids (already assigned, since outer references only point backwards), and
// equal keys get the same ids. Canonical ids are never reused, so they can be compared
// across modules and instances.
//
// Canonical forms have the shapes of module.ts, but every concrete heap type in them is a
// canonical id (`CanonicalTypeId`), never a module's type index: a module's type where a
// canonical one is meant does not type-check (`toCanonical*` map one to the other).
import { CompileError } from '../errors.ts';
import type {
  AbsHeapType,
  CompositeType,
  FieldType,
  GlobalType,
  Module,
  RefType,
  StorageType,
  TableType,
  ValType,
} from './module.ts';

declare const canonicalBrand: unique symbol;

/**
 * A canonical id: one number for an equivalence class of defined types, the same in
 * every module. Only canonicalization makes one, so a module's type index does not
 * type-check where a canonical id is meant.
 */
export type CanonicalTypeId = number & { readonly [canonicalBrand]: true };

/** The canonical id of each of a module's type indices (`Module.types`). */
export type CanonicalTypeIds = Int32Array & { readonly [typeIndex: number]: CanonicalTypeId };

/** A heap type whose concrete form is a canonical id. */
export type CanonicalHeapType = AbsHeapType | CanonicalTypeId;
/** A reference type whose concrete heap type is a canonical id. */
export type CanonicalRefType = RefType<CanonicalHeapType>;
/** A value type whose concrete heap types are canonical ids. */
export type CanonicalValType = ValType<CanonicalHeapType>;
export type CanonicalStorageType = StorageType<CanonicalHeapType>;
export type CanonicalFieldType = FieldType<CanonicalHeapType>;
export type CanonicalCompositeType = CompositeType<CanonicalHeapType>;
export type CanonicalTableType = TableType<CanonicalHeapType>;
export type CanonicalGlobalType = GlobalType<CanonicalHeapType>;

export interface CanonicalType {
  readonly id: CanonicalTypeId;
  readonly final: boolean;
  /** Canonical id of the declared supertype. */
  readonly supertype?: CanonicalTypeId;
  readonly composite: CanonicalCompositeType;
  /** Number of declared supertypes above this type (0 when it has none). */
  readonly depth: number;
  /**
   * The canonical ids of the supertype chain, root first: `ancestors[depth] === id`.
   * `a` is a subtype of `b` exactly when `a.ancestors[b.depth] === b.id`, an O(1) test.
   */
  readonly ancestors: Int32Array;
}

const types: CanonicalType[] = [];
/** Group key to the canonical id of the group's first type. */
const groups = new Map<string, number>();

/** The canonical type of a canonical id. */
export function canonicalType(id: CanonicalTypeId): CanonicalType {
  return types[id];
}

/** How many canonical types exist so far (for diagnostics and tests). */
export function canonicalTypeCount(): number {
  return types.length;
}

/**
 * Canonicalizes the module's recursion groups in order and returns the canonical id of
 * each type index. Throws `CompileError` ("unknown type") for a type reference that
 * leaves the module's types or points past the end of its own group, and for a
 * supertype that is not an earlier type: canonical forms could not express either.
 * Sub-type compatibility is not checked here (validate.ts does it, with these ids).
 */
export function canonicalizeTypes(module: Pick<Module, 'types' | 'recGroups'>): CanonicalTypeIds {
  const canonical = new Int32Array(module.types.length);
  for (const group of module.recGroups) {
    const end = group.start + group.size;
    let key = '';
    for (let i = group.start; i < end; i++) key += subTypeKey(module, i, group.start, end, canonical);
    let first = groups.get(key);
    if (first === undefined) {
      first = types.length;
      groups.set(key, first);
      for (let i = group.start; i < end; i++) {
        types.push(makeCanonicalType(module, i, group.start, first, canonical));
      }
    }
    for (let i = group.start; i < end; i++) canonical[i] = first + (i - group.start);
  }
  return canonical as CanonicalTypeIds;
}

// ---- Keys -------------------------------------------------------------------------------
// Tokens are separated so that no two different groups can produce the same string:
// every number is followed by a non-digit, and each construct starts with its own letter.

function subTypeKey(module: Pick<Module, 'types'>, index: number, start: number, end: number, canonical: Int32Array): string {
  const sub = module.types[index];
  let key = sub.final ? 'F' : 'O';
  if (sub.supertypes.length > 1) {
    throw new CompileError('invalid', `multiple supertypes for type ${index}`, 0);
  }
  if (sub.supertypes.length === 1) {
    const s = sub.supertypes[0];
    if (s >= index) throw new CompileError('invalid', `unknown type ${s}: forward use as supertype of type ${index}`, 0);
    key += '<' + typeRefKey(s, start, end, canonical);
  }
  const c = sub.composite;
  switch (c.kind) {
    case 'func':
      key += 'f';
      for (const t of c.params) key += valTypeKey(t, start, end, canonical);
      key += '>';
      for (const t of c.results) key += valTypeKey(t, start, end, canonical);
      break;
    case 'struct':
      key += 's';
      for (const f of c.fields) key += fieldTypeKey(f, start, end, canonical);
      break;
    case 'array':
      key += 'a' + fieldTypeKey(c.element, start, end, canonical);
      break;
  }
  return key + ';';
}

function fieldTypeKey(f: FieldType, start: number, end: number, canonical: Int32Array): string {
  const s = f.storage;
  return (f.mutable ? 'm' : 'c') + (s === 'i8' || s === 'i16' ? s + ',' : valTypeKey(s, start, end, canonical));
}

function valTypeKey(t: ValType, start: number, end: number, canonical: Int32Array): string {
  if (typeof t === 'string') return t + ',';
  const h = t.heap;
  return (t.nullable ? 'n' : 'r') + (typeof h === 'string' ? h + ',' : typeRefKey(h, start, end, canonical));
}

/** `#i` (the spec's rec.i) for a type of the group being keyed, else the canonical id. */
function typeRefKey(index: number, start: number, end: number, canonical: Int32Array): string {
  if (index >= end) throw new CompileError('invalid', `unknown type ${index}`, 0);
  return index >= start ? '#' + (index - start) + ',' : canonical[index] + ',';
}

// ---- Canonical forms ----------------------------------------------------------------------

/** Maps a type index of the module to the canonical id it has (or is getting). */
type IndexMap = (index: number) => CanonicalTypeId;

/**
 * The canonical form of type `index`, whose group starts at `start` and gets the
 * consecutive ids from `first`. Its supertype is registered already (it is an earlier
 * type), so the chain can be extended.
 */
function makeCanonicalType(module: Pick<Module, 'types'>, index: number, start: number, first: number, canonical: Int32Array): CanonicalType {
  const sub = module.types[index];
  // The ids are made here: canonicalization is what makes a number a canonical id.
  const map: IndexMap = (i) => (i >= start ? first + (i - start) : canonical[i]) as CanonicalTypeId;
  const id = map(index);
  let supertype: CanonicalTypeId | undefined;
  let ancestors: Int32Array;
  if (sub.supertypes.length === 1) {
    supertype = map(sub.supertypes[0]);
    const parent = types[supertype].ancestors;
    ancestors = new Int32Array(parent.length + 1);
    ancestors.set(parent);
    ancestors[parent.length] = id;
  } else {
    ancestors = Int32Array.of(id);
  }
  return {
    id,
    final: sub.final,
    supertype,
    composite: mapComposite(sub.composite, map),
    depth: ancestors.length - 1,
    ancestors,
  };
}

function mapComposite(c: CompositeType, map: IndexMap): CanonicalCompositeType {
  switch (c.kind) {
    case 'func':
      return { kind: 'func', params: c.params.map((t) => mapValType(t, map)), results: c.results.map((t) => mapValType(t, map)) };
    case 'struct':
      return { kind: 'struct', fields: c.fields.map((f) => mapFieldType(f, map)) };
    case 'array':
      return { kind: 'array', element: mapFieldType(c.element, map) };
  }
}

function mapFieldType(f: FieldType, map: IndexMap): CanonicalFieldType {
  const s = f.storage;
  return typeof s === 'string' ? (f as CanonicalFieldType) : { storage: mapRefType(s, map), mutable: f.mutable };
}

function mapValType(t: ValType, map: IndexMap): CanonicalValType {
  return typeof t === 'string' ? t : mapRefType(t, map);
}

function mapRefType(t: RefType, map: IndexMap): CanonicalRefType {
  return typeof t.heap === 'string' ? (t as CanonicalRefType) : { nullable: t.nullable, heap: map(t.heap) };
}

// ---- Module types to canonical types -------------------------------------------------------
// `canonicalTypes` is the module's result of `canonicalizeTypes`. Values without concrete
// heap types are the same in both forms and are returned as they are.

export function toCanonicalRefType(t: RefType, canonicalTypes: CanonicalTypeIds): CanonicalRefType {
  return typeof t.heap === 'string' ? (t as CanonicalRefType) : { nullable: t.nullable, heap: canonicalTypes[t.heap] };
}

export function toCanonicalValType(t: ValType, canonicalTypes: CanonicalTypeIds): CanonicalValType {
  return typeof t === 'string' ? t : toCanonicalRefType(t, canonicalTypes);
}

export function toCanonicalTableType(t: TableType, canonicalTypes: CanonicalTypeIds): CanonicalTableType {
  return typeof t.element.heap === 'string'
    ? (t as CanonicalTableType)
    : { addressType: t.addressType, limits: t.limits, element: toCanonicalRefType(t.element, canonicalTypes) };
}

export function toCanonicalGlobalType(t: GlobalType, canonicalTypes: CanonicalTypeIds): CanonicalGlobalType {
  return typeof t.type === 'string' || typeof t.type.heap === 'string'
    ? (t as CanonicalGlobalType)
    : { type: toCanonicalRefType(t.type, canonicalTypes), mutable: t.mutable };
}
