// Shared set-up for GC tests: assemble a GC module and instantiate it in a store whose
// heap reports which host values it released.
import { compile as assembleGcWat } from 'watr';
import { compile } from '../module/compile.ts';
import type { Instance } from '../instance/instance.ts';
import { instantiate } from '../instance/instantiate.ts';
import { Store, type Extern } from '../instance/store.ts';
import { defaultStrategy } from '../../variants/registry.ts';
import type { Barrier } from './heap.ts';

export interface GcTestStore {
  readonly store: Store;
  /** Host values whose last reference was released, in order. */
  readonly released: unknown[];
}

/** A store for GC tests; `removedBarriers` builds its heap without those write barriers. */
export function gcTestStore(capacityBytes?: number, removedBarriers?: ReadonlySet<Barrier>): GcTestStore {
  const released: unknown[] = [];
  const store = new Store({ gc: { capacityBytes, removedBarriers, onHostRelease: (value) => released.push(value) } });
  return { store, released };
}

export function instantiateWat(store: Store, wat: string, imports: Record<string, Record<string, Extern>> = {}): Instance {
  return instantiate(store, compile(assembleGcWat(wat)), (module, name) => imports[module]?.[name], {
    strategy: defaultStrategy(),
  });
}

export function exported<K extends Extern['kind']>(instance: Instance, name: string, kind: K): Extract<Extern, { kind: K }> {
  const extern = instance.exports.get(name);
  if (extern?.kind !== kind) throw new Error(`export ${name} is not a ${kind}`);
  return extern as Extract<Extern, { kind: K }>;
}
