// Types as the text format writes them, for printing instance state.
import type { HeapType, RefType, StorageType } from './module.ts';

const SHORTHANDS: Partial<Record<string, string>> = {
  func: 'funcref',
  nofunc: 'nullfuncref',
  extern: 'externref',
  noextern: 'nullexternref',
  any: 'anyref',
  eq: 'eqref',
  i31: 'i31ref',
  struct: 'structref',
  array: 'arrayref',
  none: 'nullref',
  exn: 'exnref',
  noexn: 'nullexnref',
};

function heapTypeName(heap: HeapType): string {
  return String(heap);
}

function refTypeName({ nullable, heap }: RefType): string {
  if (nullable && typeof heap === 'string') return SHORTHANDS[heap]!;
  return `(ref ${nullable ? 'null ' : ''}${heapTypeName(heap)})`;
}

/** `i32`, `funcref`, `(ref null 3)`…; concrete heap types print as the index they carry. */
export function storageTypeName(type: StorageType): string {
  return typeof type === 'string' ? type : refTypeName(type);
}
