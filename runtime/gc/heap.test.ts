import { describe, expect, it } from 'vitest';
import { GcHeap, GcHeapOutOfMemory, GcNotAllowed, NO_GC, OBJECT_HEADER_BYTES } from './heap.ts';
import { funcAddress, heapObjectId, heapRef, i31Ref, i31Value, isI31, NULL_REF, type RefWord } from './raw-ref.ts';
import type { CanonicalTypeId } from '../module/type-registry.ts';

/** The heap keeps an object's type id without reading it. */
const SOME_TYPE = 0 as CanonicalTypeId;

describe('GcHeap', () => {
  it('restores an image of its objects into an empty heap: the same ids, counts and fields, the fields copied', () => {
    const heap = new GcHeap();
    const v128 = new Uint8Array(16).fill(7);
    const leaf = heap.allocate('struct', SOME_TYPE, 20, [1, v128], undefined, NO_GC);
    const node = heap.allocate('array', SOME_TYPE, 8, [leaf, leaf], (payload) => payload as RefWord[], NO_GC);
    heap.incRef(leaf);
    heap.incRef(leaf);
    heap.incRef(node);
    const host = heap.allocateHost('h', NO_GC);
    const image = heap.image();
    const copy = new GcHeap();
    copy.restoreImage(image);
    expect(copy.stats()).toMatchObject({ liveObjects: 3, liveBytes: heap.stats().liveBytes });
    for (const raw of [leaf, node, host]) {
      expect(copy.kind(raw)).toBe(heap.kind(raw));
      expect(copy.refCount(raw)).toBe(heap.refCount(raw));
    }
    expect(copy.refCount(leaf)).toBe(2);
    expect(copy.fields(node)).toEqual([leaf, leaf]);
    expect(copy.fields(leaf)).toEqual([1, v128]);
    expect(copy.fields(leaf)).not.toBe(heap.fields(leaf));
    expect(copy.fields(leaf)[1]).not.toBe(v128);
    expect(copy.hostValue(host)).toBe('h');
    // A second restore from the same image is as good as the first: the image was not handed out.
    copy.fields(leaf)[0] = 99;
    const again = new GcHeap();
    again.restoreImage(image);
    expect(again.fields(leaf)[0]).toBe(1);
    expect(() => again.restoreImage(image)).toThrow(/restoreImage on a heap that has objects/);
  });

  it('reuses a freed id at once, so an unrooted reference dangles onto the next object', () => {
    const heap = new GcHeap();
    const first = heap.allocateHost('first');
    heap.collect();
    expect(heap.isLive(first)).toBe(false);
    const second = heap.allocateHost('second');
    expect(second).toBe(first);
    expect(heap.hostValue(first)).toBe('second');
  });

  it('keeps rooted objects through a collection and defers the release of a closed scope', () => {
    const heap = new GcHeap();
    const scope = heap.enterScope();
    const rooted = heap.root(heap.allocateHost('kept'));
    heap.collect();
    expect(heap.hostValue(rooted)).toBe('kept');
    heap.exitScope(scope);
    expect(heap.isLive(rooted)).toBe(true);
    heap.collect();
    expect(heap.isLive(rooted)).toBe(false);
  });

  it('frees at once when a counted reference is the last one released', () => {
    const released: unknown[] = [];
    const heap = new GcHeap({ onHostRelease: (value) => released.push(value) });
    const ref = heap.allocateHost('slot');
    heap.incRef(ref);
    heap.decRef(ref);
    expect(released).toEqual(['slot']);
    expect(heap.stats()).toMatchObject({ liveObjects: 0, hostValuesReleased: 1, objectsFreed: 1 });
  });

  it('frees a 200,000-long chain without recursion', () => {
    const heap = new GcHeap();
    const childRefs = (payload: (number | bigint | Uint8Array)[]) => [payload[0] as RefWord];
    let next = NULL_REF;
    const scope = heap.enterScope();
    for (let i = 0; i < 200_000; i++) {
      const node = heap.allocate('struct', SOME_TYPE, 4, [next], childRefs, scope);
      heap.incRef(next);
      next = node;
    }
    heap.incRef(next);
    heap.decRef(next);
    expect(heap.stats().liveObjects).toBe(0);
  });

  it('refuses a collection when the caller holds unrooted references', () => {
    const heap = new GcHeap({ capacityBytes: 2 * (OBJECT_HEADER_BYTES + 8) });
    heap.allocateHost(1, NO_GC);
    heap.allocateHost(2, NO_GC);
    expect(() => heap.allocateHost(3, NO_GC)).toThrow(GcNotAllowed);
    expect(heap.stats().collections).toBe(0);
  });

  it('reports a request larger than the whole heap as out of memory, collection allowed or not', () => {
    const heap = new GcHeap({ capacityBytes: 1000 });
    expect(() => heap.allocate('array', SOME_TYPE, 2000, [], undefined, NO_GC)).toThrow(GcHeapOutOfMemory);
    expect(() => heap.allocate('array', SOME_TYPE, 2000, [], undefined, heap.enterScope())).toThrow(GcHeapOutOfMemory);
  });

  it('accounts bytes and counts collections', () => {
    const heap = new GcHeap({ capacityBytes: 1000 });
    const scope = heap.enterScope();
    heap.allocate('array', SOME_TYPE, 100, [], undefined, scope);
    expect(heap.stats().liveBytes).toBe(OBJECT_HEADER_BYTES + 100);
    heap.allocate('array', SOME_TYPE, 900 - OBJECT_HEADER_BYTES, [], undefined, scope);
    expect(heap.stats().collections).toBe(1);
    expect(heap.stats().liveObjects).toBe(1);
  });
});

describe('i31 references', () => {
  it('are unboxed, odd words that keep 31 bits and sign-extend', () => {
    expect(isI31(i31Ref(0))).toBe(true);
    expect(i31Value(i31Ref(-5))).toBe(-5);
    expect(i31Value(i31Ref(0x3fffffff))).toBe(0x3fffffff);
    expect(i31Value(i31Ref(0x40000000))).toBe(-0x40000000);
    expect(i31Value(i31Ref(0x7fffffff))).toBe(-1);
  });
});

describe('reference words', () => {
  it('are made only by raw-ref.ts, so an object id or address passed as a reference does not type-check', () => {
    const heap = new GcHeap();
    const scope = heap.enterScope();
    const raw = heap.allocateHost('held', scope);
    expect(heap.hostValue(raw)).toBe('held');
    const objectId = heapObjectId(raw);
    // @ts-expect-error an object id is not a reference word: heapRef makes one from it
    expect(() => heap.hostValue(objectId)).toThrow(/dangling GC reference/);
    expect(heap.hostValue(heapRef(objectId))).toBe('held');
    // @ts-expect-error nor is a function address
    expect(funcAddress(3)).toBe(0.5);
    heap.exitScope(scope);
  });
});
