import { describe, expect, it } from 'vitest';
import { definedAt, definedEntries, definedIndex, wholeIndex } from './index-spaces.ts';
import { typeIndex, type SubType } from './module.ts';

describe('index spaces', () => {
  it('number the definitions after the imports', () => {
    expect(wholeIndex(2, definedAt<'global'>(0))).toBe(2);
    expect(definedIndex<'global'>(2, 5)).toBe(3);
    expect(definedIndex<'table'>(0, 0)).toBe(0);
    expect(definedEntries(['imported', 'defined 0', 'defined 1'], 1)).toEqual(['defined 0', 'defined 1']);
  });

  it('name no definition for an imported entry', () => {
    expect(definedIndex<'global'>(2, 0)).toBeUndefined();
    expect(definedIndex<'global'>(2, 1)).toBeUndefined();
  });

  it('convert both ways without loss', () => {
    for (const index of [3, 4, 10]) expect(wholeIndex(3, definedIndex<'func'>(3, index)!)).toBe(index);
  });

  it('keep whole indices and the definitions of each space apart in types', () => {
    // @ts-expect-error a whole-space index is not a definition: definedIndex converts it
    expect(wholeIndex<'global'>(2, 3)).toBe(5);
    // @ts-expect-error a defined table is not a defined global
    expect(wholeIndex<'global'>(2, definedAt<'table'>(1))).toBe(3);
  });
});

describe('type indices', () => {
  it('are made from numbers only where the binary format gives one', () => {
    const index = typeIndex(3);
    expect(index).toBe(3);
    const sub: SubType = { final: true, supertypes: [index], composite: { kind: 'struct', fields: [] } };
    expect(sub.supertypes).toEqual([3]);
    // @ts-expect-error a plain number (a function index, a defined position) is not a type index
    const unchecked: SubType = { final: true, supertypes: [3], composite: { kind: 'struct', fields: [] } };
    expect(unchecked.supertypes).toEqual([3]);
  });
});
