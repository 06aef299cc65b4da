// Reading and writing a global's value from outside (embedder, CLI, spec scripts), with
// the write barrier a slot write needs.
import { readSlot, writeSlot } from './const-value.ts';
import type { Instance } from './instance.ts';
import { isGcManaged } from '../module/ref-family.ts';
import { describeValue, parseStateValue, type StateValue } from '../embedder/state-value.ts';
import type { GlobalInst, Store } from './store.ts';
import type { RefWord } from '../gc/raw-ref.ts';

export function readGlobalValue(instance: Instance, global: GlobalInst): StateValue {
  return describeValue(instance, global.type.type, readSlot(global.cells, global.slot, global.type.type));
}

/** Sets a global (mutable or not: this is the host, initializing what it owns). */
export function writeGlobalValue(store: Store, global: GlobalInst, json: unknown): void {
  const type = global.type.type;
  const value = parseStateValue(store, type, json);
  if (isGcManaged(type)) {
    store.heap.writeBarrier(readSlot(global.cells, global.slot, type) as RefWord, value as RefWord);
  }
  writeSlot(global.cells, global.slot, type, value);
}
