// Leak tests modeled on Wasmtime's (table_set_doesnt_leak, table_grow_doesnt_leak,
// table_init_doesnt_leak, ...), each paired with a proof that it fails when the one
// barrier it exists for is removed.
import { describe, expect, it } from 'vitest';
import type { Barrier } from './heap.ts';
import { GcHeapOutOfMemory } from './heap.ts';
import { exported, gcTestStore, instantiateWat } from './test-kit.ts';
import { globalSet } from '../embedder/global-api.ts';
import { releaseInstance } from '../instance/release-instance.ts';
import { withRootScope } from './root-scope.ts';
import { tableFill, tableGrow, tableInitFromSegment, tableSet } from '../embedder/table-api.ts';

const EXTERN_TABLE = '(module (table (export "t") 2 externref) (global (export "g") (mut externref) (ref.null extern)))';

interface Outcome {
  /** Objects still live once every reference the scenario made was dropped and a GC ran. */
  readonly liveObjects: number;
  readonly released: unknown[];
}

/** Each scenario ends with everything it stored overwritten or dropped, then collects. */
const scenarios: Record<string, { barrier: Barrier; run: (removed?: ReadonlySet<Barrier>) => Outcome }> = {
  'table.set releases the value it overwrites': {
    barrier: 'table.set',
    run(removed) {
      const { store, released } = gcTestStore(undefined, removed);
      const table = exported(instantiateWat(store, EXTERN_TABLE), 't', 'table');
      withRootScope(store, (scope) => tableSet(scope, table, 0, scope.hostRef('first')));
      withRootScope(store, (scope) => tableSet(scope, table, 0, scope.hostRef('second')));
      withRootScope(store, (scope) => tableSet(scope, table, 0, null));
      store.heap.collect();
      return { liveObjects: store.heap.stats().liveObjects, released };
    },
  },
  'table.grow releases the init value': {
    barrier: 'table.grow',
    run(removed) {
      const { store, released } = gcTestStore(undefined, removed);
      const table = exported(instantiateWat(store, EXTERN_TABLE), 't', 'table');
      withRootScope(store, (scope) => expect(tableGrow(scope, table, 3, scope.hostRef('grown'))).toBe(2));
      withRootScope(store, (scope) => tableFill(scope, table, 0, null, table.size));
      store.heap.collect();
      return { liveObjects: store.heap.stats().liveObjects, released };
    },
  },
  'table.fill with null releases what it overwrites': {
    barrier: 'table.fill',
    run(removed) {
      const { store, released } = gcTestStore(undefined, removed);
      const table = exported(instantiateWat(store, EXTERN_TABLE), 't', 'table');
      withRootScope(store, (scope) => tableFill(scope, table, 0, scope.hostRef('filled'), 2));
      withRootScope(store, (scope) => tableFill(scope, table, 0, null, 2));
      store.heap.collect();
      return { liveObjects: store.heap.stats().liveObjects, released };
    },
  },
  'global.set releases the value it overwrites': {
    barrier: 'global.set',
    run(removed) {
      const { store, released } = gcTestStore(undefined, removed);
      const global = exported(instantiateWat(store, EXTERN_TABLE), 'g', 'global');
      withRootScope(store, (scope) => globalSet(scope, global, scope.hostRef('old')));
      withRootScope(store, (scope) => globalSet(scope, global, null));
      store.heap.collect();
      return { liveObjects: store.heap.stats().liveObjects, released };
    },
  },
  'dropping an instance frees everything it held': {
    barrier: 'instance.release',
    run(removed) {
      const { store, released } = gcTestStore(undefined, removed);
      const host = withRootScope(store, (scope) => {
        const global = store.createGlobal({ type: { nullable: true, heap: 'extern' }, mutable: false });
        globalSet(scope, global, scope.hostRef('imported'));
        return global;
      });
      const instance = instantiateWat(
        store,
        `(module
          (type $leaf (struct (field i32)))
          (type $node (struct (field (ref $leaf)) (field externref)))
          (type $bytes (array (mut i8)))
          (import "host" "x" (global $x externref))
          (global $a (ref $leaf) (struct.new $leaf (i32.const 7)))
          (global $b (ref $node) (struct.new $node (global.get $a) (global.get $x)))
          (table 4 anyref (array.new_default $bytes (i32.const 16)))
          (elem $passive anyref (item (struct.new $node (struct.new $leaf (i32.const 1)) (ref.null extern))))
          (elem declare anyref (item (array.new_fixed $bytes 2 (i32.const 1) (i32.const 2)))))`,
        { host: { x: host } },
      );
      expect(store.heap.stats().liveObjects).toBeGreaterThan(4);
      releaseInstance(instance);
      // The host's own global still holds its value; release it too.
      withRootScope(store, (scope) => globalSet(scope, host, null));
      store.heap.collect();
      return { liveObjects: store.heap.stats().liveObjects, released };
    },
  },
};

