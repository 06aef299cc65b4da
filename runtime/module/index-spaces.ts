// A module's index spaces (functions, tables, memories, globals, tags) list the imports
// first, then the module's own definitions. An index into a whole space is the spec's
// index, a plain number as the binary format gives it. A position among the definitions
// alone is a `DefinedIndex` of its space, which only the functions below make: a whole
// index passed where a definition is meant, or a definition of another space, does not
// type-check, and every conversion between the two is named.
import type { ExternKind } from './module.ts';

declare const space: unique symbol;

/** The position of one of the module's own definitions of kind `S`, imports not counted. */
export type DefinedIndex<S extends ExternKind> = number & { readonly [space]: S };

/** The `position`-th definition of its section (the global section's 3rd global is defined global 3). */
export function definedAt<S extends ExternKind>(position: number): DefinedIndex<S> {
  return position as DefinedIndex<S>;
}

/** The whole-space index of a definition, after the space's `imported` imports. */
export function wholeIndex<S extends ExternKind>(imported: number, defined: DefinedIndex<S>): number {
  return imported + defined;
}

/** The definition a whole-space index names, or undefined if it names one of the `imported` imports. */
export function definedIndex<S extends ExternKind>(imported: number, index: number): DefinedIndex<S> | undefined {
  return index < imported ? undefined : ((index - imported) as DefinedIndex<S>);
}

/** The entries of a whole index space that the module defines: those after the imports. */
export function definedEntries<T>(entries: readonly T[], imported: number): T[] {
  return entries.slice(imported);
}
