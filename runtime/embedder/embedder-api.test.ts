// The embedder API: handles on references, root scopes, and the table operations'
// bounds, beyond what the leak tests cover.
import { describe, expect, it } from 'vitest';
import { compile as assemble } from 'watr';
import { compile } from '../module/compile.ts';
import { EmbedderError, LinkError, RuntimeError } from '../errors.ts';
import { describeInstance } from './instance-state.ts';
import { instantiate } from '../instance/instantiate.ts';
import { stubImports } from './stub-imports.ts';
import { exported, gcTestStore, instantiateWat } from '../gc/test-kit.ts';
import { globalGet, globalSet } from './global-api.ts';
import { funcRef } from '../gc/raw-ref.ts';
import { RootScope, withRootScope, type Rooted } from '../gc/root-scope.ts';
import { tableGet, tableInitFromSegment, tableSet } from './table-api.ts';
import { defaultStrategy } from '../../variants/registry.ts';

const FUNCS = `(module (func $f) (func $g)
  (table (export "t") 2 funcref) (elem (i32.const 0) $f $g)
  (global (export "fg") funcref (ref.func $g))
  (global (export "eg") (mut externref) (ref.null extern))
  (elem $passive funcref (ref.func $g) (ref.func $f)))`;

describe('handles', () => {
  it('a function reference read through a table or global is not counted as a heap object', () => {
    const { store } = gcTestStore();
    const instance = instantiateWat(store, FUNCS);
    // A host object whose id a function reference's word could be mistaken for.
    const bystander = withRootScope(store, (scope) => {
      const global = exported(instance, 'eg', 'global');
      globalSet(scope, global, scope.hostRef('bystander'));
      return (globalGet(scope, global) as Rooted).raw;
    });
    store.gc();
    const countBefore = store.heap.refCount(bystander);
    withRootScope(store, (scope) => {
      const table = exported(instance, 't', 'table');
      expect(tableGet(scope, table, 1).raw).toBe(funcRef(instance.funcAddresses[1]));
      expect((globalGet(scope, exported(instance, 'fg', 'global')) as Rooted).raw).toBe(funcRef(instance.funcAddresses[1]));
      expect(store.heap.refCount(bystander)).toBe(countBefore);
    });
  });

  it('a GC reference read from a global is rooted until its scope closes and a collection runs', () => {
    const { store, released } = gcTestStore();
    const global = exported(instantiateWat(store, FUNCS), 'eg', 'global');
    withRootScope(store, (scope) => globalSet(scope, global, scope.hostRef('held')));
    const outer = new RootScope(store);
    const handle = globalGet(outer, global) as Rooted;
    withRootScope(store, (scope) => globalSet(scope, global, null));
    store.gc();
    expect(released).toEqual([]);
    expect(store.heap.hostValue(handle.raw)).toBe('held');
    outer.close();
    store.gc();
    expect(released).toEqual(['held']);
    expect(() => handle.raw).toThrow(EmbedderError);
  });
});

describe('root scopes are last in, first out', () => {
  it('refuse to close or root in an outer scope while an inner one is open', () => {
    const { store } = gcTestStore();
    const outer = new RootScope(store);
    const inner = new RootScope(store);
    expect(() => outer.close()).toThrow(/scope opened inside it/);
    expect(() => outer.hostRef('late')).toThrow(/scope opened inside it/);
    const kept = inner.hostRef('inner');
    inner.close();
    expect(() => kept.raw).toThrow(EmbedderError);
    outer.hostRef('now fine');
    outer.close();
    expect(outer.closed).toBe(true);
  });

  it('a scope opened before an instantiation stays usable after it, succeeded or failed', () => {
    const { store } = gcTestStore();
    const scope = new RootScope(store);
    instantiateWat(store, FUNCS);
    expect(() => instantiateWat(store, '(module (table 1 funcref) (elem (i32.const 5) func))')).toThrow(RuntimeError);
    expect(store.heap.openScopes()).toBe(1);
    expect(store.heap.hostValue(scope.hostRef('after').raw)).toBe('after');
    scope.close();
    expect(store.heap.openScopes()).toBe(0);
  });

  it('an inner scope left open is closed when an enclosing scope unwinds', () => {
    const { store } = gcTestStore();
    const scope = store.heap.enterScope();
    const inner = new RootScope(store);
    const handle = inner.hostRef('abandoned');
    store.heap.exitScope(scope);
    expect(inner.closed).toBe(true);
    expect(() => handle.raw).toThrow(EmbedderError);
    store.gc();
    expect(store.heap.stats().liveObjects).toBe(0);
  });
});

