// The store's GC heap, modeled on Wasmtime's DRC (deferred reference counting) collector.
//
// An object is an id into parallel arrays; a reference to it is `heapRef(id)`. Every
// reference held by a slot (global, table element, struct/array field, element segment)
// is counted, and a write barrier that drops a count to zero frees the object at once,
// releasing what it references in turn. References held on the evaluator's operand
// stack and by the host are *roots*: counted while their root scope is open, and when it
// closes their decrements are deferred to the next collection (Wasmtime likewise keeps
// stack roots in an over-approximated table that only a GC processes). A new object
// starts at count zero; a collection processes the deferred decrements, then frees every
// object that nothing counts. An operand that was never rooted therefore dangles after a
// collection, which is the hazard the `raw` strategy guards against.
//
// Freed ids are reused last-in-first-out, so a dangling reference really does point at
// whatever is allocated next.
import { heapObjectId, heapRef, isHeapRef, type RefWord } from './raw-ref.ts';
import { ResourceLimitError, EmbedderError, InternalError } from '../errors.ts';
import type { CanonicalTypeId } from '../module/type-registry.ts';
import { checkLimit, DEFAULT_LIMITS, type ImplementationLimits } from '../implementation-limits.ts';

export type ObjectKind = 'struct' | 'array' | 'host';

/** Field or element storage: numbers for i8/i16/i32/f32 bits and refs, bigint for i64/f64 bits, bytes for v128. */
export type FieldValue = number | bigint | Uint8Array;

/** Bytes accounted for each object's header (kind, type, count, length). */
export const OBJECT_HEADER_BYTES = 16;

export class GcHeapOutOfMemory extends ResourceLimitError {
  override name = 'GcHeapOutOfMemory';
  readonly requestedBytes: number;

  constructor(requestedBytes: number, capacityBytes: number) {
    super('gc heap bytes', requestedBytes, `GC heap out of memory: ${requestedBytes} bytes requested, capacity ${capacityBytes} bytes`);
    this.requestedBytes = requestedBytes;
  }
}

export interface GcHeapStats {
  liveObjects: number;
  liveBytes: number;
  allocations: number;
  collections: number;
  objectsFreed: number;
  hostValuesReleased: number;
  /** Write barriers executed on slot writes. */
  barriers: number;
}

export interface GcHeapOptions {
  /** Heap size in bytes; allocation beyond it collects, then fails. */
  readonly capacityBytes?: number;
  /** Called when a host value's last reference is released (the drop flag). */
  readonly onHostRelease?: (value: unknown) => void;
  /**
   * Fault injection for tests: write barriers to leave out, so each leak test can be
   * shown to catch the bug it exists for (the barriers Wasmtime once missed: table.init,
   * embedder table.set, table.grow's init value, table.fill; plus global.set and the
   * release of everything an instance held). Empty unless a test passes it.
   */
  readonly removedBarriers?: ReadonlySet<Barrier>;
  /** Implementation limits the heap enforces (`arrayElements`); the defaults are V8's where V8 has one. */
  readonly limits?: ImplementationLimits;
}

/** The slot writes whose barrier a test may remove (`GcHeapOptions.removedBarriers`). */
export type Barrier = 'table.set' | 'table.grow' | 'table.fill' | 'table.init' | 'global.set' | 'instance.release';

const DEFAULT_GC_HEAP_BYTES = 64 * 1024 * 1024;

/**
 * An open root scope of the heap (Wasmtime's `RootScope`): the references its holder
 * uses are rooted in it, so an allocation made with it may collect. `enterScope` opens
 * one and `exitScope` closes it; scopes nest last in, first out.
 */
export class HeapScope {
  readonly kind = 'scope' as const;
  /** Place on the heap's scope stack, the outermost 0. */
  readonly depth: number;
  /** Where this scope's roots start on the heap's root stack. */
  readonly rootStart: number;

  constructor(depth: number, rootStart: number) {
    this.depth = depth;
    this.rootStart = rootStart;
  }
}

/**
 * A promise that no collection runs while it is used (Wasmtime's `AutoAssertNoGc`): its
 * holder has unrooted references in use, so an allocation that would need a collection
 * fails with `GcNotAllowed` instead of freeing what those references point at.
 */
export class NoGcGuard {
  readonly kind = 'no-gc' as const;
}

export const NO_GC = new NoGcGuard();

/** What every GC allocation is made with: a scope (may collect) or a no-GC guard (may not). */
export type AllocationContext = HeapScope | NoGcGuard;

