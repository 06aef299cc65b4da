// Canonical ids for the function types of host functions, which have no module: the
// type is canonicalized as a module's singleton recursion group would be, so a host
// function matches an import of the same type declared by any module.
import type { ValType } from '../module/module.ts';
import { canonicalizeTypes, type CanonicalTypeId } from '../module/type-registry.ts';

/** Host function types use abstract heap types only: a bare index would mean nothing here. */
export function canonicalFuncTypeId(params: readonly ValType[], results: readonly ValType[]): CanonicalTypeId {
  for (const t of [...params, ...results]) {
    if (typeof t !== 'string' && typeof t.heap === 'number') {
      throw new TypeError('a host function type cannot name a concrete heap type');
    }
  }
  const types = [{ final: true, supertypes: [], composite: { kind: 'func', params, results } } as const];
  return canonicalizeTypes({ types, recGroups: [{ start: 0, size: 1 }] })[0];
}