describe('write barriers leave nothing behind', () => {
  for (const [name, { run }] of Object.entries(scenarios)) {
    it(name, () => {
      const outcome = run();
      expect(outcome.liveObjects).toBe(0);
      expect(outcome.released.length).toBeGreaterThan(0);
    });
  }
});

describe('each leak test catches its missing barrier', () => {
  for (const [name, { barrier, run }] of Object.entries(scenarios)) {
    it(`${name}: fails without the ${barrier} barrier`, () => {
      expect(run(new Set([barrier])).liveObjects).toBeGreaterThan(0);
    });
  }
});

describe('table.init from a passive segment does not leak', () => {
  // The embedder applies one instance's passive segment 200 times over the same slots of
  // an imported table: every application overwrites the references the last one wrote.
  function applyPassiveSegment(removed?: ReadonlySet<Barrier>): { liveObjects: number; released: unknown[] } {
    const { store, released } = gcTestStore(undefined, removed);
    const table = store.createTable({ addressType: 'i32', limits: { min: 2 }, element: { nullable: true, heap: 'extern' } });
    const hosts = withRootScope(store, (scope) => {
      const global = store.createGlobal({ type: { nullable: true, heap: 'extern' }, mutable: false });
      globalSet(scope, global, scope.hostRef('in the segment'));
      return global;
    });
    const instance = instantiateWat(
      store,
      `(module (import "host" "t" (table 2 externref)) (import "host" "x" (global externref))
        (elem $e externref (item (global.get 0)) (item (ref.null extern))))`,
      { host: { t: table, x: hosts } },
    );
    withRootScope(store, (scope) => tableSet(scope, table, 0, scope.hostRef('overwritten')));
    for (let round = 0; round < 200; round++) tableInitFromSegment(instance, table, 0, 0, 0, 2);
    releaseInstance(instance);
    withRootScope(store, (scope) => {
      globalSet(scope, hosts, null);
      tableFill(scope, table, 0, null, 2);
    });
    store.gc();
    return { liveObjects: store.heap.stats().liveObjects, released };
  }

  it('releases what each application overwrites, and the segment once dropped', () => {
    const { liveObjects, released } = applyPassiveSegment();
    expect(liveObjects).toBe(0);
    expect([...released].sort()).toEqual(['in the segment', 'overwritten']);
  });

  it('leaks without the table.init barrier', () => {
    expect(applyPassiveSegment(new Set(['table.init'])).liveObjects).toBeGreaterThan(0);
  });
});

describe('table.init does not leak', () => {
  // Each instantiation allocates two 1000-byte arrays in its element segment and copies
  // them over the same two slots of an imported table. The heap holds about five such
  // arrays, so 200 rounds only fit if every overwritten array is released.
  const SEGMENT_MODULE = `(module
    (type $bytes (array i8))
    (import "host" "t" (table 2 anyref))
    (elem (table 0) (i32.const 0) anyref
      (array.new_default $bytes (i32.const 1000)) (array.new_default $bytes (i32.const 1000))))`;

  function applyTwoHundredTimes(removed?: ReadonlySet<Barrier>): number {
    const { store } = gcTestStore(5 * 1024 + 100, removed);
    const table = store.createTable({ addressType: 'i32', limits: { min: 2 }, element: { nullable: true, heap: 'any' } });
    for (let round = 0; round < 200; round++) {
      releaseInstance(instantiateWat(store, SEGMENT_MODULE, { host: { t: table } }));
    }
    store.heap.collect();
    return store.heap.stats().liveObjects;
  }

  it('applies a segment 200 times to the same slots in a heap that holds five arrays', () => {
    expect(applyTwoHundredTimes()).toBe(2);
  });

  it('runs out of memory without the table.init barrier', () => {
    expect(() => applyTwoHundredTimes(new Set(['table.init']))).toThrow(GcHeapOutOfMemory);
  });
});