/** Pending root releases that force a collection when no scope is open. */
const MAX_DEFERRED_DECREMENTS = 65536;

/**
 * References an object holds in its fields, so freeing it can release them. Returns
 * the raw words of reference-typed fields; numeric payloads yield nothing.
 */
export type ChildRefs = (payload: FieldValue[]) => Iterable<RefWord>;

/** A copy of a heap's objects (`GcHeap.image`). */
export interface HeapImage {
  readonly kinds: readonly (ObjectKind | undefined)[];
  readonly typeIds: readonly CanonicalTypeId[];
  readonly counts: readonly number[];
  readonly sizes: readonly number[];
  readonly payloads: readonly unknown[];
  readonly childRefs: readonly (ChildRefs | undefined)[];
  readonly freeIds: readonly number[];
  readonly liveBytes: number;
  readonly liveObjects: number;
}

/** A struct's or array's fields copied (v128 fields are byte arrays of their own); a host value as it is. */
function copyPayload(payload: unknown): unknown {
  if (!Array.isArray(payload)) return payload;
  return payload.map((field: FieldValue) => (field instanceof Uint8Array ? field.slice() : field));
}

/** The type id of a host object, which has no defined type. */
const HOST_OBJECT_TYPE = -1 as CanonicalTypeId;

export class GcHeap {
  readonly capacityBytes: number;
  private readonly limits: ImplementationLimits;
  private readonly onHostRelease?: (value: unknown) => void;
  private readonly removedBarriers: ReadonlySet<Barrier> | undefined;
  private kinds: (ObjectKind | undefined)[] = [undefined];
  private typeIds: CanonicalTypeId[] = [0 as CanonicalTypeId];
  private counts: number[] = [0];
  private sizes: number[] = [0];
  private payloads: unknown[] = [undefined];
  private childRefs: (ChildRefs | undefined)[] = [undefined];
  private freeIds: number[] = [];
  private readonly rootStack: RefWord[] = [];
  /** The open scopes, outermost first. */
  private readonly scopes: HeapScope[] = [];
  private deferredDecrements: RefWord[] = [];
  /** Objects allocated since the last collection whose count may still be zero. */
  private maybeGarbage: number[] = [];
  private liveBytes = 0;
  private liveObjects = 0;
  private allocations = 0;
  private collections = 0;
  private objectsFreed = 0;
  private hostValuesReleased = 0;
  private barriers = 0;

  constructor(options: GcHeapOptions = {}) {
    this.capacityBytes = options.capacityBytes ?? DEFAULT_GC_HEAP_BYTES;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.onHostRelease = options.onHostRelease;
    this.removedBarriers = options.removedBarriers !== undefined && options.removedBarriers.size > 0 ? options.removedBarriers : undefined;
  }

  /** True unless a test built this heap without `barrier`. */
  barrierOn(barrier: Barrier): boolean {
    return this.removedBarriers === undefined || !this.removedBarriers.has(barrier);
  }

  /**
   * Allocates an object at reference count zero. A full heap collects first (in a
   * scope) or fails with `GcNotAllowed` (under a no-GC guard, see the `raw` strategy);
   * still full is `GcHeapOutOfMemory`.
   */
  allocate(
    kind: ObjectKind,
    typeId: CanonicalTypeId,
    payloadBytes: number,
    payload: unknown,
    childRefs: ChildRefs | undefined,
    context: AllocationContext,
  ): RefWord {
    return this.allocateObject(kind, typeId, payloadBytes, payload, childRefs, context.kind === 'scope');
  }

  private allocateObject(
    kind: ObjectKind,
    typeId: CanonicalTypeId,
    payloadBytes: number,
    payload: unknown,
    childRefs: ChildRefs | undefined,
    mayCollect: boolean,
  ): RefWord {
    const bytes = OBJECT_HEADER_BYTES + payloadBytes;
    this.reserveBytes(payloadBytes, mayCollect);
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.kinds.length;
    this.kinds[id] = kind;
    this.typeIds[id] = typeId;
    this.counts[id] = 0;
    this.sizes[id] = bytes;
    this.payloads[id] = payload;
    this.childRefs[id] = childRefs;
    this.liveBytes += bytes;
    this.liveObjects++;
    this.allocations++;
    this.maybeGarbage.push(id);
    return heapRef(id);
  }

  /** Running totals, read before and after an instantiation to count what it did. */
  get allocationCount(): number {
    return this.allocations;
  }

  get collectionCount(): number {
    return this.collections;
  }

  get barrierCount(): number {
    return this.barriers;
  }

