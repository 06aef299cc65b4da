// Host-held references: a `Rooted` handle counts its reference for as long as the
// `RootScope` that made it is open. Scopes nest last in first out, as Wasmtime's
// `RootScope`s do; closing one releases every handle made in it.
import { EmbedderError } from '../errors.ts';
import type { Store } from '../instance/store.ts';
import type { HeapScope } from './heap.ts';
import type { RefWord } from './raw-ref.ts';

export class Rooted {
  readonly #scope: RootScope;
  readonly #raw: RefWord;

  constructor(scope: RootScope, raw: RefWord) {
    this.#scope = scope;
    this.#raw = raw;
  }

  /** The raw reference word; throws once the scope that rooted it has closed. */
  get raw(): RefWord {
    if (this.#scope.closed) throw new EmbedderError('use of a rooted reference after its scope closed');
    return this.#raw;
  }
}

export class RootScope {
  readonly store: Store;
  readonly #scope: HeapScope;
  #closed = false;

  constructor(store: Store) {
    this.store = store;
    this.#scope = store.heap.enterScope();
  }

  /** Closed by `close()`, or by an enclosing scope unwinding past it. */
  get closed(): boolean {
    return this.#closed || !this.store.heap.isOpen(this.#scope);
  }

  /**
   * A handle on `raw`. A GC reference (`counted`, the default) is rooted here; a
   * function reference is not a heap object and must be passed with `counted` false.
   */
  root(raw: RefWord, counted = true): Rooted {
    this.checkInnermost('root in');
    if (counted) this.store.heap.root(raw);
    return new Rooted(this, raw);
  }

  /** A new host object (externref), rooted here. */
  hostRef(value: unknown): Rooted {
    return this.root(this.store.heap.allocateHost(value));
  }

  close(): void {
    if (this.closed) return;
    this.checkInnermost('close');
    this.store.heap.exitScope(this.#scope);
    this.#closed = true;
  }

  // An outer scope that released its roots while an inner one is open would leave the
  // inner scope's handles pointing at freed, then reused, objects.
  private checkInnermost(action: string): void {
    if (this.closed) throw new EmbedderError(`cannot ${action} a closed root scope`);
    if (this.store.heap.innermostScope() !== this.#scope) {
      throw new EmbedderError(`cannot ${action} a root scope while a scope opened inside it is still open`);
    }
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
