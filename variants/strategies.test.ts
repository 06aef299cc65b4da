// What distinguishes the strategies, pinned by their deterministic counters, and the one
// behaviour only `raw` has: refusing a collection during const eval, and the types that
// keep each evaluator to its GC rule.
import { describe, expect, it } from 'vitest';
import { compile as assembleGcWat } from 'watr';
import { compile } from '../runtime/module/compile.ts';
import { GcNotAllowed, NO_GC } from '../runtime/gc/heap.ts';
import { gcTestStore } from '../runtime/gc/test-kit.ts';
import { describeInstance } from '../runtime/embedder/instance-state.ts';
import { instantiate } from '../runtime/instance/instantiate.ts';
import { releaseInstance } from '../runtime/instance/release-instance.ts';
import { Store } from '../runtime/instance/store.ts';
import { defaultStrategy, strategies, strategyByName } from './registry.ts';
import { rawEvaluator } from './raw.ts';
import { valEvaluator } from './val.ts';

const compileWat = (wat: string) => compile(assembleGcWat(wat));

function instantiateWith(name: string, wat: string, store = new Store()) {
  return instantiate(store, compileWat(wat), () => undefined, { strategy: strategyByName(name)! });
}

const SINGLE_CONSTANTS = `(module
  ${Array.from({ length: 50 }, (_, i) => `(global i32 (i32.const ${i}))(global i64 (i64.const -${i}))(global f64 (f64.const ${i}.5))`).join('\n')})`;

describe('counters', () => {
  it('fast-path, cached and compiled interpret no op for single-constant globals; raw and val interpret one each', () => {
    const ops = Object.fromEntries(strategies.map((s) => [s.name, instantiateWith(s.name, SINGLE_CONSTANTS).counters.constOps]));
    expect(ops).toEqual({ raw: 150, val: 150, 'fast-path': 0, cached: 0, compiled: 0 });
  });

  it('only val boxes its operands', () => {
    const wat = '(module (global i64 (i64.add (i64.const 1) (i64.mul (i64.const 2) (i64.const 3)))))';
    const boxed = Object.fromEntries(strategies.map((s) => [s.name, instantiateWith(s.name, wat).counters.valuesBoxed]));
    // val: 1, 2, 3, mul, add. fast-path evaluates the multi-op expression with val.
    expect(boxed).toEqual({ raw: 0, val: 5, 'fast-path': 5, cached: 0, compiled: 0 });
  });

  it('cached and compiled copy the image in one bulk write for the globals, each table and each memory', () => {
    const wat = `(module
      (func $a) (func $b)
      (table $t1 100 funcref) (table $t2 10 funcref)
      (memory 1) (memory 2)
      (elem (table $t1) (i32.const 0) func $a $b $a)
      (elem (table $t1) (i32.const 50) func $b)
      (elem (table $t2) (i32.const 3) funcref (ref.func $b) (ref.null func))
      (data (memory 0) (i32.const 0) "abc") (data (memory 0) (i32.const 100) "def")
      (data (memory 1) (i32.const 70000) "ghi"))`;
    for (const name of ['cached', 'compiled']) {
      const counters = instantiateWith(name, wat).counters;
      expect(counters.imageCopies, name).toBe(5);
      expect(counters.constOps, name).toBe(0);
    }
    expect(instantiateWith('fast-path', wat).counters.imageCopies).toBe(0);
  });

  it('copy only the written runs of a sparse memory image', () => {
    const wat = '(module (memory 1000) (data (i32.const 0) "a") (data (i32.const 64000000) "b"))';
    for (const name of ['cached', 'compiled']) {
      const { bytesCopied, imageCopies } = instantiateWith(name, wat).counters;
      expect({ bytesCopied, imageCopies }, name).toEqual({ bytesCopied: 2, imageCopies: 3 });
    }
  });

  it('count GC allocations and barriers the same way for every strategy', () => {
    const wat = `(module (type $s (struct (field i32))) (table 3 anyref)
      (global anyref (struct.new $s (i32.const 1)))
      (elem (table 0) (i32.const 0) anyref (item (struct.new $s (i32.const 2))) (item (ref.i31 (i32.const 3)))))`;
    const rows = strategies.map((s) => {
      const { gcAllocations, barriers } = instantiateWith(s.name, wat).counters;
      return { gcAllocations, barriers };
    });
    for (const row of rows) expect(row).toEqual({ gcAllocations: 2, barriers: 3 });
  });
});

