// Table families: element segments in index and expression form, many small segments of
// every mode, and tables filled by initializer expressions. Tables are exported.
import { lines, STREAM, word } from './wat-text.ts';

/** How many distinct functions the element families reference (tables hold N entries). */
const MAX_FUNCS = 100;

function functions(count: number): string[] {
  const out = ['  (type $ret (func (result i32)))'];
  for (let j = 0; j < count; j++) out.push(`  (func $f${j} (type $ret) (i32.const ${j}))`);
  return out;
}

/** One active segment in index form: N entries over min(N, 100) functions. */
export function elemFuncref(n: number): string {
  const funcs = Math.min(n, MAX_FUNCS);
  const items = Array.from({ length: n }, (_, k) => `$f${word(STREAM.elemFuncref, k) % funcs}`);
  return [
    '(module',
    ...functions(funcs),
    `  (table $t (export "table") ${n} funcref)`,
    '  (elem (table $t) (i32.const 0) func',
    lines(items, 16, '    '),
    '  )',
    ')',
    '',
  ].join('\n');
}

/** One active segment in expression form: `ref.func` items, every tenth `ref.null`. */
export function elemExpr(n: number): string {
  const funcs = Math.min(n, MAX_FUNCS);
  const items = Array.from({ length: n }, (_, k) =>
    k % 10 === 9 ? '(ref.null func)' : `(ref.func $f${word(STREAM.elemExpr, k) % funcs})`,
  );
  return [
    '(module',
    ...functions(funcs),
    `  (table $t (export "table") ${n} funcref)`,
    '  (elem (table $t) (i32.const 0) funcref',
    lines(items, 8, '    '),
    '  )',
    ')',
    '',
  ].join('\n');
}

/**
 * N segments of four items, cycling through the modes and forms: active in index form,
 * active in expression form, active into a second table, passive, declarative.
 */
export function elemManySegments(n: number): string {
  const funcs = Math.min(n, MAX_FUNCS);
  const func = (k: number, j: number): string => `$f${word(STREAM.elemManySegments, 4 * k + j) % funcs}`;
  const segments: string[] = [];
  for (let k = 0; k < n; k++) {
    const names = [0, 1, 2, 3].map((j) => func(k, j));
    const offset = `(i32.const ${4 * k})`;
    switch (k % 5) {
      case 0:
        segments.push(`  (elem (table $a) ${offset} func ${names.join(' ')})`);
        break;
      case 1:
        segments.push(`  (elem (table $a) ${offset} funcref (ref.func ${names[0]}) (ref.null func) (ref.func ${names[2]}) (ref.func ${names[3]}))`);
        break;
      case 2:
        segments.push(`  (elem (table $b) ${offset} func ${names.join(' ')})`);
        break;
      case 3:
        segments.push(`  (elem func ${names.join(' ')})`);
        break;
      default:
        segments.push(`  (elem declare funcref ${names.map((name) => `(ref.func ${name})`).join(' ')})`);
    }
  }
  return [
    '(module',
    ...functions(funcs),
    `  (table $a (export "a") ${4 * n} funcref)`,
    `  (table $b (export "b") ${4 * n} funcref)`,
    ...segments,
    ')',
    '',
  ].join('\n');
}

/**
 * Four tables of N entries in all, each filled by its initializer expression: a
 * funcref, a non-nullable typed function reference, a host value read from an imported
 * global (a table initializer sees only imported globals), and a 64-bit-indexed table.
 */
export function tableInitExpr(n: number): string {
  const sizes = [0, 1, 2, 3].map((t) => Math.floor(n / 4) + (t < n % 4 ? 1 : 0));
  return [
    '(module',
    '  (import "env" "host" (global $host externref))',
    ...functions(8),
    `  (table $plain (export "plain") ${sizes[0]} funcref (ref.func $f1))`,
    `  (table $typed (export "typed") ${sizes[1]} (ref $ret) (ref.func $f2))`,
    `  (table $hosted (export "hosted") ${sizes[2]} externref (global.get $host))`,
    `  (table $wide (export "wide") i64 ${sizes[3]} (ref null $ret) (ref.func $f3))`,
    ')',
    '',
  ].join('\n');
}

/** The host value `tableInitExpr` imports. */
export const TABLE_INIT_EXPR_IMPORTS = { env: { host: { kind: 'global', value: { extern: 'host value' } } } };