describe('tableInitFromSegment', () => {
  it('copies a range of a passive segment, and traps outside the segment or the table', () => {
    const { store } = gcTestStore();
    const instance = instantiateWat(store, FUNCS);
    const table = exported(instance, 't', 'table');
    withRootScope(store, (scope) => tableSet(scope, table, 0, null));
    tableInitFromSegment(instance, table, 1, 0, 1, 1);
    expect(table.elements[0]).toBe(funcRef(instance.funcAddresses[0]));
    expect(() => tableInitFromSegment(instance, table, 1, 0, -1, 2)).toThrow(/out of bounds/);
    expect(() => tableInitFromSegment(instance, table, 1, 0, 1, 2)).toThrow(/out of bounds/);
    expect(() => tableInitFromSegment(instance, table, 1, 1, 0, 2)).toThrow(/out of bounds/);
  });
});

describe('stub imports', () => {
  it('give non-nullable references a value of their type, and refuse types with none', () => {
    const { store } = gcTestStore();
    const compiled = compile(
      assemble(`(module (import "m" "f" (global (ref func))) (import "m" "e" (global (ref extern)))
        (import "m" "i" (global (ref eq))) (import "m" "t" (table 2 (ref func)))
        (export "f" (global 0)) (export "e" (global 1)) (export "i" (global 2)) (export "t" (table 0)))`),
    );
    const state = describeInstance(instantiate(store, compiled, stubImports(store, compiled), { strategy: defaultStrategy() })).exports;
    expect(state.f).toMatchObject({ value: { func: -1 } });
    expect(state.e).toMatchObject({ value: { extern: 'stub for "m" "e"' } });
    expect(state.i).toMatchObject({ value: { i31: 0 } });
    expect(state.t).toMatchObject({ elements: [{ func: -1 }, { func: -1 }] });
    const impossible = compile(assemble('(module (type $s (struct)) (import "m" "g" (global (ref $s))))'));
    expect(() => stubImports(store, impossible)).toThrow(LinkError);
  });
});

/** Globals each a struct of two references to the one before: 2^depth paths reach the first. */
function sharedGraph(depth: number): string {
  const globals = [`(global $g0 (ref $s) (struct.new $s (ref.null $s) (ref.null $s)))`];
  for (let i = 1; i <= depth; i++) globals.push(`(global $g${i} (ref $s) (struct.new $s (global.get $g${i - 1}) (global.get $g${i - 1})))`);
  return `(module (type $s (struct (field (ref null $s)) (field (ref null $s))))
    ${globals.join('\n')} (export "g" (global $g${depth})))`;
}

describe('instance state', () => {
  it('writes a shared GC object out at every path that reaches it', () => {
    const instance = instantiateWat(gcTestStore().store, sharedGraph(2));
    const leaf = { struct: 0, fields: [null, null] };
    const middle = { struct: 0, fields: [leaf, leaf] };
    expect(describeInstance(instance).exports.g).toMatchObject({ kind: 'global', value: { struct: 0, fields: [middle, middle] } });
  });

  it('stops with a resource limit where those paths pass the value budget, instead of growing without bound', () => {
    // 2^40 paths: written out, terabytes.
    const instance = instantiateWat(gcTestStore().store, sharedGraph(40));
    expect(() => describeInstance(instance, 10_000)).toThrow(expect.objectContaining({ name: 'ResourceLimitError', limit: 'stateValues' }));
    expect(() => describeInstance(instance)).toThrow(/instance state: more than 1000000 values/);
    // Each value written counts: 7 values for a graph of depth 1 (2 structs' worth of fields and the root).
    expect(() => describeInstance(instantiateWat(gcTestStore().store, sharedGraph(1)), 7)).not.toThrow();
    expect(() => describeInstance(instantiateWat(gcTestStore().store, sharedGraph(1)), 6)).toThrow(/more than 6 values/);
  });
});
