// GC families: globals holding structs, arrays and nested object graphs, element
// segments that place struct references in tables, and allocation pressure that makes
// the collector run during constant evaluation. Assembled by watr (assemble.ts).
import { f32Text, f64Bits, f64Text, int32, int64, lines, STREAM, v128Text, word } from './wat-text.ts';

function gcModule(body: readonly string[], count: number, types: readonly string[]): string {
  return [
    '(module',
    ...types,
    ...body,
    `  (export "first" (global $g0))`,
    `  (export "last" (global $g${count - 1}))`,
    ')',
    '',
  ].join('\n');
}

/** A finite f32 (NaN payloads stay in the numeric families). */
function finiteF32(stream: number, index: number): string {
  return f32Text((word(stream, index) & 0x3fffffff) | ((word(stream, index + 1) & 1) << 31));
}

function finiteF64(stream: number, index: number): string {
  return f64Text(f64Bits(stream, index) & 0xbfffffffffffffffn);
}

/**
 * Struct globals: a supertype and its subtype (held by a global of the supertype), all
 * numeric field types, packed and v128 fields, a default struct, and a struct holding a
 * typed function reference.
 */
export function gcStructGlobals(n: number): string {
  const s = STREAM.gcStruct;
  const i = (k: number, j: number): string => `(i32.const ${int32(s, 8 * k + j)})`;
  const types = [
    '  (type $point (sub (struct (field $x i32) (field $y i32))))',
    '  (type $point3 (sub final $point (struct (field $x i32) (field $y i32) (field $z i32))))',
    '  (type $sample (struct (field i32) (field i64) (field f32) (field f64) (field (mut i32))))',
    '  (type $packed (struct (field (mut i8)) (field i16) (field v128)))',
    '  (type $ret (func (result i32)))',
    '  (type $callback (struct (field (ref $ret)) (field externref)))',
    '  (func $answer (type $ret) (i32.const 42))',
  ];
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    let global: string;
    switch (k % 6) {
      case 0:
        global = `(ref $point) (struct.new $point ${i(k, 0)} ${i(k, 1)})`;
        break;
      case 1:
        global = `(ref $point) (struct.new $point3 ${i(k, 0)} ${i(k, 1)} ${i(k, 2)})`;
        break;
      case 2:
        global =
          `(ref null $sample) (struct.new $sample ${i(k, 0)} (i64.const ${int64(s, k)}) ` +
          `(f32.const ${finiteF32(s, k)}) (f64.const ${finiteF64(s, k)}) ${i(k, 1)})`;
        break;
      case 3:
        global = 'structref (struct.new_default $sample)';
        break;
      case 4:
        global = `(ref $packed) (struct.new $packed ${i(k, 0)} ${i(k, 1)} (v128.const ${v128Text(s, k)}))`;
        break;
      default:
        global = 'eqref (struct.new $callback (ref.func $answer) (ref.null extern))';
    }
    body.push(`  (global $g${k} ${global})`);
  }
  return gcModule(body, n, types);
}

/** Array globals built by `array.new_fixed` (one to eight elements), with a few `array.new` and `array.new_default`. */
export function gcArrayGlobals(n: number): string {
  const s = STREAM.gcArray;
  const types = [
    '  (type $ints (array i32))',
    '  (type $bytes (array (mut i8)))',
    '  (type $doubles (array f64))',
    '  (type $longs (array (mut i64)))',
  ];
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    const length = 1 + (word(s, k) % 8);
    const each = (make: (j: number) => string): string => Array.from({ length }, (_, j) => make(8 * k + j)).join(' ');
    let global: string;
    if (k % 10 === 9) global = `(ref $ints) (array.new $ints (i32.const ${int32(s, k)}) (i32.const ${length}))`;
    else if (k % 10 === 8) global = `(ref $longs) (array.new_default $longs (i32.const ${length}))`;
    else {
      switch (k % 4) {
        case 0:
          global = `(ref $ints) (array.new_fixed $ints ${length} ${each((j) => `(i32.const ${int32(s, j)})`)})`;
          break;
        case 1:
          global = `(ref $bytes) (array.new_fixed $bytes ${length} ${each((j) => `(i32.const ${word(s, j) & 0xff})`)})`;
          break;
        case 2:
          global = `arrayref (array.new_fixed $doubles ${length} ${each((j) => `(f64.const ${finiteF64(s, j)})`)})`;
          break;
        default:
          global = `(ref null $longs) (array.new_fixed $longs ${length} ${each((j) => `(i64.const ${int64(s, j)})`)})`;
      }
    }
    body.push(`  (global $g${k} ${global})`);
  }
  return gcModule(body, n, types);
}

/**
 * Nested object graphs: a recursive rec group (trees with leaves holding arrays of eq
 * references: i31s, earlier globals, nulls) and two separately declared but
 * iso-recursively equal list types, whose values must canonicalize to one type.
 */
