// The decoded form of a module: everything known per module, before any instance exists.
// Names follow the spec's abstract syntax (https://webassembly.github.io/spec/core/syntax/).
import type { DataSegments } from './data-segments.ts';

// ---- Types -------------------------------------------------------------------------

export type NumType = 'i32' | 'i64' | 'f32' | 'f64';
export type VecType = 'v128';

export type AbsHeapType =
  | 'func' | 'nofunc'
  | 'extern' | 'noextern'
  | 'any' | 'eq' | 'i31' | 'struct' | 'array' | 'none'
  | 'exn' | 'noexn';

declare const typeSpace: unique symbol;

/**
 * An index into the module's type index space (`Module.types`). Only the decoder (and
 * the generators that stand in for it) make one from a number, so a function index, a
 * canonical id or a defined-item position passed where a type is meant does not
 * type-check.
 */
export type TypeIndex = number & { readonly [typeSpace]: true };

/** The type index `n` as the binary format gives it. */
export function typeIndex(n: number): TypeIndex {
  return n as TypeIndex;
}

/** An abstract heap type, or a concrete one given as a module type index. */
export type HeapType = AbsHeapType | TypeIndex;

/** What may name a concrete heap type: a module's type index, or a canonical id (type-registry.ts). */
export type AnyHeapType = AbsHeapType | number;

// The types that can name a concrete heap type take the form of that name as `H`: a
// module's type index here, a canonical id in the canonical forms (type-registry.ts).

export interface RefType<H extends AnyHeapType = HeapType> {
  readonly nullable: boolean;
  readonly heap: H;
}

export type ValType<H extends AnyHeapType = HeapType> = NumType | VecType | RefType<H>;
export type PackedType = 'i8' | 'i16';
export type StorageType<H extends AnyHeapType = HeapType> = ValType<H> | PackedType;

export interface FieldType<H extends AnyHeapType = HeapType> {
  readonly storage: StorageType<H>;
  readonly mutable: boolean;
}

export type CompositeType<H extends AnyHeapType = HeapType> =
  | { readonly kind: 'func'; readonly params: readonly ValType<H>[]; readonly results: readonly ValType<H>[] }
  | { readonly kind: 'struct'; readonly fields: readonly FieldType<H>[] }
  | { readonly kind: 'array'; readonly element: FieldType<H> };

export interface SubType {
  readonly final: boolean;
  /** Declared supertypes (type indices; at most one is valid). */
  readonly supertypes: readonly TypeIndex[];
  readonly composite: CompositeType;
}

/** A recursion group: `size` consecutive entries of `Module.types` starting at `start`. */
export interface RecGroup {
  readonly start: number;
  readonly size: number;
}

export type AddressType = 'i32' | 'i64';

/** Limits in units of the owner (pages for memories, elements for tables). */
export interface Limits {
  readonly min: number;
  readonly max?: number;
  /**
   * The exact values, present only when one of them is above 2^53 (64-bit tables and
   * memories), where `min` and `max` are rounded: see limits.ts.
   */
  readonly exact?: { readonly min: bigint; readonly max?: bigint };
}

export interface TableType<H extends AnyHeapType = HeapType> {
  readonly addressType: AddressType;
  readonly limits: Limits;
  readonly element: RefType<H>;
}

export interface MemoryType {
  readonly addressType: AddressType;
  readonly limits: Limits;
  readonly shared: boolean;
}

export interface GlobalType<H extends AnyHeapType = HeapType> {
  readonly type: ValType<H>;
  readonly mutable: boolean;
}

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export type ExternType =
  | { readonly kind: 'func'; readonly typeIndex: TypeIndex }
  | { readonly kind: 'table'; readonly type: TableType }
  | { readonly kind: 'memory'; readonly type: MemoryType }
  | { readonly kind: 'global'; readonly type: GlobalType }
  | { readonly kind: 'tag'; readonly typeIndex: TypeIndex };

// ---- Constant expressions -------------------------------------------------------------