describe('data segments', () => {
  const long = 'x'.repeat(100);
  const wat = `(module
    (global $base i32 (i32.const 200))
    (memory 1) (memory i64 1)
    (data (i32.const 0) "abc") (data (i32.const 1) "Z")
    (data "passive") (data (i32.const 10) "${long}")
    (data (global.get $base) "g") (data (i32.add (global.get $base) (i32.const 2)) "e")
    (data (memory 1) (i64.const 65530) "end"))`;

  it('write the same bytes under every strategy, later segments over earlier ones', () => {
    for (const { name } of strategies) {
      const instance = instantiateWith(name, wat);
      const text = (memory: number, at: number, length: number) =>
        new TextDecoder().decode(instance.memories[memory].bytes.subarray(at, at + length));
      expect([text(0, 0, 3), text(0, 10, 100), text(0, 200, 3), text(1, 65530, 3)], name).toEqual(['aZc', long, 'g\0e', 'end']);
      expect(new TextDecoder().decode(instance.datas[2]), name).toBe('passive');
      expect(instance.datas.map((d) => d.length), name).toEqual([0, 0, 7, 0, 0, 0, 0]);
    }
  });

  it('raw and val interpret each offset; fast-path only those that are not one constant', () => {
    const ops = Object.fromEntries(strategies.map((s) => [s.name, instantiateWith(s.name, wat).counters.constOps]));
    // Globals: 1 op each for raw and val. Offsets: 1 + 1 + 1 + 1 + 3 + 1.
    expect(ops).toEqual({ raw: 9, val: 9, 'fast-path': 4, cached: 0, compiled: 0 });
  });
});

describe('every strategy refuses the same way', () => {
  it('a table over the allocation limit is a RuntimeError, found per instance, after linking', () => {
    const oversized = '(module (table 20000000 funcref) (elem (i32.const 0) func $f) (func $f))';
    for (const strategy of strategies) {
      expect(() => instantiateWith(strategy.name, oversized), strategy.name).toThrow(/table allocation failed/);
    }
    const unlinkable = '(module (import "m" "g" (global i32)) (table 20000000 funcref))';
    for (const strategy of strategies) {
      expect(() => instantiateWith(strategy.name, unlinkable), strategy.name).toThrow(/unknown import/);
    }
  });
});

describe('raw refuses a collection during const eval', () => {
  // Garbage from a dropped instance fills the heap, so the module's allocation needs a
  // collection: `raw` holds unrooted references and must refuse; the others collect.
  const GARBAGE = '(module (type $b (array i8)) (global (ref $b) (array.new_default $b (i32.const 3000))))';
  const NEEDS_GC = `(module (type $b (array i8)) (type $p (struct (field (ref $b)) (field (ref $b))))
    (global (export "p") (ref $p) (struct.new $p (array.new $b (i32.const 1) (i32.const 1000)) (array.new $b (i32.const 2) (i32.const 1000)))))`;

  function afterGarbage(name: string) {
    const { store } = gcTestStore(4000);
    releaseInstance(instantiate(store, compileWat(GARBAGE), () => undefined, { strategy: defaultStrategy() }));
    return () => instantiateWith(name, NEEDS_GC, store);
  }

  it('raw fails with GcNotAllowed, and the heap is left consistent', () => {
    const { store } = gcTestStore(4000);
    releaseInstance(instantiate(store, compileWat(GARBAGE), () => undefined, { strategy: defaultStrategy() }));
    expect(() => instantiateWith('raw', NEEDS_GC, store)).toThrow(GcNotAllowed);
    store.heap.collect();
    expect(store.heap.stats().liveObjects).toBe(0);
  });

  it('val, fast-path, cached and compiled succeed with the same state', () => {
    const expected = describeInstance(instantiateWith('val', NEEDS_GC));
    for (const name of ['val', 'fast-path', 'cached', 'compiled']) {
      expect(describeInstance(afterGarbage(name)()), name).toEqual(expected);
    }
  });
});

describe('the GC rules are types', () => {
  const GLOBAL_ARRAY = '(module (type $b (array i8)) (global (ref $b) (array.new_default $b (i32.const 8))))';

  it('val evaluates in the innermost root scope, raw under the no-GC guard', () => {
    const store = new Store();
    const scope = store.heap.enterScope();
    expect(valEvaluator.context(store.heap)).toBe(scope);
    expect(rawEvaluator.context(store.heap)).toBe(NO_GC);
    store.heap.exitScope(scope);
    expect(() => valEvaluator.context(store.heap)).toThrow(/no root scope is open/);
  });

  it('an evaluation that may collect takes a root scope, never a no-GC guard', () => {
    const store = new Store();
    const compiled = compileWat(GLOBAL_ARRAY);
    const instance = instantiate(store, compiled, () => undefined, { strategy: defaultStrategy() });
    const init = compiled.module.globals[0].init;
    const scope = store.heap.enterScope();
    const allocated = store.heap.stats().allocations;
    valEvaluator.evaluate(instance, init, 'ref', scope);
    // @ts-expect-error a no-GC guard is not a root scope: val's allocations may collect
    valEvaluator.evaluate(instance, init, 'ref', NO_GC);
    // @ts-expect-error nor is a scope a no-GC guard: raw holds unrooted references
    rawEvaluator.evaluate(instance, init, 'ref', scope);
    expect(store.heap.stats().allocations).toBe(allocated + 3);
    store.heap.exitScope(scope);
  });
});
