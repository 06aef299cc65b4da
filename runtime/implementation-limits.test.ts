// The implementation limits: each refused as a ResourceLimitError naming it and the
// value, at the boundary V8 has (checked against V8 itself where that is cheap), and
// before anything of the refused size exists.
import { describe, expect, it } from 'vitest';
import { compile } from './module/compile.ts';
import { ResourceLimitError } from './errors.ts';
import { DEFAULT_LIMITS, withLimits, type ImplementationLimits } from './implementation-limits.ts';
import { name, section, SECTION, sleb, uleb, vector, wasmModule } from './binary/wasm-bytes.ts';
import { instantiate } from './instance/instantiate.ts';
import { Store } from './instance/store.ts';
import { stubImports } from './embedder/stub-imports.ts';
import { v8Wasm } from './v8/v8-instance-state.ts';
import { defaultStrategy } from '../variants/registry.ts';

const I32 = 0x7f;
const i32Global = [I32, 0x00, 0x41, 0x00, 0x0b];
const funcType = [0x60, 0x00, 0x00];

/** A module with `n` of each counted thing (the limit they are counted against). */
const counted: Record<string, [keyof ImplementationLimits, (n: number) => Uint8Array]> = {
  types: ['types', (n) => wasmModule(section(SECTION.type, vector(n, () => funcType)))],
  functions: [
    'functions',
    (n) =>
      wasmModule(
        section(SECTION.type, vector(1, () => funcType)),
        section(SECTION.function, vector(n, () => [0])),
        section(SECTION.code, vector(n, () => [2, 0, 0x0b])),
      ),
  ],
  imports: [
    'imports',
    (n) => wasmModule(section(SECTION.type, vector(1, () => funcType)), section(SECTION.import, vector(n, (i) => [...name('m'), ...name(`f${i}`), 0, 0]))),
  ],
  exports: [
    'exports',
    (n) => wasmModule(section(SECTION.global, vector(1, () => i32Global)), section(SECTION.export, vector(n, (i) => [...name(`e${i}`), 3, 0]))),
  ],
  globals: ['globals', (n) => wasmModule(section(SECTION.global, vector(n, () => i32Global)))],
  tables: ['tables', (n) => wasmModule(section(SECTION.table, vector(n, () => [0x70, 0, 0])))],
  memories: ['memories', (n) => wasmModule(section(SECTION.memory, vector(n, () => [0, 0])))],
  tags: ['tags', (n) => wasmModule(section(SECTION.type, vector(1, () => funcType)), section(SECTION.tag, vector(n, () => [0, 0])))],
  'data segments': ['dataSegments', (n) => wasmModule(section(SECTION.data, vector(n, () => [1, 0])))],
  'element segments': ['elementSegments', (n) => wasmModule(section(SECTION.element, vector(n, () => [1, 0, 0])))],
};

function refusal(action: () => unknown): ResourceLimitError {
  try {
    action();
  } catch (error) {
    if (error instanceof ResourceLimitError) return error;
    throw error;
  }
  throw new Error('accepted');
}

/** A chain of `n` open struct types, each the subtype of the one before. */
function subtypeChain(n: number): Uint8Array {
  return wasmModule(section(SECTION.type, vector(n, (i) => (i === 0 ? [0x50, 0x00, 0x5f, 0x00] : [0x50, 0x01, ...uleb(i - 1), 0x5f, 0x00]))));
}

const structOf = (fields: number) => wasmModule(section(SECTION.type, [1, 0x5f, ...vector(fields, () => [I32, 0])]));
const funcOf = (params: number, results: number) =>
  wasmModule(section(SECTION.type, [1, 0x60, ...vector(params, () => [I32]), ...vector(results, () => [I32])]));
const arrayNewFixed = (length: number) =>
  wasmModule(
    section(SECTION.type, [1, 0x5e, I32, 0]),
    section(SECTION.global, [1, 0x64, 0, 0, ...Array.from({ length }, () => [0x41, 0]).flat(), 0xfb, 0x08, 0, ...uleb(length), 0x0b]),
  );

