// Shared set-up for GC tests: assemble a GC module and instantiate it in a store whose
// heap reports which host values it released.
import { compile as assembleGcWat } from 'watr';
import { compile } from './compile.ts';
import type { Instance } from './instance.ts';
import { instantiate } from './instantiate.ts';
import { Store, type Extern } from './store.ts';

export interface GcTestStore {
  readonly store: Store;
  /** Host values whose last reference was released, in order. */
  readonly released: unknown[];
}

export function gcTestStore(capacityBytes?: number): GcTestStore {
  const released: unknown[] = [];
  const store = new Store({ gc: { capacityBytes, onHostRelease: (value) => released.push(value) } });
  return { store, released };
}

export function instantiateWat(store: Store, wat: string, imports: Record<string, Record<string, Extern>> = {}): Instance {
  return instantiate(store, compile(assembleGcWat(wat)), (module, name) => imports[module]?.[name]);
}

export function exported<K extends Extern['kind']>(instance: Instance, name: string, kind: K): Extract<Extern, { kind: K }> {
  const extern = instance.exports.get(name);
  if (extern?.kind !== kind) throw new Error(`export ${name} is not a ${kind}`);
  return extern as Extract<Extern, { kind: K }>;
}
