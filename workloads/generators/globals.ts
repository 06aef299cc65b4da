// Global-initializer families: N globals whose initializers are single constants, all
// numeric types, extended-const arithmetic, reads of earlier globals, and reads of
// imported globals. Each module exports its first and last global, so `inspect` shows a
// value; the V8 comparison observes every global anyway (runtime/observable-copy.ts).
import type { ImportsJson } from '../imports.ts';
import { f32Text, f64Bits, f64Text, int32, int64, STREAM, v128Text, word } from './wat-text.ts';

function globalsModule(body: readonly string[], count: number, extra: readonly string[] = []): string {
  return [
    '(module',
    ...extra,
    ...body,
    `  (export "first" (global $g0))`,
    `  (export "last" (global $g${count - 1}))`,
    ')',
    '',
  ].join('\n');
}

/** `i32.const` initializers; every fourth global mutable. */
export function globalsI32(n: number): string {
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    const type = k % 4 === 3 ? '(mut i32)' : 'i32';
    body.push(`  (global $g${k} ${type} (i32.const ${int32(STREAM.globalsI32, k)}))`);
  }
  return globalsModule(body, n);
}

/** i32, i64, f32, f64 and v128 in turn, with arbitrary bit patterns (NaN payloads, -0, subnormals). */
export function globalsMixed(n: number): string {
  const s = STREAM.globalsMixed;
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    const mutable = k % 3 === 2;
    const typed = (type: string): string => (mutable ? `(mut ${type})` : type);
    let global: string;
    switch (k % 5) {
      case 0:
        global = `${typed('i32')} (i32.const ${int32(s, k)})`;
        break;
      case 1:
        global = `${typed('i64')} (i64.const ${int64(s, k)})`;
        break;
      case 2:
        global = `${typed('f32')} (f32.const ${f32Text(word(s, k))})`;
        break;
      case 3:
        global = `${typed('f64')} (f64.const ${f64Text(f64Bits(s, k))})`;
        break;
      default:
        global = `${typed('v128')} (v128.const ${v128Text(s, k)})`;
    }
    body.push(`  (global $g${k} ${global})`);
  }
  return globalsModule(body, n);
}

/**
 * Extended-const initializers: mostly `(i64.add (i64.const a) (i64.const b))`, with
 * longer i64 expressions and i32 ones mixed in; the constants overflow on purpose.
 */
export function globalsExtconst(n: number): string {
  const s = STREAM.globalsExtconst;
  const i64 = (k: number, j: number): string => `(i64.const ${int64(s, 4 * k + j)})`;
  const i32 = (k: number, j: number): string => `(i32.const ${int32(s, 4 * k + j)})`;
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    if (k % 16 === 15) {
      body.push(`  (global $g${k} i64 (i64.add (i64.mul ${i64(k, 0)} ${i64(k, 1)}) (i64.sub ${i64(k, 2)} ${i64(k, 3)})))`);
    } else if (k % 8 === 7) {
      body.push(`  (global $g${k} i32 (i32.sub (i32.mul ${i32(k, 0)} ${i32(k, 1)}) ${i32(k, 2)}))`);
    } else {
      body.push(`  (global $g${k} i64 (i64.add ${i64(k, 0)} ${i64(k, 1)}))`);
    }
  }
  return globalsModule(body, n);
}

/** Each global reads earlier ones: the previous global and the one at half its index. */
export function globalsChain(n: number): string {
  const s = STREAM.globalsChain;
  const body = [`  (global $g0 i64 (i64.const ${int64(s, 0)}))`];
  for (let k = 1; k < n; k++) {
    const init =
      k % 3 === 0
        ? `(i64.sub (global.get $g${k - 1}) (i64.const ${int64(s, k)}))`
        : `(i64.add (global.get $g${k - 1}) (global.get $g${k >> 1}))`;
    body.push(`  (global $g${k} i64 ${init})`);
  }
  return globalsModule(body, n);
}

const IMPORTED_DATA_BASE = 1024;
const IMPORTED_TABLE_BASE = 2;

/**
 * N imported globals (i32 and i64 in turn), each read by a defined global's
 * initializer; two more imported globals place a data and an element segment, the way
 * a dynamically linked module is given its memory and table bases.
 */
export function importsGlobals(n: number): string {
  const s = STREAM.importsGlobals;
  const imports: string[] = [];
  const body: string[] = [];
  for (let k = 0; k < n; k++) {
    const type = k % 2 === 0 ? 'i32' : 'i64';
    imports.push(`  (import "env" "g${k}" (global $i${k} ${type}))`);
    const init =
      type === 'i32'
        ? `(i32.add (global.get $i${k}) (i32.const ${int32(s, k)}))`
        : `(i64.mul (global.get $i${k}) (i64.const ${int64(s, k)}))`;
    body.push(`  (global $g${k} ${type} ${init})`);
  }
  return globalsModule(body, n, [
    ...imports,
    '  (import "env" "data_base" (global $data_base i32))',
    '  (import "env" "table_base" (global $table_base i32))',
    '  (memory (export "memory") 1)',
    '  (table (export "table") 8 funcref)',
    '  (func $placed (result i32) (i32.const 7))',
    '  (data (global.get $data_base) "placed by an imported offset")',
    '  (elem (global.get $table_base) func $placed $placed)',
  ]);
}

/** The values given to `importsGlobals(n)`, in the imports-file format. */
export function importsGlobalsValues(n: number): ImportsJson {
  const env: Record<string, Record<string, unknown>> = {
    data_base: { kind: 'global', value: IMPORTED_DATA_BASE },
    table_base: { kind: 'global', value: IMPORTED_TABLE_BASE },
  };
  for (let k = 0; k < n; k++) {
    const value = k % 2 === 0 ? int32(STREAM.importsGlobals + 100, k) : String(int64(STREAM.importsGlobals + 100, k));
    env[`g${k}`] = { kind: 'global', value };
  }
  return { env };
}