  /**
   * Makes room for an object with `payloadBytes` of payload: collects when the heap is
   * full (or refuses to, see `allocate`), and fails when it is still full.
   */
  reserve(payloadBytes: number, context: AllocationContext): void {
    this.reserveBytes(payloadBytes, context.kind === 'scope');
  }

  /** Room for an array of `length` elements of `payloadBytes` in all, made before its payload is built. */
  reserveArray(length: number, payloadBytes: number, context: AllocationContext): void {
    checkLimit(this.limits, 'arrayElements', length, 'array elements');
    this.reserve(payloadBytes, context);
  }

  private reserveBytes(payloadBytes: number, mayCollect: boolean): void {
    const bytes = OBJECT_HEADER_BYTES + payloadBytes;
    if (this.liveBytes + bytes <= this.capacityBytes) return;
    // No collection can make room for more than the whole heap: that is out of memory
    // whether or not a collection is allowed.
    if (bytes > this.capacityBytes) throw new GcHeapOutOfMemory(bytes, this.capacityBytes);
    if (!mayCollect) throw new GcNotAllowed(bytes);
    this.collect();
    if (this.liveBytes + bytes > this.capacityBytes) throw new GcHeapOutOfMemory(bytes, this.capacityBytes);
  }

  /**
   * A host object (externref). Without a context it is the embedder's own allocation,
   * which holds every reference it uses rooted or in slots, and so may collect.
   */
  allocateHost(value: unknown, context?: AllocationContext): RefWord {
    return this.allocateObject('host', HOST_OBJECT_TYPE, 8, value, undefined, context?.kind !== 'no-gc');
  }

  /**
   * The heap's objects as they stand, for `restoreImage` on an empty heap: the bench's
   * floor makes the same heap again (same ids, kinds, types, payloads and reference
   * counts) by copying, the least an instantiation that allocates these objects must do.
   */
  image(): HeapImage {
    return {
      kinds: this.kinds.slice(),
      typeIds: this.typeIds.slice(),
      counts: this.counts.slice(),
      sizes: this.sizes.slice(),
      payloads: this.payloads.map(copyPayload),
      childRefs: this.childRefs.slice(),
      freeIds: this.freeIds.slice(),
      liveBytes: this.liveBytes,
      liveObjects: this.liveObjects,
    };
  }

  /** Makes an empty heap hold `image`'s objects, each payload copied. */
  restoreImage(image: HeapImage): void {
    if (this.kinds.length > 1) throw new InternalError('restoreImage on a heap that has objects');
    this.kinds = image.kinds.slice();
    this.typeIds = image.typeIds.slice();
    this.counts = image.counts.slice();
    this.sizes = image.sizes.slice();
    this.payloads = image.payloads.map(copyPayload);
    this.childRefs = image.childRefs.slice();
    this.freeIds = image.freeIds.slice();
    this.liveBytes = image.liveBytes;
    this.liveObjects = image.liveObjects;
  }

  kind(raw: RefWord): ObjectKind {
    return this.live(raw, 'kind');
  }

  typeId(raw: RefWord): CanonicalTypeId {
    this.live(raw, 'typeId');
    return this.typeIds[heapObjectId(raw)];
  }

  /** The field/element array of a struct or array object. */
  fields(raw: RefWord): FieldValue[] {
    this.live(raw, 'fields');
    return this.payloads[heapObjectId(raw)] as FieldValue[];
  }

  hostValue(raw: RefWord): unknown {
    if (this.live(raw, 'hostValue') !== 'host') throw new EmbedderError('not a host object');
    return this.payloads[heapObjectId(raw)];
  }

  refCount(raw: RefWord): number {
    this.live(raw, 'refCount');
    return this.counts[heapObjectId(raw)];
  }

  isLive(raw: RefWord): boolean {
    return isHeapRef(raw) && this.kinds[heapObjectId(raw)] !== undefined;
  }

  incRef(raw: RefWord): void {
    if (!isHeapRef(raw)) return;
    this.live(raw, 'incRef');
    this.counts[heapObjectId(raw)]++;
  }

  /** Drops one counted reference; the last one frees the object and what it holds. */
  decRef(raw: RefWord): void {
    if (!isHeapRef(raw)) return;
    this.live(raw, 'decRef');
    const id = heapObjectId(raw);
    if (--this.counts[id] === 0) this.free(id);
  }

