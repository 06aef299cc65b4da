// The embedder's global operations, with the write barrier on reference writes.
import { readSlot, writeSlot, type Value } from '../instance/const-value.ts';
import { isGcManaged } from '../module/ref-family.ts';
import type { RootScope, Rooted } from '../gc/root-scope.ts';
import type { GlobalInst } from '../instance/store.ts';
import { NULL_REF, type RefWord } from '../gc/raw-ref.ts';

/** A global's value; a reference comes back rooted in `scope`. */
export function globalGet(scope: RootScope, global: GlobalInst): Value | Rooted {
  const value = readSlot(global.cells, global.slot, global.type.type);
  const type = global.type.type;
  return typeof type === 'string' ? value : scope.root(value as RefWord, isGcManaged(type));
}

/** Sets a global (the host may set any global it holds, as `Global.set` on a mutable one). */
export function globalSet(scope: RootScope, global: GlobalInst, value: Value | Rooted | null): void {
  const type = global.type.type;
  if (typeof type === 'string') {
    writeSlot(global.cells, global.slot, type, value as Value);
    return;
  }
  const raw = value === null ? NULL_REF : (value as Rooted).raw;
  if (isGcManaged(type)) {
    scope.store.heap.writeBarrier(readSlot(global.cells, global.slot, type) as RefWord, raw, scope.store.heap.barrierOn('global.set'));
  }
  writeSlot(global.cells, global.slot, type, raw);
}
