import { wabtAssembler } from '../../workloads/wat.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DecodeOptions, decode } from './decode.ts';
import { CompileError } from '../errors.ts';
import { sleb, uleb } from './wasm-bytes.ts';
import type { ConstExpr, Module } from '../module/module.ts';
import { NO_DATA_SEGMENTS, type DataSegments } from '../module/data-segments.ts';

// ---- A tiny module builder: byte arrays, concatenated ------------------------------------

type Bytes = number[];

const utf8 = (s: string): Bytes => [...new TextEncoder().encode(s)];
const name = (s: string): Bytes => [...uleb(utf8(s).length), ...utf8(s)];
const vec = (...items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
const section = (id: number, ...content: Bytes[]): Bytes => {
  const bytes = content.flat();
  return [id, ...uleb(bytes.length), ...bytes];
};
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const wasm = (...sections: Bytes[]): Uint8Array => new Uint8Array([...HEADER, ...sections.flat()]);

const CUSTOM = 0;
const TYPE = 1;
const IMPORT = 2;
const FUNCTION = 3;
const TABLE = 4;
const MEMORY = 5;
const GLOBAL = 6;
const EXPORT = 7;
const START = 8;
const ELEMENT = 9;
const CODE = 10;
const DATA = 11;
const DATA_COUNT = 12;
const TAG = 13;

const I32 = 0x7f;
const I64 = 0x7e;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;
const FUNCREF = 0x70;
const EXTERNREF = 0x6f;
const END = 0x0b;
const FUNC_TYPE: Bytes = [0x60, 0x00, 0x00];
const i32Const = (n: number): Bytes => [0x41, ...sleb(n)];
const body = (locals: Bytes[], code: Bytes): Bytes => {
  const content = [...vec(...locals), ...code];
  return [...uleb(content.length), ...content];
};
/** One function of type 0 with the given instructions (the final `end` included). */
const withBody = (code: Bytes, ...sections: Bytes[]): Uint8Array =>
  wasm(section(TYPE, vec(FUNC_TYPE)), section(FUNCTION, vec([0])), ...sections, section(CODE, vec(body([], code))));

function expectMalformed(bytes: Uint8Array, message: string, offset: number, options?: DecodeOptions): void {
  let error: unknown;
  try {
    decode(bytes, options);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CompileError);
  const e = error as CompileError;
  expect(e.kind).toBe('malformed');
  expect(e.message).toBe(`${message} (at byte 0x${offset.toString(16)})`);
  expect(e.offset).toBe(offset);
}

const expr = (offset: number, ...ops: { op: ConstExpr['ops'][number]; at: number }[]): ConstExpr => ({
  ops: ops.map((o) => o.op),
  offsets: ops.map((o) => o.at),
  offset,
});

/** Each data segment as the columns give it, for comparing with what a test expects. */
function segmentsOf(datas: DataSegments): object[] {
  return Array.from({ length: datas.length }, (_, i) =>
    datas.isActive(i)
      ? { active: true, memory: datas.memory(i), offset: datas.offsetExpr(i), bytes: datas.bytesOf(i), at: datas.byteOffset(i) }
      : { active: false, bytes: datas.bytesOf(i), at: datas.byteOffset(i) },
  );
}

// ---- Header ----------------------------------------------------------------------------

describe('header', () => {
  it('decodes the empty module', () => {
    const m = decode(wasm());
    expect(m).toEqual({
      types: [],
      recGroups: [],
      imports: [],
      funcs: [],
      tables: [],
      memories: [],
      globals: [],
      tags: [],
      exports: [],
      start: undefined,
      elements: [],
      dataCount: undefined,
      codes: [],
      datas: NO_DATA_SEGMENTS,
      customs: [],
      names: undefined,
      byteLength: 8,
    } satisfies Module);
  });

  it.each([
    [[], 'unexpected end of section or function', 0],
    [[0x00, 0x61, 0x73], 'unexpected end of section or function', 3],
    [[0x61, 0x73, 0x6d, 0x00], 'magic header not detected', 0],
    [[0xef, 0xbb, 0xbf, 0x00, 0x61, 0x73, 0x6d, 0x01], 'magic header not detected', 0],
    [[0x00, 0x61, 0x73, 0x6d], 'unexpected end of section or function', 4],
    [[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00], 'unexpected end of section or function', 7],
    [[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x00, 0x00], 'unknown binary version', 4],
    [[0x00, 0x61, 0x73, 0x6d, 0x00, 0x00, 0x00, 0x01], 'unknown binary version', 4],
  ])('rejects %j', (bytes, message, offset) => {
    expectMalformed(new Uint8Array(bytes), message, offset);
  });
});

// ---- Sections --------------------------------------------------------------------------

describe('sections', () => {
  // One empty (or minimal) section of each kind, in the required order.
  const ordered: [string, Bytes][] = [
    ['type', section(TYPE, vec())],
    ['import', section(IMPORT, vec())],
    ['function', section(FUNCTION, vec())],
    ['table', section(TABLE, vec())],
    ['memory', section(MEMORY, vec())],
    ['tag', section(TAG, vec())],
    ['global', section(GLOBAL, vec())],
    ['export', section(EXPORT, vec())],
    ['start', section(START, uleb(0))],
    ['element', section(ELEMENT, vec())],
    ['data count', section(DATA_COUNT, uleb(0))],
    ['code', section(CODE, vec())],
    ['data', section(DATA, vec())],
  ];

  it('accepts every section in order (tag after memory, data count before code)', () => {
    const m = decode(wasm(...ordered.map(([, s]) => s)));
    expect(m.start).toBe(0);
    expect(m.dataCount).toBe(0);
  });

  it.each(ordered.slice(1).map(([n], i) => [n, ordered[i][0], i]))(
    'rejects %s before %s at the later section',
    (_, __, i) => {
      const swapped = ordered.map(([, s]) => s);
      [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
      const at = HEADER.length + swapped.slice(0, i + 1).flat().length;
      expectMalformed(wasm(...swapped), 'unexpected content after last section', at);
    },
  );

  it.each(ordered.map(([n, s]) => [n, s]))('rejects a second %s section', (_, s) => {
    expectMalformed(wasm(s, s), 'unexpected content after last section', HEADER.length + s.length);
  });

  it('keeps custom sections, anywhere, in order, with their payload range', () => {
    const bytes = wasm(
      section(CUSTOM, name('first'), [1, 2, 3]),
      section(TYPE, vec()),
      section(CUSTOM, name(''), []),
      section(CUSTOM, name('\ufeffbom'), [9]),
      section(DATA, vec()),
      section(CUSTOM, name('last'), [4]),
    );
    expect(decode(bytes).customs).toEqual([
      { name: 'first', offset: 16, size: 3 },
      { name: '', offset: 25, size: 0 },
      { name: '\ufeffbom', offset: 34, size: 1 },
      { name: 'last', offset: 45, size: 1 },
    ]);
    expect([...bytes.subarray(16, 19)]).toEqual([1, 2, 3]);
  });

  it('rejects a custom section whose name runs past the section', () => {
    expectMalformed(wasm([CUSTOM, 0x00, 0x00, 0x05, 0x01, 0x00, 0x07, 0x00, 0x00]), 'unexpected end of section or function', 10);
  });

  it.each([0x0e, 0x7f, 0x80, 0xff])('rejects section id %d', (id) => {
    expectMalformed(wasm([id, 0x01, 0x00]), 'malformed section id', 8);
  });

  it('rejects a section with bytes left over', () => {
    expectMalformed(wasm([TYPE, 0x02, 0x00, 0x00]), 'section size mismatch', 11);
  });

  it('rejects a section whose content runs past its size', () => {
    expectMalformed(wasm([TYPE, 0x01, 0x01, ...FUNC_TYPE]), 'unexpected end of section or function', 11);
  });

  it('rejects a section size past the module', () => {
    expectMalformed(wasm([CUSTOM, 0x26, 0x01, 0x61]), 'length out of bounds', 9);
    // A second module header reads as a custom section of size 0x61.
    expectMalformed(new Uint8Array([...HEADER, ...HEADER]), 'length out of bounds', 9);
  });

  it('rejects an overlong section size', () => {
    expectMalformed(wasm([CUSTOM, 0x83, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x31, 0x32]), 'integer representation too long', 14);
    expectMalformed(wasm([CUSTOM, 0x83, 0x80, 0x80, 0x80, 0x10, 0x01, 0x31, 0x32]), 'integer too large', 13);
  });
});

// ---- Types -----------------------------------------------------------------------------

describe('type section', () => {
  it('decodes function types with every value type', () => {
    const m = decode(
      wasm(
        section(
          TYPE,
          vec(
            [0x60, ...vec([I32], [I64], [F32], [F64], [V128]), ...vec([FUNCREF], [EXTERNREF])],
            [0x60, ...vec(), ...vec()],
          ),
        ),
      ),
    );
    expect(m.types).toEqual([
      {
        final: true,
        supertypes: [],
        composite: {
          kind: 'func',
          params: ['i32', 'i64', 'f32', 'f64', 'v128'],
          results: [
            { nullable: true, heap: 'func' },
            { nullable: true, heap: 'extern' },
          ],
        },
      },
      { final: true, supertypes: [], composite: { kind: 'func', params: [], results: [] } },
    ]);
    expect(m.recGroups).toEqual([
      { start: 0, size: 1 },
      { start: 1, size: 1 },
    ]);
  });

  it('decodes every abstract reference type shorthand and both (ref null? ht) forms', () => {
    const shorthands: [number, string][] = [
      [0x70, 'func'], [0x6f, 'extern'], [0x6e, 'any'], [0x6d, 'eq'], [0x6c, 'i31'], [0x6b, 'struct'],
      [0x6a, 'array'], [0x73, 'nofunc'], [0x72, 'noextern'], [0x71, 'none'], [0x69, 'exn'], [0x74, 'noexn'],
    ];
    const params = [
      ...shorthands.map(([b]) => [b]),
      [0x63, 0x6e],
      [0x64, 0x6e],
      [0x63, 0x00],
      [0x64, 0x00],
      [0x64, 0xff, 0xff, 0xff, 0xff, 0x0f],
    ];
    const m = decode(wasm(section(TYPE, vec([0x60, ...vec(...params), ...vec()]))));
    const composite = m.types[0].composite;
    expect(composite.kind === 'func' && composite.params).toEqual([
      ...shorthands.map(([, heap]) => ({ nullable: true, heap })),
      { nullable: true, heap: 'any' },
      { nullable: false, heap: 'any' },
      { nullable: true, heap: 0 },
      { nullable: false, heap: 0 },
      { nullable: false, heap: 0xffff_ffff },
    ]);
  });

  it('decodes struct and array types with packed and mutable fields', () => {
    const m = decode(
      wasm(section(TYPE, vec([0x5f, ...vec([0x78, 0x01], [0x77, 0x00], [0x63, 0x00, 0x01], [I64, 0x00])], [0x5e, 0x78, 0x01]))),
    );
    expect(m.types.map((t) => t.composite)).toEqual([
      {
        kind: 'struct',
        fields: [
          { storage: 'i8', mutable: true },
          { storage: 'i16', mutable: false },
          { storage: { nullable: true, heap: 0 }, mutable: true },
          { storage: 'i64', mutable: false },
        ],
      },
      { kind: 'array', element: { storage: 'i8', mutable: true } },
    ]);
  });

  it('decodes recursion groups and subtypes', () => {
    const m = decode(
      wasm(
        section(
          TYPE,
          vec(
            [0x4e, ...vec([0x50, ...vec(), 0x5f, ...vec()], [0x4f, ...vec([0x00]), 0x5f, ...vec()])],
            [0x50, ...vec([0x01]), 0x5e, I32, 0x00],
            [0x4e, ...vec()],
            [0x4e, ...vec(FUNC_TYPE)],
          ),
        ),
      ),
    );
    expect(m.types).toEqual([
      { final: false, supertypes: [], composite: { kind: 'struct', fields: [] } },
      { final: true, supertypes: [0], composite: { kind: 'struct', fields: [] } },
      { final: false, supertypes: [1], composite: { kind: 'array', element: { storage: 'i32', mutable: false } } },
      { final: true, supertypes: [], composite: { kind: 'func', params: [], results: [] } },
    ]);
    expect(m.recGroups).toEqual([
      { start: 0, size: 2 },
      { start: 2, size: 1 },
      { start: 3, size: 0 },
      { start: 3, size: 1 },
    ]);
  });

  it.each([
    ['malformed mutability', [0x5e, 0x78, 0x02], 13],
    ['malformed definition type', [0x40], 11],
    ['malformed value type', [0x60, 0x01, 0x7a, 0x00], 13],
    ['malformed heap type', [0x60, 0x01, 0x63, 0x40, 0x00], 14],
    ['malformed heap type', [0x60, 0x01, 0x64, 0xff, 0x7f, 0x00], 14],
    ['malformed storage type', [0x5e, 0x76, 0x00], 12],
  ])('rejects %s', (message, type, offset) => {
    expectMalformed(wasm(section(TYPE, vec(type))), message, offset);
  });
});

// ---- Imports and exports ---------------------------------------------------------------

describe('import section', () => {
  it('decodes every kind of import', () => {
    const imports = [
      [...name('m'), ...name('f'), 0x00, ...uleb(3)],
      [...name('m'), ...name('t'), 0x01, EXTERNREF, 0x05, 0x01, 0x0a],
      [...name('m'), ...name('mem'), 0x02, 0x07, ...uleb(2), ...uleb(0x1_0000_0000_0001)],
      [...name('m'), ...name('g'), 0x03, I32, 0x01],
      [...name('m'), ...name('tag'), 0x04, 0x00, 0x02],
      [...name('m'), ...name('\u{1f600}'), 0x03, 0x64, 0x6c, 0x00],
    ];
    const m = decode(wasm(section(IMPORT, vec(...imports))));
    let offset = 11;
    const offsets = imports.map((i) => ((offset += i.length), offset - i.length));
    expect(m.imports).toEqual([
      { module: 'm', name: 'f', desc: { kind: 'func', typeIndex: 3 }, offset: offsets[0] },
      {
        module: 'm',
        name: 't',
        desc: {
          kind: 'table',
          type: { addressType: 'i64', limits: { min: 1, max: 10 }, element: { nullable: true, heap: 'extern' } },
        },
        offset: offsets[1],
      },
      {
        module: 'm',
        name: 'mem',
        desc: {
          kind: 'memory',
          type: { addressType: 'i64', limits: { min: 2, max: 0x1_0000_0000_0001 }, shared: true },
        },
        offset: offsets[2],
      },
      { module: 'm', name: 'g', desc: { kind: 'global', type: { type: 'i32', mutable: true } }, offset: offsets[3] },
      { module: 'm', name: 'tag', desc: { kind: 'tag', typeIndex: 2 }, offset: offsets[4] },
      {
        module: 'm',
        name: '\u{1f600}',
        desc: { kind: 'global', type: { type: { nullable: false, heap: 'i31' }, mutable: false } },
        offset: offsets[5],
      },
    ]);
  });

  it.each([0x05, 0x80])('rejects import kind %d at the kind byte', (kind) => {
    expectMalformed(wasm(section(IMPORT, vec([0x00, 0x00, kind]))), 'malformed import kind', 13);
  });

  it('rejects a tag import whose attribute is not 0', () => {
    expectMalformed(wasm(section(IMPORT, vec([0x00, 0x00, 0x04, 0x01, 0x00]))), 'zero byte expected', 14);
  });

  it('rejects malformed UTF-8 in either name, at the name', () => {
    expectMalformed(wasm(section(IMPORT, vec([0x01, 0xff, 0x00, 0x00, 0x00]))), 'malformed UTF-8 encoding', 11);
    expectMalformed(wasm(section(IMPORT, vec([0x00, 0x02, 0xc0, 0x80, 0x00, 0x00]))), 'malformed UTF-8 encoding', 12);
  });

  it('rejects a missing import with the section end', () => {
    const bytes = wasm(section(IMPORT, uleb(2), [...name('m'), ...name('f'), 0x00, 0x00]));
    expectMalformed(bytes, 'unexpected end of section or function', 17);
  });
});

describe('export section', () => {
  it('decodes every kind of export', () => {
    const kinds = ['func', 'table', 'memory', 'global', 'tag'];
    const m = decode(wasm(section(EXPORT, vec(...kinds.map((_, i) => [...name(`e${i}`), i, ...uleb(i * 200)])))));
    const offsets = [11, 16, 22, 28, 34];
    expect(m.exports).toEqual(kinds.map((kind, i) => ({ name: `e${i}`, kind, index: i * 200, offset: offsets[i] })));
  });

  it('rejects export kind 5', () => {
    expectMalformed(wasm(section(EXPORT, vec([...name('x'), 0x05, 0x00]))), 'malformed export kind', 13);
  });
});

// ---- Tables, memories, tags, globals ---------------------------------------------------

describe('table section', () => {
  it('decodes plain tables and tables with an initializer', () => {
    const m = decode(
      wasm(
        section(
          TABLE,
          vec(
            [FUNCREF, 0x00, 0x01],
            [0x40, 0x00, 0x64, 0x00, 0x01, 0x02, 0x03, 0xd2, 0x00, END],
            [0x63, 0x6e, 0x04, ...uleb(0xffff_ffff)],
          ),
        ),
      ),
    );
    expect(m.tables).toEqual([
      { type: { addressType: 'i32', limits: { min: 1, max: undefined }, element: { nullable: true, heap: 'func' } }, offset: 11 },
      {
        type: { addressType: 'i32', limits: { min: 2, max: 3 }, element: { nullable: false, heap: 0 } },
        init: expr(21, { op: { op: 'ref.func', func: 0 }, at: 21 }),
        offset: 14,
      },
      {
        type: { addressType: 'i64', limits: { min: 0xffff_ffff, max: undefined }, element: { nullable: true, heap: 'any' } },
        offset: 24,
      },
    ]);
  });

  it('rejects a table initializer without its zero byte', () => {
    expectMalformed(wasm(section(TABLE, vec([0x40, 0x01, FUNCREF, 0x00, 0x00, END]))), 'zero byte expected', 12);
  });

  it.each([0x02, 0x03, 0x08, 0x81])('rejects table limits flags %d', (flags) => {
    expectMalformed(wasm(section(TABLE, vec([FUNCREF, flags, 0x00, 0x00]))), 'malformed limits flags', 12);
  });

  it('rejects a non-reference element type', () => {
    expectMalformed(wasm(section(TABLE, vec([I32, 0x00, 0x00]))), 'malformed reference type', 11);
  });
});

describe('memory section', () => {
  it('decodes all eight limits flags', () => {
    const m = decode(wasm(section(MEMORY, vec(...[0, 1, 2, 3, 4, 5, 6, 7].map((f) => [f, 0x01, ...(f & 1 ? [0x02] : [])])))));
    expect(m.memories.map((mem) => mem.type)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((f) => ({
        addressType: f & 4 ? 'i64' : 'i32',
        limits: { min: 1, max: f & 1 ? 2 : undefined },
        shared: (f & 2) !== 0,
      })),
    );
    expect(m.memories.map((mem) => mem.offset)).toEqual([11, 13, 16, 18, 21, 23, 26, 28]);
  });

  it('decodes limits as u64 whatever the address type', () => {
    const m = decode(wasm(section(MEMORY, vec([0x00, ...uleb(0x1_0000_0000)]))));
    expect(m.memories[0].type.limits.min).toBe(0x1_0000_0000);
  });

  it.each([0x08, 0x10, 0x80])('rejects flags %d', (flags) => {
    expectMalformed(wasm(section(MEMORY, vec([flags, 0x00, 0x00]))), 'malformed limits flags', 11);
  });

  it('rejects limits with unused bits in their tenth byte', () => {
    const min = [0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x70];
    expectMalformed(wasm(section(MEMORY, vec([0x00, ...min]))), 'integer too large', 21);
  });
});

describe('tag section', () => {
  it('decodes tag types', () => {
    expect(decode(wasm(section(TAG, vec([0x00, 0x00], [0x00, ...uleb(300)])))).tags).toEqual([0, 300]);
  });

  it('rejects a nonzero attribute', () => {
    expectMalformed(wasm(section(TAG, vec([0x01, 0x00]))), 'zero byte expected', 11);
  });
});

describe('global section and constant expressions', () => {
  const global = (type: Bytes, ...code: Bytes[]): Uint8Array => wasm(section(GLOBAL, vec([...type, ...code.flat(), END])));
  const init = (...code: Bytes[]): ConstExpr => decode(global([I32, 0x00], ...code)).globals[0].init;
  const at = 13; // first byte of the expression

  it('decodes the global type and the initializer', () => {
    const m = decode(global([I64, 0x01], [0x42, ...sleb(-2n)]));
    expect(m.globals).toEqual([
      { type: { type: 'i64', mutable: true }, init: expr(at, { op: { op: 'i64.const', value: -2n }, at }), offset: 11 },
    ]);
  });

  it('decodes numeric constants exactly, floats as bit patterns', () => {
    expect(init(i32Const(-0x8000_0000)).ops).toEqual([{ op: 'i32.const', value: -0x8000_0000 }]);
    expect(init([0x42, ...sleb(0x7fff_ffff_ffff_ffffn)]).ops).toEqual([{ op: 'i64.const', value: 0x7fff_ffff_ffff_ffffn }]);
    expect(init([0x43, 0x01, 0x00, 0xc0, 0x7f]).ops).toEqual([{ op: 'f32.const', bits: 0x7fc0_0001 }]);
    expect(init([0x44, 0x01, 0, 0, 0, 0, 0, 0xf8, 0xff]).ops).toEqual([{ op: 'f64.const', bits: 0xfff8_0000_0000_0001n }]);
  });

  it('keeps v128 constants as views into the module bytes', () => {
    const lanes = Array.from({ length: 16 }, (_, i) => i * 3);
    const bytes = global([V128, 0x00], [0xfd, 0x0c, ...lanes]);
    const [op] = decode(bytes).globals[0].init.ops;
    expect(op.op).toBe('v128.const');
    const view = (op as { bytes: Uint8Array }).bytes;
    expect([...view]).toEqual(lanes);
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(at + 2);
  });

  it('decodes references, global.get and extended constant arithmetic with offsets', () => {
    expect(init([0xd0, 0x6e])).toEqual(expr(at, { op: { op: 'ref.null', heap: 'any' }, at }));
    expect(init([0xd0, ...sleb(5)]).ops).toEqual([{ op: 'ref.null', heap: 5 }]);
    expect(init([0xd2, ...uleb(1000)]).ops).toEqual([{ op: 'ref.func', func: 1000 }]);
    expect(init([0x23, 0x00], i32Const(1000), [0x6a], i32Const(2), [0x6c], [0x23, 0x01], [0x6b])).toEqual(
      expr(
        at,
        { op: { op: 'global.get', global: 0 }, at },
        { op: { op: 'i32.const', value: 1000 }, at: at + 2 },
        { op: { op: 'i32.add' }, at: at + 5 },
        { op: { op: 'i32.const', value: 2 }, at: at + 6 },
        { op: { op: 'i32.mul' }, at: at + 8 },
        { op: { op: 'global.get', global: 1 }, at: at + 9 },
        { op: { op: 'i32.sub' }, at: at + 11 },
      ),
    );
    expect(init([0x42, 0x01], [0x42, 0x02], [0x7c], [0x7d], [0x7e]).ops.map((o) => o.op)).toEqual([
      'i64.const', 'i64.const', 'i64.add', 'i64.sub', 'i64.mul',
    ]);
  });

  it('decodes the GC constant instructions', () => {
    expect(
      init(
        [0xfb, 0x00, 0x01],
        [0xfb, 0x01, 0x02],
        [0xfb, 0x06, 0x03],
        [0xfb, 0x07, 0x04],
        [0xfb, 0x08, 0x05, ...uleb(300)],
        [0xfb, 0x1c],
        [0xfb, 0x1a],
        [0xfb, 0x1b],
      ).ops,
    ).toEqual([
      { op: 'struct.new', type: 1 },
      { op: 'struct.new_default', type: 2 },
      { op: 'array.new', type: 3 },
      { op: 'array.new_default', type: 4 },
      { op: 'array.new_fixed', type: 5, length: 300 },
      { op: 'ref.i31' },
      { op: 'any.convert_extern' },
      { op: 'extern.convert_any' },
    ]);
  });

  it('decodes any other instruction by name, with its immediates consumed', () => {
    expect(
      init(
        i32Const(0),
        [0x28, 0x42, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10], // i32.load from memory 1, offset 2^32
        [0xfc, 0x10, 0x00], // table.size 0
        [0x1c, ...vec([I32])], // select (result i32)
        [0xfb, 0x18, 0x03, 0x00, 0x6e, 0x00], // br_on_cast 0 anyref (ref null 0)
        [0x0e, ...vec([0x00], [0x01]), 0x02], // br_table 0 1 2
        [0xfd, 0x15, 0x07], // i8x16.extract_lane_s 7
        [0x10, 0x01], // call 1
      ).ops,
    ).toEqual([
      { op: 'i32.const', value: 0 },
      { op: 'other', name: 'i32.load' },
      { op: 'other', name: 'table.size' },
      { op: 'other', name: 'select' },
      { op: 'other', name: 'br_on_cast' },
      { op: 'other', name: 'br_table' },
      { op: 'other', name: 'i8x16.extract_lane_s' },
      { op: 'other', name: 'call' },
    ]);
  });

  it('ends the expression at the end that closes it, not at nested ones', () => {
    const e = init([0x02, 0x7f], i32Const(1), [0x04, 0x40, 0x05, END], [END], [0x1f, 0x40, ...vec([0x02, 0x00]), END]);
    expect(e.ops).toEqual([
      { op: 'other', name: 'block' },
      { op: 'i32.const', value: 1 },
      { op: 'other', name: 'if' },
      { op: 'other', name: 'else' },
      { op: 'other', name: 'end' },
      { op: 'other', name: 'end' },
      { op: 'other', name: 'try_table' },
      { op: 'other', name: 'end' },
    ]);
    expect(e.offsets).toEqual([at, at + 2, at + 4, at + 6, at + 7, at + 8, at + 9, at + 14]);
  });

  it.each([
    ['illegal opcode ff', [0xff], at],
    ['illegal opcode 06', [0x06], at],
    ['illegal opcode fc 12', [0xfc, 0x12], at],
    ['illegal opcode fb 1f', [0xfb, 0x1f], at],
    ['illegal opcode fd 9a', [0xfd, 0x9a, 0x01], at],
    ['END opcode expected', [0x05], at],
    ['END opcode expected', [0x02, 0x40, 0x05, END], at + 2],
    ['END opcode expected', [0x04, 0x40, 0x05, 0x05, END], at + 3],
    ['integer representation too long', [0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], at + 6],
    ['integer too large', [0x41, 0xff, 0xff, 0xff, 0xff, 0x4f], at + 5],
    ['malformed memop flags', [0x28, 0x80, 0x01, 0x00], at + 1],
    ['malformed br_on_cast flags', [0xfb, 0x18, 0x04, 0x00, 0x6e, 0x6e], at + 2],
    ['malformed catch clause', [0x1f, 0x40, 0x01, 0x04, 0x00, END], at + 3],
    ['malformed type index', [0x02, 0xff, 0x7f, END], at + 1],
  ])('rejects %s', (message, code, offset) => {
    expectMalformed(global([I32, 0x00], code), message, offset);
  });

  it('rejects an expression with no end', () => {
    expectMalformed(wasm(section(GLOBAL, vec([I32, 0x00, ...i32Const(0)]))), 'unexpected end of section or function', 15);
  });

  it('rejects a malformed mutability', () => {
    expectMalformed(global([I32, 0x02], i32Const(0)), 'malformed mutability', 12);
  });
});

// ---- Start, elements, data ----------------------------------------------------------------

describe('start section', () => {
  it('decodes the start function', () => {
    expect(decode(wasm(section(START, uleb(70000)))).start).toBe(70000);
  });
});

describe('element section', () => {
  const offsetExpr = [...i32Const(7), END];
  const refFunc = (i: number): Bytes => [0xd2, ...uleb(i), END];
  const segments: Bytes[] = [
    [0x00, ...offsetExpr, ...vec([0x01], [0x02])],
    [0x01, 0x00, ...vec([0x03])],
    [0x02, ...uleb(4), ...offsetExpr, 0x00, ...vec()],
    [0x03, 0x00, ...vec([0x05], uleb(70000))],
    [0x04, ...offsetExpr, ...vec(refFunc(6), [0xd0, 0x70, END])],
    [0x05, EXTERNREF, ...vec([0xd0, 0x6f, END])],
    [0x06, ...uleb(1), ...offsetExpr, 0x64, 0x00, ...vec(refFunc(8))],
    [0x07, FUNCREF, ...vec(refFunc(9))],
  ];
  const starts = segments.map((_, i) => 11 + segments.slice(0, i).flat().length);

  it('decodes all eight encodings', () => {
    const m = decode(wasm(section(ELEMENT, vec(...segments))));
    const active = (table: number, at: number) => ({
      kind: 'active',
      table,
      offset: expr(at, { op: { op: 'i32.const', value: 7 }, at }),
    });
    const funcs = (...indices: number[]) => ({ kind: 'funcs', indices: new Uint32Array(indices) });
    const refFuncExpr = (func: number, at: number) => expr(at, { op: { op: 'ref.func', func }, at });
    const nonNullFunc = { nullable: false, heap: 'func' };
    expect(m.elements).toEqual([
      { mode: active(0, starts[0] + 1), type: nonNullFunc, items: funcs(1, 2), offset: starts[0] },
      { mode: { kind: 'passive' }, type: nonNullFunc, items: funcs(3), offset: starts[1] },
      { mode: active(4, starts[2] + 2), type: nonNullFunc, items: funcs(), offset: starts[2] },
      { mode: { kind: 'declarative' }, type: nonNullFunc, items: funcs(5, 70000), offset: starts[3] },
      {
        mode: active(0, starts[4] + 1),
        type: { nullable: true, heap: 'func' },
        items: {
          kind: 'exprs',
          exprs: [refFuncExpr(6, starts[4] + 5), expr(starts[4] + 8, { op: { op: 'ref.null', heap: 'func' }, at: starts[4] + 8 })],
        },
        offset: starts[4],
      },
      {
        mode: { kind: 'passive' },
        type: { nullable: true, heap: 'extern' },
        items: { kind: 'exprs', exprs: [expr(starts[5] + 3, { op: { op: 'ref.null', heap: 'extern' }, at: starts[5] + 3 })] },
        offset: starts[5],
      },
      {
        mode: active(1, starts[6] + 2),
        type: { nullable: false, heap: 0 },
        items: { kind: 'exprs', exprs: [refFuncExpr(8, starts[6] + 8)] },
        offset: starts[6],
      },
      {
        mode: { kind: 'declarative' },
        type: { nullable: true, heap: 'func' },
        items: { kind: 'exprs', exprs: [refFuncExpr(9, starts[7] + 3)] },
        offset: starts[7],
      },
    ]);
    expect(m.elements[0].items.kind === 'funcs' && m.elements[0].items.indices).toBeInstanceOf(Uint32Array);
  });

  it.each([
    ['malformed elements segment kind', [0x08], 11],
    ['malformed element kind', [0x01, 0x01, 0x00], 12],
    ['malformed reference type', [0x05, I32, 0x00], 12],
    ['illegal opcode f3', [0x05, FUNCREF, 0x01, 0xf3, 0x00, END], 14],
    ['integer too large', [0x80, 0x80, 0x80, 0x80, 0x10], 15],
  ])('rejects %s', (message, segment, offset) => {
    expectMalformed(wasm(section(ELEMENT, vec(segment))), message, offset);
  });
});

describe('data section', () => {
  it('decodes the three modes, with the bytes as views into the module', () => {
    const bytes = wasm(
      section(DATA_COUNT, uleb(3)),
      section(
        DATA,
        vec([0x00, ...i32Const(1), END, ...vec([0x61], [0x62])], [0x01, ...vec([0x63])], [0x02, 0x01, 0x42, 0x02, END, ...vec()]),
      ),
    );
    const m = decode(bytes);
    expect(m.dataCount).toBe(3);
    expect(segmentsOf(m.datas)).toEqual([
      { active: true, memory: 0, offset: expr(15, { op: { op: 'i32.const', value: 1 }, at: 15 }), bytes: new Uint8Array([0x61, 0x62]), at: 14 },
      { active: false, bytes: new Uint8Array([0x63]), at: 21 },
      { active: true, memory: 1, offset: expr(26, { op: { op: 'i64.const', value: 2n }, at: 26 }), bytes: new Uint8Array(0), at: 24 },
    ]);
    expect(m.datas.bytesOf(0).buffer).toBe(bytes.buffer);
    expect(m.datas.bytesOf(0).byteOffset).toBe(19);
  });

  it('keeps a single constant offset inline and any other offset as its expression', () => {
    const offsets: Bytes[] = [
      [...i32Const(-1), END],
      [0x42, ...sleb(-(2n ** 53n - 1n)), END],
      [0x42, ...sleb(2n ** 53n), END],
      [0x23, 0x00, END],
      [...i32Const(1), ...i32Const(2), 0x6a, END],
    ];
    const m = decode(wasm(section(DATA, vec(...offsets.map((offset) => [0x00, ...offset, ...vec([0x61])])))));
    const datas = m.datas;
    expect(offsets.map((_, i) => datas.constantType(i))).toEqual(['i32', 'i64', undefined, undefined, undefined]);
    expect(offsets.map((_, i) => datas.constantAddress(i))).toEqual([0xffff_ffff, 2n ** 64n - 2n ** 53n + 1n, undefined, undefined, undefined]);
    expect(datas.offsetExpr(0)).toEqual(expr(12, { op: { op: 'i32.const', value: -1 }, at: 12 }));
    expect(datas.offsetExpr(2).ops).toEqual([{ op: 'i64.const', value: 2n ** 53n }]);
    expect(datas.offsetExpr(3)).toEqual(expr(44, { op: { op: 'global.get', global: 0 }, at: 44 }));
    expect(datas.offsetExpr(4).ops).toEqual([
      { op: 'i32.const', value: 1 },
      { op: 'i32.const', value: 2 },
      { op: 'i32.add' },
    ]);
    // The expressions that are not inline are the ones the decoder made, not remade.
    expect(datas.offsetExpr(3)).toBe(datas.offsetExpr(3));
    expect(offsets.map((_, i) => new TextDecoder().decode(datas.bytesOf(i)))).toEqual(['a', 'a', 'a', 'a', 'a']);
  });

  it.each([
    ['integer too large', [0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, END], 17],
    ['unexpected end of section or function', [0x00, 0x41], 13],
    ['unexpected end of section or function', [0x00, 0x41, 0x01], 14],
    ['unexpected end of section or function', [0x00, 0x42, 0x01, END, 0x05, 0x61], 17],
    ['illegal opcode ff', [0x00, 0x41, 0x01, 0xff, END, 0x00], 14],
  ])('rejects a malformed offset as an expression would: %s', (message, segment, offset) => {
    expectMalformed(wasm(section(DATA, vec(segment))), message, offset);
  });

  it('rejects a data count that disagrees with the data section, or without one', () => {
    const twoPassive = section(DATA, vec([0x01, 0x00], [0x01, 0x00]));
    expectMalformed(wasm(section(DATA_COUNT, uleb(3)), twoPassive), 'data count and data section have inconsistent lengths', 13);
    expectMalformed(wasm(section(DATA_COUNT, uleb(1)), twoPassive), 'data count and data section have inconsistent lengths', 13);
    expectMalformed(wasm(section(DATA_COUNT, uleb(1))), 'data count and data section have inconsistent lengths', 11);
    expect(decode(wasm(section(DATA_COUNT, uleb(0)))).dataCount).toBe(0);
  });

  it.each([
    ['malformed data segment kind', [0x03], 11],
    ['unexpected end of section or function', [0x01, 0x07, 0x61], 14],
    ['integer too large', [0x02, 0x80, 0x80, 0x80, 0x80, 0x10], 16],
  ])('rejects %s', (message, segment, offset) => {
    expectMalformed(wasm(section(DATA, vec(segment))), message, offset);
  });
});

// ---- Code ------------------------------------------------------------------------------

describe('code section', () => {
  it('records each body range and reads local declarations', () => {
    const m = decode(
      wasm(
        section(TYPE, vec(FUNC_TYPE)),
        section(FUNCTION, vec([0], [0])),
        section(CODE, vec(body([], [END]), body([[0x00, I32], [0x02, I64], [0x03, 0x64, 0x00]], [0x20, 0x00, 0x1a, END]))),
      ),
    );
    expect(m.funcs).toEqual([0, 0]);
    expect(m.codes).toEqual([
      { offset: 23, size: 2 },
      { offset: 26, size: 12 },
    ]);
  });

  it('accepts bodies using every kind of immediate', () => {
    const code = [
      ...[0x02, 0x40, 0x03, 0x7f, 0x0c, 0x00, 0x0b, 0x1a, 0x0b], // block, loop (result i32) br 0 end drop end
      ...[0x04, 0x00, 0x05, 0x0b], // if (type 0) else end
      ...[0x0e, 0x02, 0x00, 0x01, 0x00, 0x11, 0x00, 0x00, 0x13, 0x00, 0x01], // br_table, call_indirect, return_call_indirect
      ...[0x1c, 0x01, 0x63, 0x6e, 0x25, 0x00, 0xd0, 0x00], // select (result (ref null any)), table.get, ref.null 0
      ...[0x36, 0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // i32.store offset=2^63
      ...[0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f], // i64.const min
      ...[0x43, 0, 0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0], // f32.const, f64.const
      ...[0xfd, 0x0d, ...new Array(16).fill(0x1f), 0xfd, 0x54, 0x40, 0x01, 0x00, 0x0f], // shuffle, v128.load8_lane memory 1
      ...[0xfd, 0x93, 0x02, 0xfd, 0x80, 0x81, 0x00], // i32x4.relaxed_dot_i8x16_i7x16_add_s; i16x8.abs, overlong
      ...[0xfb, 0x02, 0x00, 0x01, 0xfb, 0x14, 0x6b, 0xfb, 0x19, 0x01, 0x00, 0x6e, 0x00], // struct.get, ref.test, br_on_cast_fail
      ...[0x1f, 0x40, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x0b], // try_table, every catch
      ...[0x08, 0x00, 0x0a, 0xd5, 0x00, 0xd6, 0x00, 0x14, 0x00, 0x15, 0x00], // throw, throw_ref, br_on_(non_)null, call_ref
      0x0b,
    ];
    const m = decode(withBody(code));
    expect(m.codes).toHaveLength(1);
  });

  it('accepts zero local groups and counts whose sum is 2^32-1', () => {
    expect(() => decode(withBody([END]))).not.toThrow();
    const locals = [[...uleb(0xffff_fffe), I32], [0x01, I64]];
    const bytes = wasm(section(TYPE, vec(FUNC_TYPE)), section(FUNCTION, vec([0])), section(CODE, vec(body(locals, [END]))));
    expect(decode(bytes).codes).toHaveLength(1);
  });

  it('rejects more than 2^32-1 locals, at the local declarations', () => {
    const locals = [[...uleb(0xffff_ffff), I32], [0x02, I64]];
    const bytes = wasm(section(TYPE, vec(FUNC_TYPE)), section(FUNCTION, vec([0])), section(CODE, vec(body(locals, [END]))));
    expectMalformed(bytes, 'too many locals', 22);
    expectMalformed(bytes, 'too many locals', 22, { checkBodies: false });
  });

  it('rejects a local count over 32 bits', () => {
    const locals = [[0x80, 0x80, 0x80, 0x80, 0x10, I32]];
    const bytes = wasm(section(TYPE, vec(FUNC_TYPE)), section(FUNCTION, vec([0])), section(CODE, vec(body(locals, [END]))));
    expectMalformed(bytes, 'integer too large', 27);
  });

  it('rejects function and code sections of different lengths', () => {
    const types = section(TYPE, vec(FUNC_TYPE));
    expectMalformed(wasm(types, section(FUNCTION, vec([0], [0]))), 'function and code section have inconsistent lengths', 19);
    expectMalformed(wasm(section(CODE, vec(body([], [END])))), 'function and code section have inconsistent lengths', 10);
    expectMalformed(
      wasm(types, section(FUNCTION, vec([0])), section(CODE, vec(body([], [END]), body([], [END])))),
      'function and code section have inconsistent lengths',
      20,
    );
    expect(decode(wasm(section(FUNCTION, vec()))).funcs).toEqual([]);
    expect(decode(wasm(section(CODE, vec()))).codes).toEqual([]);
  });

  const at = 23; // first instruction of a body built by withBody
  it.each([
    ['illegal opcode ff', [0x00, 0xff, 0x00, END], at + 1],
    ['illegal opcode fd 114', [0xfd, 0x94, 0x02, END], at],
    ['END opcode expected', [0x05, END], at],
    ['section size mismatch', [END, 0x01], at + 1],
    ['unexpected end of section or function', [0x41, 0x01, 0x1a], at + 3],
    ['unexpected end of section or function', [0x02, 0x40, END], at + 3],
    ['malformed memop flags', [0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1a, END], at + 3],
    ['integer representation too long', [0x41, 0x00, 0x28, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00, END], at + 8],
    ['unexpected end of section or function', [0x0e, 0x01, 0x00, 0x01, 0x02, END], at + 6],
  ])('rejects a body with %s', (message, code, offset) => {
    expectMalformed(withBody(code), message, offset);
  });

  it('with checkBodies off, only delimits bodies', () => {
    const bytes = withBody([0x00, 0xff, 0x00, END]);
    expect(decode(bytes, { checkBodies: false }).codes).toEqual([{ offset: 22, size: 5 }]);
  });

  it.each([
    ['memory.init', [0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, END]],
    ['data.drop', [0xfc, 0x09, 0x00, END]],
    ['array.new_data', [0x41, 0x00, 0x41, 0x00, 0xfb, 0x09, 0x00, 0x00, 0x1a, END]],
    ['array.init_data', [0xfb, 0x12, 0x00, 0x00, END]],
  ])('requires the data count section for %s', (_, code) => {
    const data = section(DATA, vec([0x01, 0x00]));
    expectMalformed(withData(code, data), 'data count section required', 22);
    expect(decode(withData(code, data), { checkBodies: false }).codes).toHaveLength(1);
    const withCount = wasm(
      section(TYPE, vec(FUNC_TYPE)),
      section(FUNCTION, vec([0])),
      section(DATA_COUNT, uleb(1)),
      section(CODE, vec(body([], code))),
      data,
    );
    expect(decode(withCount).dataCount).toBe(1);
  });

  function withData(code: Bytes, data: Bytes): Uint8Array {
    return wasm(section(TYPE, vec(FUNC_TYPE)), section(FUNCTION, vec([0])), section(CODE, vec(body([], code))), data);
  }
});

// ---- Name section ----------------------------------------------------------------------

describe('name section', () => {
  const subsection = (id: number, ...content: Bytes[]): Bytes => section(id, ...content);

  it('decodes the module name and function names, skipping other subsections', () => {
    const m = decode(
      wasm(
        section(
          CUSTOM,
          name('name'),
          subsection(0, name('mod')),
          subsection(1, vec([0x00, ...name('f0')], [...uleb(300), ...name('\u{1f600}')])),
          subsection(2, [0x00]),
        ),
      ),
    );
    expect(m.names).toEqual({ module: 'mod', functions: new Map([[0, 'f0'], [300, '\u{1f600}']]) });
    expect(m.customs.map((c) => c.name)).toEqual(['name']);
  });

  it.each([
    ['bad UTF-8', subsection(0, [0x01, 0xff])],
    ['a truncated subsection', [0x01, 0x05, 0x01, 0x00]],
    ['a subsection size mismatch', subsection(0, name('m'), [0x00])],
    ['a function map past its subsection', [0x01, 0x02, 0x01, 0x00, 0x02, 0x61, 0x62]],
  ])('ignores a name section with %s, keeping the module', (_, content) => {
    const m = decode(wasm(section(CUSTOM, name('name'), content), section(TYPE, vec())));
    expect(m.names).toBeUndefined();
    expect(m.customs).toHaveLength(1);
  });
});

// ---- Robustness ------------------------------------------------------------------------

/** A module touching most sections, for truncation and mutation tests. */
const rich = (): Uint8Array =>
  wasm(
    section(TYPE, vec(FUNC_TYPE, [0x4e, ...vec([0x5f, ...vec([0x78, 0x01])])])),
    section(IMPORT, vec([...name('env'), ...name('g'), 0x03, I32, 0x00])),
    section(FUNCTION, vec([0x00])),
    section(TABLE, vec([0x40, 0x00, FUNCREF, 0x00, 0x01, 0xd2, 0x00, END])),
    section(MEMORY, vec([0x01, 0x01, 0x02])),
    section(TAG, vec([0x00, 0x00])),
    section(GLOBAL, vec([I32, 0x00, 0x23, 0x00, ...i32Const(1), 0x6a, END])),
    section(EXPORT, vec([...name('f'), 0x00, 0x00])),
    section(ELEMENT, vec([0x01, 0x00, ...vec([0x00])])),
    section(DATA_COUNT, uleb(1)),
    section(CODE, vec(body([[0x01, I32]], [0x41, 0x00, 0x28, 0x02, 0x00, 0x1a, 0xfc, 0x09, 0x00, END]))),
    section(DATA, vec([0x00, ...i32Const(0), END, ...vec([0x61])])),
    section(CUSTOM, name('name'), section(0, name('rich'))),
  );

describe('robustness', () => {
  it('decodes the rich module', () => {
    const m = decode(rich());
    expect(m.names?.module).toBe('rich');
    expect(m.tags).toEqual([0]);
    expect(m.datas).toHaveLength(1);
  });

  it('rejects every truncation inside a section, with an offset within the bytes', () => {
    const bytes = rich();
    const sectionEnds = new Set<number>([8]);
    for (let pos = 8; pos < bytes.length; ) {
      let size = 0;
      let shift = 0;
      for (pos++; ; shift += 7) {
        const b = bytes[pos++];
        size |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      pos += size;
      sectionEnds.add(pos);
    }
    for (let length = 0; length < bytes.length; length++) {
      let error: unknown;
      try {
        decode(bytes.subarray(0, length));
      } catch (e) {
        error = e;
      }
      if (error === undefined) {
        expect(sectionEnds.has(length), `prefix of ${length} bytes decoded`).toBe(true);
        continue;
      }
      expect(error, `prefix of ${length} bytes`).toBeInstanceOf(CompileError);
      const e = error as CompileError;
      expect(e.kind).toBe('malformed');
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(length);
    }
  });

  it.each([
    ['types', TYPE],
    ['imports', IMPORT],
    ['functions', FUNCTION],
    ['tables', TABLE],
    ['memories', MEMORY],
    ['tags', TAG],
    ['globals', GLOBAL],
    ['exports', EXPORT],
    ['elements', ELEMENT],
    ['bodies', CODE],
    ['data segments', DATA],
  ])('fails fast on a module claiming 2^32-1 %s', (_, id) => {
    const bytes = wasm(section(id, uleb(0xffff_ffff)));
    const start = performance.now();
    expectMalformed(bytes, 'unexpected end of section or function', bytes.length);
    expect(performance.now() - start).toBeLessThan(50);
  });

  it.each([
    ['element function indices', section(ELEMENT, vec([0x01, 0x00, ...uleb(0xffff_ffff)]))],
    ['element expressions', section(ELEMENT, vec([0x05, FUNCREF, ...uleb(0xffff_ffff)]))],
    ['data bytes', section(DATA, vec([0x01, ...uleb(0xffff_ffff)]))],
    ['rec group entries', section(TYPE, vec([0x4e, ...uleb(0xffff_ffff)]))],
    ['struct fields', section(TYPE, vec([0x5f, ...uleb(0xffff_ffff)]))],
    ['function parameters', section(TYPE, vec([0x60, ...uleb(0xffff_ffff)]))],
    ['supertypes', section(TYPE, vec([0x50, ...uleb(0xffff_ffff)]))],
    ['local groups', section(CODE, vec([0x06, ...uleb(0xffff_ffff), 0x0b]))],
  ])('fails fast on 2^32-1 %s', (_, s) => {
    const bytes = wasm(s);
    let error: unknown;
    try {
      decode(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CompileError);
    expect((error as CompileError).message).toMatch(/^unexpected end of section or function/);
  });

  it('throws nothing but malformed CompileErrors on mutated modules', () => {
    const base = rich();
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const bytes = base.slice();
      for (let k = 1 + random(3); k > 0; k--) bytes[8 + random(bytes.length - 8)] = random(256);
      try {
        decode(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(CompileError);
        expect((e as CompileError).kind).toBe('malformed');
        expect((e as CompileError).offset).toBeLessThanOrEqual(bytes.length);
      }
    }
  });
});

// ---- Modules assembled by wabt ---------------------------------------------------------

describe('modules assembled by wabt', () => {
  let assemble: (wat: string) => Uint8Array;
  beforeAll(async () => {
    const assembleFile = await wabtAssembler({ validate: false });
    assemble = (wat) => assembleFile('test.wat', wat);
  });

  it('decodes a module with memory64, SIMD, exceptions and bulk memory', () => {
    const bytes = assemble(`
      (module
        (type $t (func (param i32) (result i32)))
        (import "env" "mem" (memory $m i64 1 100 shared))
        (import "env" "f" (func $f (type $t)))
        (memory $m2 i64 1)
        (table $tab 10 funcref)
        (tag $e (param i32))
        (global $g (mut i64) (i64.const -1))
        (func $main (export "main") (type $t) (local v128 i64)
          (local.set 1 (v128.const i32x4 1 2 3 4))
          (local.set 2 (i64.load $m2 offset=0x100000000 (i64.const 0)))
          (try_table (catch $e 0) (throw $e (local.get 0)))
          (memory.fill $m2 (i64.const 0) (i32.const 0) (i64.const 8))
          (drop (i32x4.extract_lane 3 (i32x4.relaxed_laneselect (local.get 1) (local.get 1) (local.get 1))))
          (return_call $f (local.get 0)))
        (elem (table $tab) (i32.const 0) func $main $f)
        (data (i64.const 16) "hello"))
    `);
    const m = decode(bytes);
    expect(m.imports.map((i) => i.desc)).toEqual([
      { kind: 'memory', type: { addressType: 'i64', limits: { min: 1, max: 100 }, shared: true } },
      { kind: 'func', typeIndex: 0 },
    ]);
    expect(m.memories.map((mem) => mem.type)).toEqual([{ addressType: 'i64', limits: { min: 1, max: undefined }, shared: false }]);
    expect(m.tags).toEqual([1]);
    expect(m.globals[0].init.ops).toEqual([{ op: 'i64.const', value: -1n }]);
    expect(m.exports).toEqual([{ name: 'main', kind: 'func', index: 1, offset: expect.any(Number) }]);
    expect(m.elements[0].items).toEqual({ kind: 'funcs', indices: new Uint32Array([1, 0]) });
    expect(m.elements[0].mode).toMatchObject({ kind: 'active', table: 0 });
    expect(new TextDecoder().decode(m.datas.bytesOf(0))).toBe('hello');
    expect(segmentsOf(m.datas)[0]).toMatchObject({ active: true, memory: 0, offset: { ops: [{ op: 'i64.const', value: 16n }] } });
    expect(m.codes).toHaveLength(1);
    const code = m.codes[0];
    expect(code.offset + code.size).toBeLessThanOrEqual(bytes.length);
    expect(bytes[code.offset + code.size - 1]).toBe(END);
  });
});
