// Collections during constant-expression evaluation, and running out of GC memory.
import { describe, expect, it } from 'vitest';
import { GcHeapOutOfMemory } from './heap.ts';
import { gcTestStore, instantiateWat } from './test-kit.ts';
import { describeInstance } from '../embedder/instance-state.ts';
import { releaseInstance } from '../instance/release-instance.ts';

// Globals that keep a chain of boxed arrays alive, interleaved with declarative segments
// whose 400-byte arrays become garbage once dropped: the live data is small, the total
// allocation is many times a 4 KiB heap.
function pressureModule(rounds: number): string {
  const parts = ['(module', '(type $bytes (array (mut i8)))', '(type $box (struct (field (ref $bytes)) (field (ref null $box))))'];
  parts.push('(global $g0 (export "g0") (ref null $box) (ref.null $box))');
  for (let i = 1; i <= rounds; i++) {
    parts.push(
      `(global $g${i} (export "g${i}") (ref null $box) (struct.new $box (array.new $bytes (i32.const ${i}) (i32.const 4)) (global.get $g${i - 1})))`,
    );
  }
  parts.push('(table $t (export "t") 4 anyref)');
  for (let i = 0; i < rounds; i++) {
    parts.push(`(elem declare anyref (item (array.new_default $bytes (i32.const 400))))`);
    parts.push(`(elem (table $t) (i32.const ${i % 4}) anyref (item (struct.new $box (array.new_fixed $bytes 2 (i32.const ${i}) (i32.const -1)) (global.get $g${i}))))`);
  }
  parts.push(')');
  return parts.join('\n');
}

describe('collection during const eval', () => {
  it('collects several times while evaluating one module, and the state is that of a roomy heap', () => {
    const wat = pressureModule(40);
    const roomy = gcTestStore();
    const expected = describeInstance(instantiateWat(roomy.store, wat));
    expect(roomy.store.heap.stats().collections).toBe(0);

    const tight = gcTestStore(4096);
    const state = describeInstance(instantiateWat(tight.store, wat));
    expect(tight.store.heap.stats().collections).toBeGreaterThanOrEqual(3);
    expect(state).toEqual(expected);
  });

  it('keeps objects on the evaluator stack alive across a collection inside one expression', () => {
    // A dropped instance leaves garbage that only a collection frees. The second operand
    // of struct.new needs that room, while the first operand's freshly made array sits
    // unstored on the evaluator stack.
    const { store } = gcTestStore(2700);
    releaseInstance(instantiateWat(store, `(module (type $bytes (array i8)) (global (ref $bytes) (array.new_default $bytes (i32.const 1500))))`));
    expect(store.heap.stats().collections).toBe(0);
    const wat = `(module
      (type $bytes (array i8))
      (type $pair (struct (field (ref $bytes)) (field (ref $bytes))))
      (global (export "p") (ref $pair)
        (struct.new $pair (array.new $bytes (i32.const 7) (i32.const 1000)) (array.new $bytes (i32.const 9) (i32.const 1000)))))`;
    const instance = instantiateWat(store, wat);
    expect(store.heap.stats().collections).toBeGreaterThan(0);
    const value = describeInstance(instance).exports.p;
    if (value.kind !== 'global') throw new Error('p is not a global');
    const fields = (value.value as { fields: { elements: number[] }[] }).fields;
    expect(fields[0].elements).toEqual(new Array(1000).fill(7));
    expect(fields[1].elements).toEqual(new Array(1000).fill(9));
  });
});

describe('out of memory during const eval', () => {
  const TOO_BIG_GLOBALS = `(module (type $bytes (array i8))
    (global (ref $bytes) (array.new_default $bytes (i32.const 3000)))
    (global (ref $bytes) (array.new_default $bytes (i32.const 3000))))`;
  const TOO_BIG_ELEMS = `(module (type $bytes (array i8)) (table 2 anyref)
    (elem (table 0) (i32.const 0) anyref (item (array.new_default $bytes (i32.const 3000))) (item (array.new_default $bytes (i32.const 3000)))))`;

  for (const [where, wat] of [['global', TOO_BIG_GLOBALS], ['element', TOO_BIG_ELEMS]] as const) {
    it(`is a typed error during ${where} evaluation, and the store stays usable with nothing leaked`, () => {
      const { store } = gcTestStore(5000);
      expect(() => instantiateWat(store, wat)).toThrow(GcHeapOutOfMemory);
      store.heap.collect();
      expect(store.heap.stats().liveObjects).toBe(0);
      const instance = instantiateWat(store, `(module (type $bytes (array i8)) (global (export "g") (ref $bytes) (array.new_default $bytes (i32.const 3000))))`);
      expect(store.heap.stats().liveObjects).toBe(1);
      releaseInstance(instance);
      store.heap.collect();
      expect(store.heap.stats().liveObjects).toBe(0);
    });
  }
});