  /**
   * The DRC write barrier of a slot write: count the new reference, then release the old
   * one. `releaseOld` false is the bug of a missing barrier (`removedBarriers`).
   */
  writeBarrier(oldRaw: RefWord, newRaw: RefWord, releaseOld = true): void {
    this.barriers++;
    this.incRef(newRaw);
    if (releaseOld) this.decRef(oldRaw);
  }

  /**
   * Opens a root scope, which `exitScope` takes. Scopes nest last in first out;
   * references rooted in one are counted until it closes.
   */
  enterScope(): HeapScope {
    const scope = new HeapScope(this.scopes.length, this.rootStack.length);
    this.scopes.push(scope);
    return scope;
  }

  /** How many scopes are open. */
  openScopes(): number {
    return this.scopes.length;
  }

  /** Whether `scope` is still open (no `exitScope` of it or of a scope around it). */
  isOpen(scope: HeapScope): boolean {
    return this.scopes[scope.depth] === scope;
  }

  /** The scope `root` roots in; every instantiation runs inside one. */
  innermostScope(): HeapScope {
    const scope = this.scopes[this.scopes.length - 1];
    if (scope === undefined) throw new InternalError('no root scope is open');
    return scope;
  }

  /**
   * Roots `raw` in the innermost scope; returns it. Only a GC heap reference needs a
   * root: the caller passes no function references (their words look alike).
   */
  root(raw: RefWord): RefWord {
    if (isHeapRef(raw)) {
      this.incRef(raw);
      this.rootStack.push(raw);
    }
    return raw;
  }

  /**
   * Closes `scope` and every scope opened inside it (unwinding after an error). Their
   * roots' decrements are deferred to the next collection, which runs early if too many
   * are pending. A scope already closed is left alone.
   */
  exitScope(scope: HeapScope): void {
    if (!this.isOpen(scope)) return;
    this.scopes.length = scope.depth;
    const roots = this.rootStack;
    while (roots.length > scope.rootStart) this.deferredDecrements.push(roots.pop()!);
    if (this.deferredDecrements.length > MAX_DEFERRED_DECREMENTS && roots.length === 0) this.collect();
  }

  /**
   * Processes the deferred decrements, then frees every object allocated since the last
   * collection that nothing counts.
   */
  collect(): void {
    this.collections++;
    const deferred = this.deferredDecrements;
    this.deferredDecrements = [];
    for (const raw of deferred) this.decRef(raw);
    const candidates = this.maybeGarbage;
    this.maybeGarbage = [];
    for (const id of candidates) {
      if (this.kinds[id] !== undefined && this.counts[id] === 0) this.free(id);
    }
  }

  stats(): GcHeapStats {
    return {
      liveObjects: this.liveObjects,
      liveBytes: this.liveBytes,
      allocations: this.allocations,
      collections: this.collections,
      objectsFreed: this.objectsFreed,
      hostValuesReleased: this.hostValuesReleased,
      barriers: this.barriers,
    };
  }

  // An explicit work list instead of recursion: freeing a long linked list must not
  // overflow the JS stack.
  private free(firstId: number): void {
    const work = [firstId];
    while (work.length > 0) {
      const id = work.pop()!;
      const kind = this.kinds[id];
      const payload = this.payloads[id];
      const childRefs = this.childRefs[id];
      this.kinds[id] = undefined;
      this.payloads[id] = undefined;
      this.childRefs[id] = undefined;
      this.liveBytes -= this.sizes[id];
      this.liveObjects--;
      this.objectsFreed++;
      this.freeIds.push(id);
      if (kind === 'host') {
        this.hostValuesReleased++;
        this.onHostRelease?.(payload);
      } else if (childRefs !== undefined) {
        for (const child of childRefs(payload as FieldValue[])) {
          if (!isHeapRef(child)) continue;
          const childId = heapObjectId(child);
          if (this.kinds[childId] !== undefined && --this.counts[childId] === 0) work.push(childId);
        }
      }
    }
  }

  private live(raw: RefWord, what: string): ObjectKind {
    const kind = isHeapRef(raw) ? this.kinds[heapObjectId(raw)] : undefined;
    if (kind === undefined) throw new InternalError(`${what}: dangling GC reference ${raw}`);
    return kind;
  }
}

/** A collection became necessary where none is allowed (unrooted references in use). */
export class GcNotAllowed extends ResourceLimitError {
  override name = 'GcNotAllowed';

  constructor(requestedBytes: number) {
    super(
      'gc heap bytes without collection',
      requestedBytes,
      `a GC became necessary (allocating ${requestedBytes} bytes into a full heap) ` +
        'while unrooted references were in use',
    );
  }
}
