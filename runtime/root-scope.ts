// Host-held references: a `Rooted` handle counts its reference for as long as the
// `RootScope` that made it is open. Scopes nest last in first out, as Wasmtime's
// `RootScope`s do; closing one releases every handle made in it.
import { RuntimeError } from './errors.ts';
import type { Store } from './store.ts';

export class Rooted {
  readonly #scope: RootScope;
  readonly #raw: number;

  constructor(scope: RootScope, raw: number) {
    this.#scope = scope;
    this.#raw = raw;
  }

  /** The raw reference word; throws once the scope that rooted it has closed. */
  get raw(): number {
    if (this.#scope.closed) throw new RuntimeError('use of a rooted reference after its scope closed');
    return this.#raw;
  }
}

export class RootScope {
  readonly store: Store;
  #mark: number;
  #closed = false;

  constructor(store: Store) {
    this.store = store;
    this.#mark = store.heap.enterScope();
  }

  get closed(): boolean {
    return this.#closed;
  }

  root(raw: number): Rooted {
    if (this.#closed) throw new RuntimeError('rooting in a closed scope');
    this.store.heap.root(raw);
    return new Rooted(this, raw);
  }

  /** A new host object (externref), rooted here. */
  hostRef(value: unknown): Rooted {
    return this.root(this.store.heap.allocateHost(value));
  }

  close(): void {
    if (this.#closed) return;
    this.store.heap.exitScope(this.#mark);
    this.#closed = true;
  }
}

/** Runs `body` in a new scope that is closed afterwards, whatever happens. */
export function withRootScope<T>(store: Store, body: (scope: RootScope) => T): T {
  const scope = new RootScope(store);
  try {
    return body(scope);
  } finally {
    scope.close();
  }
}