describe('implementation limits', () => {
  it.each(Object.entries(counted))('%s: a count past the limit is refused at the section count, naming the limit', (_, [limit, make]) => {
    const limits = withLimits({ [limit]: 3 });
    expect(() => compile(make(3), limits)).not.toThrow();
    const error = refusal(() => compile(make(4), limits));
    expect(error.limit).toBe(limit);
    expect(error.requested).toBe(4);
    expect(error.message).toContain(`${limit} = 3`);
  });

  it('the count limits are V8s: V8 refuses the count one past each default', () => {
    expect(v8Wasm.validate(counted['data segments'][1](DEFAULT_LIMITS.dataSegments))).toBe(true);
    expect(v8Wasm.validate(counted['data segments'][1](DEFAULT_LIMITS.dataSegments + 1))).toBe(false);
    expect(v8Wasm.validate(counted.tables[1](DEFAULT_LIMITS.tables))).toBe(true);
    expect(v8Wasm.validate(counted.tables[1](DEFAULT_LIMITS.tables + 1))).toBe(false);
    expect(refusal(() => compile(counted.tables[1](DEFAULT_LIMITS.tables + 1))).limit).toBe('tables');
  });

  it('a subtyping chain deeper than 63 is refused, as V8 refuses it, before the types are canonicalized', () => {
    expect(v8Wasm.validate(subtypeChain(64))).toBe(true);
    expect(v8Wasm.validate(subtypeChain(65))).toBe(false);
    expect(() => compile(subtypeChain(64))).not.toThrow();
    const error = refusal(() => compile(subtypeChain(65)));
    expect(error.limit).toBe('subtypeDepth');
    expect(error.requested).toBe(64);
    // 100,000 subtypes cost gigabytes when canonicalized; the limit stops them at type 64.
    expect(refusal(() => compile(subtypeChain(100_000))).message).toMatch(/^type 64: subtyping depth: 64 is over/);
  });

  it('struct fields, function parameters and results and array.new_fixed operands stop where V8 stops', () => {
    const boundaries: [keyof ImplementationLimits, (n: number) => Uint8Array][] = [
      ['structFields', structOf],
      ['functionParams', (n) => funcOf(n, 0)],
      ['functionResults', (n) => funcOf(0, n)],
      ['arrayNewFixedLength', arrayNewFixed],
    ];
    for (const [limit, make] of boundaries) {
      const at = DEFAULT_LIMITS[limit];
      expect(v8Wasm.validate(make(at)), limit).toBe(true);
      expect(v8Wasm.validate(make(at + 1)), limit).toBe(false);
      expect(() => compile(make(at)), limit).not.toThrow();
      expect(refusal(() => compile(make(at + 1))).limit).toBe(limit);
    }
  });

  it('a module over the module size limit is refused before it is decoded', () => {
    const error = refusal(() => compile(new Uint8Array(9), withLimits({ moduleBytes: 8 })));
    expect(error.limit).toBe('moduleBytes');
    expect(error.requested).toBe(9);
  });

  it('an imported table past 10,000,000 elements is refused when stubbed, as the JS API refuses the table', () => {
    const table = (min: number | bigint, table64 = false) =>
      compile(wasmModule(section(SECTION.import, [1, ...name('m'), ...name('t'), 1, 0x70, table64 ? 0x04 : 0x00, ...uleb(min)])));
    expect(() => new (v8Wasm.Table as unknown as new (d: object) => unknown)({ element: 'anyfunc', initial: 10_000_001 })).toThrow(RangeError);
    for (const [min, table64] of [[10_000_001, false], [0xffff_ffff, false], [2 ** 40, true]] as const) {
      const compiled = table(min, table64);
      const store = new Store();
      const error = refusal(() => instantiate(store, compiled, stubImports(store, compiled), { strategy: defaultStrategy() }));
      expect(error.limit).toBe('tableElements');
      expect(error.requested).toBe(min);
    }
  });

  it('a GC array past the element limit is refused before its payload is built', () => {
    const arrayGlobal = (length: number) =>
      compile(
        wasmModule(
          section(SECTION.type, [1, 0x5e, 0x78, 1]),
          section(SECTION.global, [1, 0x64, 0, 0, 0x41, ...sleb(length), 0xfb, 0x07, 0, 0x0b]),
        ),
      );
    const store = new Store();
    const error = refusal(() => instantiate(store, arrayGlobal(60_000_000), () => undefined, { strategy: defaultStrategy() }));
    expect(error.limit).toBe('arrayElements');
    expect(error.requested).toBe(60_000_000);
    expect(store.heap.stats().liveObjects).toBe(0);
  });

  it('a memory past the byte limit is refused, naming the pages', () => {
    const compiled = compile(wasmModule(section(SECTION.memory, [1, 0x04, ...uleb(70_000)])));
    const error = refusal(() => instantiate(new Store(), compiled, () => undefined, { strategy: defaultStrategy() }));
    expect(error.limit).toBe('memoryBytes');
    expect(error.message).toContain('memory of 70000 pages');
  });
});
