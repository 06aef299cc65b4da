// Reading a table slot. A funcref table filled from a per-module image holds lazy words
// (function indices of the owning instance, raw-ref.ts) until a slot is first read: the
// image can then be copied into every instance in one bulk write, whatever addresses the
// instance's functions get, as Wasmtime's lazy funcref tables allow.
import type { Instance } from './instance.ts';
import { funcRef, type RefWord } from '../gc/raw-ref.ts';
import type { TableInst } from './store.ts';

export function tableElement(table: TableInst, index: number): RefWord {
  const raw = table.elements[index];
  if ((raw & 1) === 0 || table.lazyOwner === undefined) return raw;
  const resolved = funcRef((table.lazyOwner as Instance).funcAddresses[raw >>> 1]);
  table.elements[index] = resolved;
  return resolved;
}
