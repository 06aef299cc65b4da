// What validation derives from a module: the index spaces (imports first, then
// definitions, as the spec orders them) and the canonical type of every type index.
import type { GlobalType, MemoryType, TableType } from './module.ts';
import type { CanonicalTypeIds } from './type-registry.ts';

export interface ModuleInfo {
  /** Canonical type id (see type-registry.ts) of each entry of `Module.types`. */
  readonly canonicalTypes: CanonicalTypeIds;
  /** Type index of every function in the function index space. */
  readonly funcTypes: readonly number[];
  readonly tables: readonly TableType[];
  readonly memories: readonly MemoryType[];
  readonly globals: readonly GlobalType[];
  /** Type index of every tag in the tag index space. */
  readonly tags: readonly number[];
  readonly importedFuncs: number;
  readonly importedTables: number;
  readonly importedMemories: number;
  readonly importedGlobals: number;
  readonly importedTags: number;
  /**
   * Functions that may be referenced by `ref.func` inside function bodies: those named
   * outside function bodies (exports, element segments, global and table initializers).
   */
  readonly declaredFuncs: ReadonlySet<number>;
}