export function gcNested(n: number): string {
  const s = STREAM.gcNested;
  const types = [
    '  (type $link (sub (struct (field i32) (field (ref null $link)))))',
    '  (rec',
    '    (type $tree (struct (field $left (ref null $tree)) (field $right (ref null $tree)) (field $leaf (ref null $leaf))))',
    '    (type $leaf (struct (field $weight i64) (field $items (ref $items))))',
    '    (type $items (array (ref null eq))))',
    '  (type $link2 (sub (struct (field i32) (field (ref null $link2)))))',
  ];
  const i31 = (k: number, j: number): string => `(ref.i31 (i32.const ${int32(s, 4 * k + j)}))`;
  const leaf = (k: number, items: string): string => `(struct.new $leaf (i64.const ${int64(s, k)}) ${items})`;
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    let global: string;
    switch (k % 4) {
      case 0:
        global = `(ref $link) (struct.new $link (i32.const ${int32(s, k)}) (ref.null none))`;
        break;
      case 1:
        // $link2 is $link under another name: the field accepts the earlier $link global.
        global = `(ref $link2) (struct.new $link2 (i32.const ${int32(s, k)}) (global.get $g${k - 1}))`;
        break;
      case 2: {
        const items = `(array.new_fixed $items 3 ${i31(k, 0)} (global.get $g${k - 2}) (ref.null none))`;
        const inner = `(struct.new $tree (ref.null none) (ref.null none) ${leaf(k, items)})`;
        global = `(ref $tree) (struct.new $tree ${inner} (ref.null none) ${leaf(k + n, '(array.new_fixed $items 0)')})`;
        break;
      }
      default:
        global = `anyref (array.new_fixed $items 3 (global.get $g${k - 1}) ${i31(k, 1)} (global.get $g${k - 3}))`;
    }
    body.push(`  (global $g${k} ${global})`);
  }
  return gcModule(body, n, types);
}

/** Struct references placed in tables by element expressions, with i31 and array items in an eqref table. */
export function gcElem(n: number): string {
  const s = STREAM.gcElem;
  const cells = Array.from({ length: n }, (_, k) => `(item (struct.new $cell (i32.const ${int32(s, k)}) (ref.func $f${k % 4})))`);
  const mixed = Array.from({ length: n }, (_, k) => {
    switch (k % 3) {
      case 0:
        return `(item (ref.i31 (i32.const ${int32(s, n + k)})))`;
      case 1:
        return `(item (array.new_fixed $pair 2 (i32.const ${int32(s, 2 * n + k)}) (i32.const ${k})))`;
      default:
        return '(item (ref.null eq))';
    }
  });
  return [
    '(module',
    '  (type $ret (func (result i32)))',
    '  (type $cell (struct (field i32) (field (ref null $ret))))',
    '  (type $pair (array i32))',
    ...[0, 1, 2, 3].map((j) => `  (func $f${j} (type $ret) (i32.const ${j}))`),
    `  (table $cells (export "cells") ${n} (ref null $cell))`,
    `  (table $mixed (export "mixed") ${n} eqref)`,
    '  (elem (table $cells) (i32.const 0) (ref null $cell)',
    lines(cells, 2, '    '),
    '  )',
    '  (elem (table $mixed) (i32.const 0) eqref',
    lines(mixed, 2, '    '),
    '  )',
    `  (elem declare (ref $cell) (item (struct.new $cell (i32.const ${n}) (ref.null $ret))))`,
    ')',
    '',
  ].join('\n');
}

/** Elements of each chunk array `gcPressure` allocates: 1 KiB of i32 payload. */
const CHUNK_LENGTH = 256;
const LIVE_TABLE_SIZE = 4;

/**
 * GC heap the `gc-pressure` family runs with: room for what stays live (four chunks in
 * the table, N small list nodes) with a wide margin, and far less than the 2N chunks the
 * element segments allocate. A strategy whose rooted operands release their counts only
 * at the next collection (val and those built on it) must therefore collect during
 * element evaluation; raw, whose references are freed as soon as their counts drop,
 * fits without one.
 */
export function gcPressureHeapBytes(n: number): number {
  return 8 * 1024 + 64 * n;
}

/**
 * Allocation pressure: N short lists held by globals stay live; N active segments each
 * allocate a 1 KiB chunk into one of four table slots (overwriting the last one there)
 * and N declarative segments allocate chunks that nothing keeps.
 */
export function gcPressure(n: number): string {
  const s = STREAM.gcPressure;
  const chunk = (k: number): string => `(array.new $chunk (i32.const ${int32(s, k)}) (i32.const ${CHUNK_LENGTH}))`;
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    const next = k % 4 === 0 ? '(ref.null none)' : `(global.get $g${k - 1})`;
    body.push(`  (global $g${k} (ref $node) (struct.new $node (i32.const ${int32(s, n + k)}) ${next}))`);
  }
  const segments: string[] = [];
  for (let k = 0; k < n; k++) {
    segments.push(`  (elem (table $live) (i32.const ${k % LIVE_TABLE_SIZE}) (ref null $chunk) (item ${chunk(k)}))`);
    segments.push(`  (elem declare (ref $chunk) (item ${chunk(n + k)}))`);
  }
  return gcModule([...body, ...segments], n, [
    '  (type $node (struct (field i32) (field (ref null $node))))',
    '  (type $chunk (array (mut i32)))',
    `  (table $live (export "live") ${LIVE_TABLE_SIZE} (ref null $chunk))`,
  ]);
}
