import { describe, expect, it } from 'vitest';
import {
  parseFloatBits,
  parseIntBits,
  parseScript,
  readSExprs,
  SpecScriptError,
  vecBytes,
  type Command,
} from './spec-script.ts';

const parse = (text: string): Command[] => parseScript(text, 'test.wast');
const one = (text: string): Command => {
  const commands = parse(text);
  expect(commands).toHaveLength(1);
  return commands[0];
};
const bytesOf = (text: string): number[] => {
  const [sexpr] = readSExprs(text, 'test.wast');
  if (sexpr.kind !== 'string') throw new Error('not a string');
  return [...sexpr.bytes];
};
const errorOf = (action: () => unknown): SpecScriptError => {
  try {
    action();
  } catch (error) {
    if (error instanceof SpecScriptError) return error;
    throw error;
  }
  throw new Error('no error thrown');
};

describe('S-expression reader', () => {
  it('decodes string escapes to bytes', () => {
    expect(bytesOf(String.raw`"\00\61\FF\7f"`)).toEqual([0x00, 0x61, 0xff, 0x7f]);
    expect(bytesOf(String.raw`"\n\t\r\\\"\'"`)).toEqual([0x0a, 0x09, 0x0d, 0x5c, 0x22, 0x27]);
    expect(bytesOf(String.raw`"\u{41}\u{e9}\u{1F600}\u{1_0000}"`)).toEqual([
      0x41, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x90, 0x80, 0x80,
    ]);
  });

  it('encodes raw non-ASCII characters as UTF-8', () => {
    expect(bytesOf('"é😀"')).toEqual([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
  });

  it('reads nested lists and skips both comment forms', () => {
    const sexprs = readSExprs('(a (b "c" (d)) ;; line comment )\n (; block (; nested ;) ;) e)', 'test.wast');
    expect(sexprs).toHaveLength(1);
    const [list] = sexprs;
    expect(list.kind === 'list' && list.items.map((item) => item.kind)).toEqual(['atom', 'list', 'atom']);
  });

  it('gives every item the line it starts on', () => {
    const [list] = readSExprs(';; header\n(a\n  "b\\n"\n\n  (c))', 'test.wast');
    expect(list.line).toBe(2);
    expect(list.kind === 'list' && list.items.map((item) => item.line)).toEqual([2, 3, 5]);
  });

  it.each([
    ['"abc', 'test.wast:1: unterminated string'],
    ['(a\n(b)', 'test.wast:1: unclosed parenthesis'],
    ['(a)\n)', 'test.wast:2: unexpected )'],
    ['\n"\\q"', 'test.wast:2: unknown escape \\q"'],
    ['"\\u{d800}"', 'test.wast:1: \\u{d800} is not a Unicode scalar value'],
    ['"a\tb"', 'test.wast:1: control character U+0009 in string'],
    ['(; open', 'test.wast:1: unterminated block comment'],
  ])('rejects %j with file:line', (text, message) => {
    expect(errorOf(() => readSExprs(text, 'test.wast')).message).toBe(message);
  });
});

describe('script commands', () => {
  it('parses module definitions, with or without a name, from several strings', () => {
    expect(one('(module definition $M binary "\\00asm" "\\01\\00\\00\\00")')).toEqual({
      kind: 'module',
      line: 1,
      definition: true,
      name: '$M',
      source: { form: 'binary', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) },
    });
    expect(one('(module binary)')).toMatchObject({ definition: false, name: undefined, source: { bytes: new Uint8Array() } });
    expect(one('(module $M quote "(func)")')).toMatchObject({ name: '$M', source: { form: 'quote', text: '(func)' } });
  });

  it('parses module instances: one name is the module, two are instance then module', () => {
    expect(one('(module instance)')).toEqual({ kind: 'instance', line: 1, module: undefined });
    expect(one('(module instance $M)')).toEqual({ kind: 'instance', line: 1, module: '$M' });
    expect(one('(module instance $I $M)')).toEqual({ kind: 'instance', line: 1, instance: '$I', module: '$M' });
  });

  it('parses register and actions', () => {
    expect(one('(register "M")')).toEqual({ kind: 'register', line: 1, as: 'M', instance: undefined });
    expect(one('(register "M" $I)')).toEqual({ kind: 'register', line: 1, as: 'M', instance: '$I' });
    expect(one('(invoke $I "f" (i32.const -1) (i64.const 0xffff_ffff_ffff_ffff) (ref.null extern) (ref.extern 3))')).toEqual({
      kind: 'action',
      line: 1,
      action: {
        kind: 'invoke',
        line: 1,
        instance: '$I',
        name: 'f',
        args: [
          { type: 'i32', value: -1 },
          { type: 'i64', value: -1n },
          { type: 'ref.null', heap: 'extern' },
          { type: 'ref.extern', value: 3 },
        ],
      },
    });
    expect(one('(get "g")')).toEqual({
      kind: 'action',
      line: 1,
      action: { kind: 'get', line: 1, instance: undefined, name: 'g' },
    });
  });

  it('parses assert_return with every kind of result', () => {
    const command = one(`(assert_return (get $I "g")
      (i32.const 0xffff_ffff) (i64.const -9223372036854775808)
      (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const -0x1p-149) (f64.const 1.5)
      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1) (v128.const f32x4 nan:canonical 1 -0 inf)
      (ref.null) (ref.null func) (ref) (ref.eq) (ref.i31) (ref.struct) (ref.array) (ref.func) (ref.exn) (ref.extern)
      (ref.extern 1) (ref.host 2) (either (i32.const 1) (ref.null)))`);
    expect(command).toMatchObject({ kind: 'assert_return', action: { kind: 'get', instance: '$I', name: 'g' } });
    const results = command.kind === 'assert_return' ? command.results : [];
    expect(results).toEqual([
      { type: 'i32', value: -1 },
      { type: 'i64', value: -(2n ** 63n) },
      { type: 'f32', nan: 'nan:canonical' },
      { type: 'f64', nan: 'nan:arithmetic' },
      { type: 'f32', bits: 0x80000001 },
      { type: 'f64', bits: 0x3ff8000000000000n },
      { type: 'v128', shape: 'i8x16', lanes: [...Array.from({ length: 15 }, (_, i) => BigInt(i)), 0xffn] },
      { type: 'v128', shape: 'f32x4', lanes: ['nan:canonical', 0x3f800000n, 0x80000000n, 0x7f800000n] },
      { type: 'ref.null' },
      { type: 'ref.null', heap: 'func' },
      { type: 'ref', heap: 'any' },
      { type: 'ref', heap: 'eq' },
      { type: 'ref', heap: 'i31' },
      { type: 'ref', heap: 'struct' },
      { type: 'ref', heap: 'array' },
      { type: 'ref', heap: 'func' },
      { type: 'ref', heap: 'exn' },
      { type: 'ref', heap: 'extern' },
      { type: 'ref.extern', value: 1 },
      { type: 'ref.host', value: 2 },
      { type: 'either', options: [{ type: 'i32', value: 1 }, { type: 'ref.null' }] },
    ]);
  });

  it('parses v128 arguments to bytes in memory order', () => {
    const command = one('(invoke "f" (v128.const i32x4 0x01020304 0 0 -1))');
    const action = command.kind === 'action' ? command.action : undefined;
    expect(action?.kind === 'invoke' && action.args).toEqual([
      { type: 'v128', bytes: new Uint8Array([4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]) },
    ]);
  });

  it('parses the failure assertions on actions', () => {
    expect(one('(assert_trap (invoke "f") "unreachable")')).toMatchObject({ kind: 'assert_trap', message: 'unreachable' });
    expect(one('(assert_exhaustion (invoke "f") "call stack exhausted")')).toMatchObject({ kind: 'assert_exhaustion' });
    expect(one('(assert_exception (invoke "f"))')).toMatchObject({ kind: 'assert_exception', action: { name: 'f' } });
  });

  it('parses assertions on modules', () => {
    expect(one('(assert_malformed (module binary "\\00") "unexpected end")')).toMatchObject({
      kind: 'assert_malformed',
      module: { kind: 'module', source: { bytes: new Uint8Array([0]) } },
      message: 'unexpected end',
    });
    expect(one('(assert_invalid (module definition binary "") "type mismatch")')).toMatchObject({
      kind: 'assert_invalid',
      module: { definition: true },
    });
    expect(one('(assert_unlinkable (module instance $M) "unknown import")')).toMatchObject({
      kind: 'assert_unlinkable',
      target: { kind: 'instance', module: '$M' },
    });
    // assert_trap on a module is the reference interpreter's assert_uninstantiable.
    expect(one('(assert_trap (module instance) "out of bounds table access")')).toMatchObject({
      kind: 'assert_uninstantiable',
      target: { kind: 'instance' },
      message: 'out of bounds table access',
    });
    expect(one('(assert_trap (module binary "") "unreachable")')).toMatchObject({
      kind: 'assert_uninstantiable',
      target: { kind: 'module', definition: false },
    });
  });

  it('numbers commands by the line they start on', () => {
    const commands = parse('(module definition binary\n  "")\n\n(module instance)\n;; c\n(assert_return\n  (get "g")\n  (i32.const 1)\n)');
    expect(commands.map((c) => c.line)).toEqual([1, 4, 6]);
    const last = commands[2];
    expect(last.kind === 'assert_return' && last.action.line).toBe(7);
  });

  it.each([
    ['(frobnicate)', 'test.wast:1: unknown command frobnicate'],
    ['\n(module definition binary "" (i32.const 1))', 'test.wast:2: expected a string'],
    ['(module)', 'test.wast:1: expected a binary or quoted module (text modules need an assembler)'],
    ['(module instance $a $b $c)', 'test.wast:1: module instance takes at most two names'],
    ['(assert_unlinkable (module definition binary "") "x")', 'test.wast:1: a module definition cannot be instantiated here'],
    ['(assert_invalid (module instance) "x")', 'test.wast:1: assert_invalid needs a module, not a module instance'],
    ['(assert_return (invoke "f") (i32.const 0x1_0000_0000))', 'test.wast:1: constant 0x1_0000_0000 out of range for 32 bits'],
    ['(assert_return (invoke "f") (i32.const -0x8000_0001))', 'test.wast:1: constant -0x8000_0001 out of range for 32 bits'],
    ['(assert_return (invoke "f") (f32.const 1.2.3))', 'test.wast:1: malformed float 1.2.3'],
    ['(assert_return (invoke "f") (v128.const i32x4 1 2 3))', 'test.wast:1: i32x4 needs 4 lanes, found 3'],
    ['(invoke "f" (v128.const i32x4 nan:canonical 0 0 0))', 'test.wast:1: malformed integer nan:canonical'],
    ['(invoke "f" (f32.const nan:canonical))', 'test.wast:1: malformed float nan:canonical'],
    ['(invoke "\\ff")', 'test.wast:1: malformed UTF-8 in name'],
    ['(assert_trap (invoke "f"))', 'test.wast:1: missing a message'],
    ['(register "a" $b "c")', 'test.wast:1: unexpected extra item'],
    ['(get "g" (i32.const 1))', 'test.wast:1: unexpected extra item'],
  ])('rejects %j with file:line', (text, message) => {
    expect(errorOf(() => parse(text)).message).toBe(message);
  });
});

describe('integer literals', () => {
  it('accepts signed and unsigned forms within the width', () => {
    expect(parseIntBits('0xffff_ffff', 32)).toBe(0xffffffffn);
    expect(parseIntBits('-1', 32)).toBe(0xffffffffn);
    expect(parseIntBits('-2147483648', 32)).toBe(0x80000000n);
    expect(parseIntBits('+42', 8)).toBe(42n);
    expect(parseIntBits('-0x80', 8)).toBe(0x80n);
    expect(() => parseIntBits('256', 8)).toThrow(RangeError);
    expect(() => parseIntBits('-129', 8)).toThrow(RangeError);
    expect(() => parseIntBits('1__0', 8)).toThrow(RangeError);
  });
});

describe('float literals', () => {
  const f32 = (text: string): number => Number(parseFloatBits(text, 'f32'));
  const f64 = (text: string): bigint => parseFloatBits(text, 'f64');
  const view = new DataView(new ArrayBuffer(8));
  const f32Of = (x: number): number => (view.setFloat32(0, x), view.getUint32(0));
  const f64Of = (x: number): bigint => (view.setFloat64(0, x), view.getBigUint64(0));

  it('reads special values and NaN payloads', () => {
    expect(f32('inf')).toBe(0x7f800000);
    expect(f32('-inf')).toBe(0xff800000);
    expect(f32('nan')).toBe(0x7fc00000);
    expect(f32('-nan:0x1')).toBe(0xff800001);
    expect(f64('nan:0xf_ffff_ffff_ffff')).toBe(0x7fffffffffffffffn);
    expect(f32('-0')).toBe(0x80000000);
    expect(() => f32('nan:0x80_0000')).toThrow(RangeError);
    expect(() => f32('nan:0x0')).toThrow(RangeError);
  });

  it('reads hex floats, rounding to nearest even', () => {
    expect(f32('0x1p-149')).toBe(1); // smallest subnormal
    expect(f32('0x1p-150')).toBe(0); // half of it: ties to even (zero)
    expect(f32('0x1.8p-149')).toBe(2); // 1.5 × smallest: ties to even (2)
    expect(f32('0x1.fffffep127')).toBe(0x7f7fffff);
    expect(f32('0x1.ffffffp127')).toBe(0x7f800000); // rounds up past the largest: infinity
    expect(f32('0x1.000001p0')).toBe(0x3f800000); // tie, to even
    expect(f32('0x1.000003p0')).toBe(0x3f800002); // tie, to even (up)
    expect(f32('0x1.0000010000000001p0')).toBe(0x3f800001); // just above the tie
    expect(f32('0x1.')).toBe(0x3f800000);
    expect(() => f32('0x.8')).toThrow(RangeError); // the text format wants a digit first
    expect(f32('0x1P+2')).toBe(0x40800000);
    expect(f32('0x1.cp+2')).toBe(f32Of(7));
    expect(f64('0x1.0000_0000_0000_1p+60')).toBe(0x43b0000000000001n);
    expect(f64('0x0.0000_0000_0000_1p-1022')).toBe(1n);
    expect(f64('-0x1.ffff_ffff_ffff_fp+1023')).toBe(0xffefffffffffffffn);
  });

  it('reads decimal floats as correctly rounded, like the host for f64 and f32', () => {
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const text = `${(random() * 10 ** Math.floor(random() * 12)).toFixed(Math.floor(random() * 10))}e${Math.floor(random() * 80) - 40}`;
      expect(f64(text)).toBe(f64Of(Number(text)));
    }
    expect(f32('666.6')).toBe(f32Of(666.6));
    expect(f32('1e-45')).toBe(1);
    expect(f32('3.4028235e38')).toBe(0x7f7fffff);
    expect(f32('1e39')).toBe(0x7f800000);
    expect(f64('1_000.000_1')).toBe(f64Of(1000.0001));
    expect(f64('5e-324')).toBe(1n);
    expect(f64('1.')).toBe(f64Of(1));
  });

  it('rounds f32 from the exact value, not through f64', () => {
    // 1 + 2^-24 + 2^-60 is just above an f32 tie; as an f64 it would round to the tie
    // itself, and a second rounding (ties to even) would give 1.
    expect(f32('0x1.00000100000001p0')).toBe(0x3f800001);
    expect(f32('1.000000059604644775390625000001')).toBe(0x3f800001);
  });
});

describe('vector bytes', () => {
  it('lays lanes out little-endian', () => {
    expect([...vecBytes('i16x8', [0x0102n, 0, 0, 0, 0, 0, 0, 0xffffn].map(BigInt))]).toEqual([
      2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
    ]);
  });
});