export type ConstOp =
  | { readonly op: 'i32.const'; readonly value: number }
  | { readonly op: 'i64.const'; readonly value: bigint }
  /** Floats are kept as bit patterns so NaN payloads survive. */
  | { readonly op: 'f32.const'; readonly bits: number }
  | { readonly op: 'f64.const'; readonly bits: bigint }
  | { readonly op: 'v128.const'; readonly bytes: Uint8Array }
  | { readonly op: 'ref.null'; readonly heap: HeapType }
  | { readonly op: 'ref.func'; readonly func: number }
  | { readonly op: 'global.get'; readonly global: number }
  | { readonly op: 'i32.add' | 'i32.sub' | 'i32.mul' | 'i64.add' | 'i64.sub' | 'i64.mul' }
  | { readonly op: 'struct.new' | 'struct.new_default'; readonly type: TypeIndex }
  | { readonly op: 'array.new' | 'array.new_default'; readonly type: TypeIndex }
  | { readonly op: 'array.new_fixed'; readonly type: TypeIndex; readonly length: number }
  | { readonly op: 'ref.i31' | 'any.convert_extern' | 'extern.convert_any' }
  /**
   * Any other instruction. It decodes (the binary format allows any instruction in an
   * expression) but never validates as constant.
   */
  | { readonly op: 'other'; readonly name: string };

export interface ConstExpr {
  readonly ops: readonly ConstOp[];
  /** Byte offset of each op, parallel to `ops`, for error messages. */
  readonly offsets: readonly number[];
  /** Byte offset of the expression's first byte. */
  readonly offset: number;
}

// ---- Module fields -------------------------------------------------------------------

export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ExternType;
  readonly offset: number;
}

export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
  readonly offset: number;
}

export interface TableDef {
  readonly type: TableType;
  /** The table-with-initializer encoding (0x40 0x00); absent means null-initialized. */
  readonly init?: ConstExpr;
  readonly offset: number;
}

export interface MemoryDef {
  readonly type: MemoryType;
  readonly offset: number;
}

export interface GlobalDef {
  readonly type: GlobalType;
  readonly init: ConstExpr;
  readonly offset: number;
}

/** The spec's elemmode. (Data segments keep their mode in columns: data-segments.ts.) */
export type ElementMode =
  | { readonly kind: 'passive' }
  | { readonly kind: 'declarative' }
  | { readonly kind: 'active'; readonly table: number; readonly offset: ConstExpr };

/**
 * Element segment items: the index form (encodings 0-3) keeps the function indices as a
 * flat array, because strategies treat a plain list of functions very differently from
 * a list of expressions (encodings 4-7).
 */
export type ElementItems =
  | { readonly kind: 'funcs'; readonly indices: Uint32Array }
  | { readonly kind: 'exprs'; readonly exprs: readonly ConstExpr[] };

export interface ElementSegment {
  readonly mode: ElementMode;
  readonly type: RefType;
  readonly items: ElementItems;
  readonly offset: number;
}

export interface FunctionBody {
  /** Byte range of the body (after its size prefix) in the module bytes. */
  readonly offset: number;
  readonly size: number;
}

export interface CustomSection {
  readonly name: string;
  /** Byte range of the payload after the name. */
  readonly offset: number;
  readonly size: number;
}

export interface NameSection {
  readonly module?: string;
  readonly functions: ReadonlyMap<number, string>;
}

export interface Module {
  readonly types: readonly SubType[];
  readonly recGroups: readonly RecGroup[];
  readonly imports: readonly Import[];
  /** Type index of each function defined in the module (function section). */
  readonly funcs: readonly TypeIndex[];
  readonly tables: readonly TableDef[];
  readonly memories: readonly MemoryDef[];
  readonly globals: readonly GlobalDef[];
  /** Type index of each tag defined in the module. */
  readonly tags: readonly TypeIndex[];
  readonly exports: readonly Export[];
  readonly start?: number;
  readonly elements: readonly ElementSegment[];
  readonly dataCount?: number;
  readonly codes: readonly FunctionBody[];
  /** Kept as columns over the module bytes (data-segments.ts). */
  readonly datas: DataSegments;
  readonly customs: readonly CustomSection[];
  readonly names?: NameSection;
  /** Total size of the binary. */
  readonly byteLength: number;
}
