// Spec test scripts in the binary script format (../shared/spec/README.md): an
// S-expression reader, then a parser of its commands into typed commands that keep the
// line they start on. Module binaries are string literals, so strings are decoded to
// bytes; names are those bytes read as UTF-8.
import { concatBytes } from '../../runtime/binary/wasm-bytes.ts';

export type SExpr =
  | { readonly kind: 'atom'; readonly text: string; readonly line: number }
  | { readonly kind: 'string'; readonly bytes: Uint8Array; readonly line: number }
  | { readonly kind: 'list'; readonly items: readonly SExpr[]; readonly line: number };

/** A script that does not read or parse; the message starts with `file:line:` (or `file:`). */
export class SpecScriptError extends Error {
  override name = 'SpecScriptError';
  readonly file: string;
  readonly line?: number;

  constructor(file: string, line: number | undefined, message: string) {
    super(`${file}:${line === undefined ? '' : `${line}:`} ${message}`);
    this.file = file;
    this.line = line;
  }
}

const utf8 = new TextEncoder();

/** Reads every top-level S-expression of `text`. */
export function readSExprs(text: string, file: string): SExpr[] {
  let pos = 0;
  let line = 1;
  const fail = (message: string, at = line): never => {
    throw new SpecScriptError(file, at, message);
  };

  // Skips whitespace and both comment forms; block comments nest, as in the text format.
  const skipBlank = (): void => {
    while (pos < text.length) {
      const c = text[pos];
      if (c === '\n') {
        line++;
        pos++;
      } else if (c === ' ' || c === '\t' || c === '\r') {
        pos++;
      } else if (c === ';' && text[pos + 1] === ';') {
        while (pos < text.length && text[pos] !== '\n') pos++;
      } else if (c === '(' && text[pos + 1] === ';') {
        const start = line;
        let depth = 0;
        do {
          if (pos >= text.length) fail('unterminated block comment', start);
          if (text.startsWith('(;', pos)) {
            depth++;
            pos += 2;
          } else if (text.startsWith(';)', pos)) {
            depth--;
            pos += 2;
          } else {
            if (text[pos] === '\n') line++;
            pos++;
          }
        } while (depth > 0);
      } else {
        return;
      }
    }
  };

  const readString = (): SExpr => {
    const start = line;
    const bytes: number[] = [];
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text[pos];
      if (c === '"') {
        pos++;
        return { kind: 'string', bytes: Uint8Array.from(bytes), line: start };
      }
      if (c === '\\') {
        pos++;
        bytes.push(...readEscape());
        continue;
      }
      const code = text.codePointAt(pos)!;
      if (code < 0x20 || code === 0x7f) fail(`control character U+${hex(code, 4)} in string`);
      bytes.push(...utf8.encode(String.fromCodePoint(code)));
      pos += code > 0xffff ? 2 : 1;
    }
  };

  const readEscape = (): Iterable<number> => {
    const c = text[pos++];
    switch (c) {
      case 'n':
        return [0x0a];
      case 't':
        return [0x09];
      case 'r':
        return [0x0d];
      case '"':
      case "'":
      case '\\':
        return [c.charCodeAt(0)];
      case 'u': {
        const match = /^\{([0-9a-fA-F](?:_?[0-9a-fA-F])*)\}/.exec(text.slice(pos, pos + 16));
        if (match === null) return fail('malformed \\u{…} escape');
        const code = parseInt(match[1].replaceAll('_', ''), 16);
        if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) {
          return fail(`\\u{${match[1]}} is not a Unicode scalar value`);
        }
        pos += match[0].length;
        return utf8.encode(String.fromCodePoint(code));
      }
      default: {
        const pair = (c ?? '') + (text[pos] ?? '');
        if (!/^[0-9a-fA-F]{2}$/.test(pair)) return fail(`unknown escape \\${pair}`);
        pos++;
        return [parseInt(pair, 16)];
      }
    }
  };

  const readAtom = (): SExpr => {
    const start = pos;
    while (pos < text.length && !/[\s()";]/.test(text[pos])) pos++;
    return { kind: 'atom', text: text.slice(start, pos), line };
  };

  // Lists nest without recursion, on a stack of the open ones: a script of 200,000 `(`
  // must be an error about the script, not a stack overflow.
  const readItem = (): SExpr => {
    const open: { items: SExpr[]; line: number }[] = [];
    for (;;) {
      if (open.length > 0) {
        skipBlank();
        if (pos >= text.length) fail('unclosed parenthesis', open[open.length - 1].line);
      }
      const c = text[pos];
      let item: SExpr;
      if (c === '(') {
        open.push({ items: [], line });
        pos++;
        continue;
      } else if (c === ')') {
        const list = open.pop() ?? fail('unexpected )');
        pos++;
        item = { kind: 'list', items: list.items, line: list.line };
      } else if (c === '"') {
        item = readString();
      } else if (c === ';') {
        return fail('unexpected ;');
      } else {
        item = readAtom();
      }
      if (open.length === 0) return item;
      open[open.length - 1].items.push(item);
    }
  };

  const result: SExpr[] = [];
  for (;;) {
    skipBlank();
    if (pos >= text.length) return result;
    result.push(readItem());
  }
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

// ---- Values --------------------------------------------------------------------------

/** A value given to an action (an invoke argument) or expected exactly. */
export type Literal =
  | { readonly type: 'i32'; readonly value: number }
  | { readonly type: 'i64'; readonly value: bigint }
  /** Floats as bit patterns, so NaN payloads and signed zeros are exact. */
  | { readonly type: 'f32'; readonly bits: number }
  | { readonly type: 'f64'; readonly bits: bigint }
  /** The 16 bytes in memory order. */
  | { readonly type: 'v128'; readonly bytes: Uint8Array }
  | { readonly type: 'ref.null'; readonly heap: string }
  /** A host reference in the any hierarchy (`ref.host`) or the extern one (`ref.extern`). */
  | { readonly type: 'ref.host' | 'ref.extern'; readonly value: number };

export type NanPattern = 'nan:canonical' | 'nan:arithmetic';
export type VecShape = 'i8x16' | 'i16x8' | 'i32x4' | 'i64x2' | 'f32x4' | 'f64x2';

/** What `assert_return` accepts for one result. */
export type ResultPattern =
  | Exclude<Literal, { type: 'v128' }>
  | { readonly type: 'f32' | 'f64'; readonly nan: NanPattern }
  /** Lanes as unsigned bit patterns; float lanes may be NaN patterns. */
  | { readonly type: 'v128'; readonly shape: VecShape; readonly lanes: readonly (bigint | NanPattern)[] }
  /** `(ref.null)`: a null of any hierarchy. */
  | { readonly type: 'ref.null'; readonly heap?: undefined }
  /** `(ref)`, `(ref.eq)`, `(ref.func)`…: any non-null reference of that heap type. */
  | { readonly type: 'ref'; readonly heap: RefPatternHeap }
  | { readonly type: 'either'; readonly options: readonly ResultPattern[] };

export type RefPatternHeap = 'any' | 'eq' | 'i31' | 'struct' | 'array' | 'func' | 'exn' | 'extern';

const REF_PATTERNS: Record<string, RefPatternHeap> = {
  ref: 'any',
  'ref.eq': 'eq',
  'ref.i31': 'i31',
  'ref.struct': 'struct',
  'ref.array': 'array',
  'ref.func': 'func',
  'ref.exn': 'exn',
  'ref.extern': 'extern',
};

const SHAPES: Record<VecShape, { readonly lanes: number; readonly bits: 8 | 16 | 32 | 64; readonly float: boolean }> = {
  i8x16: { lanes: 16, bits: 8, float: false },
  i16x8: { lanes: 8, bits: 16, float: false },
  i32x4: { lanes: 4, bits: 32, float: false },
  i64x2: { lanes: 2, bits: 64, float: false },
  f32x4: { lanes: 4, bits: 32, float: true },
  f64x2: { lanes: 2, bits: 64, float: true },
};

export function vecShape(shape: VecShape): { readonly lanes: number; readonly bits: 8 | 16 | 32 | 64; readonly float: boolean } {
  return SHAPES[shape];
}

/**
 * An integer literal of `bits` bits as an unsigned bit pattern: decimal or `0x` hex,
 * `_` between digits, an optional sign; anything outside -2^(bits-1) .. 2^bits-1 is
 * out of range, as in the text format.
 */
export function parseIntBits(text: string, bits: number): bigint {
  const match = /^([+-]?)(0x[0-9a-fA-F](?:_?[0-9a-fA-F])*|[0-9](?:_?[0-9])*)$/.exec(text);
  if (match === null) throw new RangeError(`malformed integer ${text}`);
  const magnitude = BigInt(match[2].replaceAll('_', ''));
  const limit = match[1] === '-' ? 1n << BigInt(bits - 1) : (1n << BigInt(bits)) - 1n;
  if (magnitude > limit) throw new RangeError(`constant ${text} out of range for ${bits} bits`);
  return BigInt.asUintN(bits, match[1] === '-' ? -magnitude : magnitude);
}

interface FloatFormat {
  readonly mantissaBits: number;
  readonly exponentBits: number;
}

const F32: FloatFormat = { mantissaBits: 23, exponentBits: 8 };
const F64: FloatFormat = { mantissaBits: 52, exponentBits: 11 };

/**
 * A float literal's bit pattern: decimal or hex (`0x1.8p+3`) with `_` between digits,
 * `inf`, `nan` and `nan:0x…`, each with an optional sign. The value is rounded to
 * nearest-even exactly (from a rational, not through a double: an f32 literal must not
 * be rounded twice).
 */
export function parseFloatBits(text: string, format: 'f32' | 'f64'): bigint {
  const { mantissaBits, exponentBits } = format === 'f32' ? F32 : F64;
  const negative = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  const sign = negative ? 1n << BigInt(mantissaBits + exponentBits) : 0n;
  const expAll = ((1n << BigInt(exponentBits)) - 1n) << BigInt(mantissaBits);
  if (body === 'inf') return sign | expAll;
  if (body === 'nan') return sign | expAll | (1n << BigInt(mantissaBits - 1));
  if (body.startsWith('nan:0x')) {
    const payload = parseIntBits(body.slice(4), 64);
    if (payload === 0n || payload >= 1n << BigInt(mantissaBits)) {
      throw new RangeError(`NaN payload of ${text} out of range`);
    }
    return sign | expAll | payload;
  }
  const [num, den] = parseRational(body, text);
  return sign | roundToFloat(num, den, mantissaBits, exponentBits);
}

const HEX = '[0-9a-fA-F](?:_?[0-9a-fA-F])*';
const DEC = '[0-9](?:_?[0-9])*';
const HEX_FLOAT = new RegExp(`^0x(${HEX})(?:\\.(${HEX})?)?(?:[pP]([+-]?${DEC}))?$`);
const DEC_FLOAT = new RegExp(`^(${DEC})(?:\\.(${DEC})?)?(?:[eE]([+-]?${DEC}))?$`);

/** A float literal's magnitude as numerator and denominator. */
function parseRational(body: string, text: string): [bigint, bigint] {
  const hexMatch = HEX_FLOAT.exec(body);
  const decMatch = hexMatch === null ? DEC_FLOAT.exec(body) : null;
  const match = hexMatch ?? decMatch;
  if (match === null) throw new RangeError(`malformed float ${text}`);
  const digits = (s: string | undefined): string => (s ?? '').replaceAll('_', '');
  const whole = digits(match[1]);
  const fraction = digits(match[2]);
  const exponent = BigInt(digits(match[3]) || '0');
  const radix = hexMatch !== null ? 16n : 10n;
  let num = BigInt(`${hexMatch !== null ? '0x' : ''}${whole}${fraction}`);
  let den = radix ** BigInt(fraction.length);
  // A hex exponent is a power of two, a decimal one a power of ten.
  const scale = hexMatch !== null ? 2n : 10n;
  if (exponent >= 0n) num *= scale ** exponent;
  else den *= scale ** -exponent;
  return [num, den];
}

/** Rounds num/den (non-negative) to nearest-even in the format; overflow gives infinity. */
function roundToFloat(num: bigint, den: bigint, mantissaBits: number, exponentBits: number): bigint {
  if (num === 0n) return 0n;
  const bias = (1 << (exponentBits - 1)) - 1;
  const minExponent = 1 - bias;
  // e = floor(log2(num/den)), from the bit lengths and one correction.
  let e = num.toString(2).length - den.toString(2).length;
  if (e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den) e--;
  if (e < minExponent) e = minExponent;
  // q = num/den * 2^(mantissaBits - e), rounded to nearest, ties to even.
  const shift = mantissaBits - e;
  const scaledNum = shift >= 0 ? num << BigInt(shift) : num;
  const scaledDen = shift >= 0 ? den : den << BigInt(-shift);
  let q = scaledNum / scaledDen;
  const twice = (scaledNum - q * scaledDen) * 2n;
  if (twice > scaledDen || (twice === scaledDen && (q & 1n) === 1n)) q++;
  if (q === 1n << BigInt(mantissaBits + 1)) {
    q >>= 1n;
    e++;
  }
  if (e > bias) return ((1n << BigInt(exponentBits)) - 1n) << BigInt(mantissaBits);
  const implicit = 1n << BigInt(mantissaBits);
  // Below the implicit bit the number is subnormal: biased exponent 0.
  if (q < implicit) return q;
  return (BigInt(e + bias) << BigInt(mantissaBits)) | (q - implicit);
}

// ---- Commands ------------------------------------------------------------------------

/** A module's source: a binary, or text (`module quote`) that needs a text assembler. */
export type ModuleSource =
  | { readonly form: 'binary'; readonly bytes: Uint8Array }
  | { readonly form: 'quote'; readonly text: string };

/**
 * `(module definition [$M] binary …)` defines a module; without `definition` the module
 * is also instantiated, as an instance named like the module.
 */
export interface ModuleCommand {
  readonly kind: 'module';
  readonly line: number;
  readonly definition: boolean;
  readonly name?: string;
  readonly source: ModuleSource;
}

/** `(module instance [$I] [$M])`: instantiates the named (else the latest) module. */
export interface InstanceCommand {
  readonly kind: 'instance';
  readonly line: number;
  readonly instance?: string;
  readonly module?: string;
}

export interface RegisterCommand {
  readonly kind: 'register';
  readonly line: number;
  readonly as: string;
  readonly instance?: string;
}

export type Action =
  | { readonly kind: 'invoke'; readonly line: number; readonly instance?: string; readonly name: string; readonly args: readonly Literal[] }
  | { readonly kind: 'get'; readonly line: number; readonly instance?: string; readonly name: string };

export interface ActionCommand {
  readonly kind: 'action';
  readonly line: number;
  readonly action: Action;
}

export interface AssertReturn {
  readonly kind: 'assert_return';
  readonly line: number;
  readonly action: Action;
  readonly results: readonly ResultPattern[];
}

/** `assert_trap`, `assert_exhaustion` and `assert_exception` on an action. */
export interface AssertActionFailure {
  readonly kind: 'assert_trap' | 'assert_exhaustion' | 'assert_exception';
  readonly line: number;
  readonly action: Action;
  readonly message?: string;
}

/** `assert_malformed` / `assert_invalid`: the module must not decode / validate. */
export interface AssertModule {
  readonly kind: 'assert_malformed' | 'assert_invalid';
  readonly line: number;
  readonly module: ModuleCommand;
  readonly message: string;
}

/**
 * `assert_unlinkable`, and `assert_trap` on a module, which the reference interpreter
 * calls `assert_uninstantiable`. The target is an instance command, or (sugar) a module
 * command that defines a module and instantiates it.
 */
export interface AssertInstance {
  readonly kind: 'assert_unlinkable' | 'assert_uninstantiable';
  readonly line: number;
  readonly target: InstanceCommand | ModuleCommand;
  readonly message: string;
}

export type Command =
  | ModuleCommand
  | InstanceCommand
  | RegisterCommand
  | ActionCommand
  | AssertReturn
  | AssertActionFailure
  | AssertModule
  | AssertInstance;

/** Parses a whole script; throws `SpecScriptError` with file:line on anything unexpected. */
export function parseScript(text: string, file: string): Command[] {
  const parser = new Parser(file);
  return readSExprs(text, file).map((sexpr) => parser.command(sexpr));
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

class Parser {
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  command(sexpr: SExpr): Command {
    const [head, ...rest] = this.list(sexpr, 'a command');
    const line = sexpr.line;
    switch (head) {
      case 'module':
        return this.moduleOrInstance(sexpr);
      case 'register': {
        const as = this.text(this.at(sexpr, rest, 0, 'a name'));
        const instance = this.optionalVar(rest, 1);
        this.end(rest, instance === undefined ? 1 : 2);
        return { kind: 'register', line, as, instance };
      }
      case 'invoke':
      case 'get':
        return { kind: 'action', line, action: this.action(sexpr) };
      case 'assert_return': {
        const action = this.action(this.at(sexpr, rest, 0, 'an action'));
        return { kind: 'assert_return', line, action, results: rest.slice(1).map((r) => this.result(r)) };
      }
      case 'assert_trap': {
        const target = this.at(sexpr, rest, 0, 'an action or module');
        const message = this.text(this.at(sexpr, rest, 1, 'a message'));
        this.end(rest, 2);
        if (this.headOf(target) === 'module') {
          return { kind: 'assert_uninstantiable', line, target: this.instanceTarget(target), message };
        }
        return { kind: 'assert_trap', line, action: this.action(target), message };
      }
      case 'assert_exhaustion': {
        const action = this.action(this.at(sexpr, rest, 0, 'an action'));
        const message = this.text(this.at(sexpr, rest, 1, 'a message'));
        this.end(rest, 2);
        return { kind: 'assert_exhaustion', line, action, message };
      }
      case 'assert_exception': {
        const action = this.action(this.at(sexpr, rest, 0, 'an action'));
        this.end(rest, 1);
        return { kind: 'assert_exception', line, action };
      }
      case 'assert_malformed':
      case 'assert_invalid': {
        const module = this.moduleOrInstance(this.at(sexpr, rest, 0, 'a module'));
        if (module.kind !== 'module') return this.fail(sexpr, `${head} needs a module, not a module instance`);
        const message = this.text(this.at(sexpr, rest, 1, 'a message'));
        this.end(rest, 2);
        return { kind: head, line, module, message };
      }
      case 'assert_unlinkable': {
        const target = this.instanceTarget(this.at(sexpr, rest, 0, 'a module'));
        const message = this.text(this.at(sexpr, rest, 1, 'a message'));
        this.end(rest, 2);
        return { kind: 'assert_unlinkable', line, target, message };
      }
      default:
        return this.fail(sexpr, `unknown command ${head}`);
    }
  }

  private instanceTarget(sexpr: SExpr): InstanceCommand | ModuleCommand {
    const target = this.moduleOrInstance(sexpr);
    if (target.kind === 'module' && target.definition) {
      return this.fail(sexpr, 'a module definition cannot be instantiated here');
    }
    return target;
  }

  /** `(module [definition] [$M] binary|quote "…"…)` or `(module instance [$I] [$M])`. */
  private moduleOrInstance(sexpr: SExpr): ModuleCommand | InstanceCommand {
    const [, ...rest] = this.list(sexpr, 'a module');
    const line = sexpr.line;
    const words = rest.map((item) => (item.kind === 'atom' ? item.text : undefined));
    if (words[0] === 'instance') {
      const vars = rest.slice(1).map((item) => this.variable(item));
      if (vars.length > 2) return this.fail(sexpr, 'module instance takes at most two names');
      // One name is the module's; with two, the instance's comes first.
      return vars.length === 2
        ? { kind: 'instance', line, instance: vars[0], module: vars[1] }
        : { kind: 'instance', line, module: vars[0] };
    }
    let i = 0;
    const definition = words[i] === 'definition';
    if (definition) i++;
    const name = words[i]?.startsWith('$') ? words[i++] : undefined;
    const form = words[i++];
    const strings = rest.slice(i).map((item) => this.stringBytes(item));
    if (form === 'binary') {
      return { kind: 'module', line, definition, name, source: { form, bytes: concatBytes(strings) } };
    }
    if (form === 'quote') {
      const text = strings.map((s) => new TextDecoder().decode(s)).join(' ');
      return { kind: 'module', line, definition, name, source: { form, text } };
    }
    return this.fail(sexpr, 'expected a binary or quoted module (text modules need an assembler)');
  }

  private action(sexpr: SExpr): Action {
    const [head, ...rest] = this.list(sexpr, 'an action');
    const line = sexpr.line;
    if (head !== 'invoke' && head !== 'get') return this.fail(sexpr, `expected invoke or get, found ${head}`);
    const instance = this.optionalVar(rest, 0);
    const args = instance === undefined ? rest : rest.slice(1);
    const name = this.text(this.at(sexpr, args, 0, 'an export name'));
    if (head === 'get') {
      this.end(args, 1);
      return { kind: 'get', line, instance, name };
    }
    return { kind: 'invoke', line, instance, name, args: args.slice(1).map((a) => this.literal(a)) };
  }

  private literal(sexpr: SExpr): Literal {
    const [head, ...rest] = this.list(sexpr, 'a value');
    const value = (): string => {
      this.end(rest, 1);
      return this.atom(this.at(sexpr, rest, 0, 'a number'));
    };
    return this.guard(sexpr, (): Literal => {
      switch (head) {
        case 'i32.const':
          return { type: 'i32', value: Number(BigInt.asIntN(32, parseIntBits(value(), 32))) };
        case 'i64.const':
          return { type: 'i64', value: BigInt.asIntN(64, parseIntBits(value(), 64)) };
        case 'f32.const':
          return { type: 'f32', bits: Number(parseFloatBits(value(), 'f32')) };
        case 'f64.const':
          return { type: 'f64', bits: parseFloatBits(value(), 'f64') };
        case 'v128.const': {
          const { shape, lanes } = this.vecLanes(sexpr, rest, false);
          return { type: 'v128', bytes: vecBytes(shape, lanes as bigint[]) };
        }
        case 'ref.null':
          return { type: 'ref.null', heap: value() };
        case 'ref.host':
        case 'ref.extern':
          return { type: head, value: Number(parseIntBits(value(), 32)) };
        default:
          return this.fail(sexpr, `unknown value ${head}`);
      }
    });
  }

  private result(sexpr: SExpr): ResultPattern {
    const [head, ...rest] = this.list(sexpr, 'a result');
    if (head === 'either') return { type: 'either', options: rest.map((r) => this.result(r)) };
    if (Object.hasOwn(REF_PATTERNS, head) && rest.length === 0) return { type: 'ref', heap: REF_PATTERNS[head] };
    if (head === 'ref.null' && rest.length === 0) return { type: 'ref.null' };
    const nan = rest.length === 1 && rest[0].kind === 'atom' ? nanPattern(rest[0].text) : undefined;
    if ((head === 'f32.const' || head === 'f64.const') && nan !== undefined) {
      return { type: head === 'f32.const' ? 'f32' : 'f64', nan };
    }
    if (head === 'v128.const') {
      const { shape, lanes } = this.guard(sexpr, () => this.vecLanes(sexpr, rest, true));
      return { type: 'v128', shape, lanes };
    }
    return this.literal(sexpr) as ResultPattern;
  }

  /** A v128 constant's shape and lanes (unsigned bits); NaN patterns only in results. */
  private vecLanes(sexpr: SExpr, rest: SExpr[], patterns: boolean): { shape: VecShape; lanes: (bigint | NanPattern)[] } {
    const shapeName = this.atom(this.at(sexpr, rest, 0, 'a vector shape'));
    if (!Object.hasOwn(SHAPES, shapeName)) return this.fail(sexpr, `unknown vector shape ${shapeName}`);
    const shape = shapeName as VecShape;
    const { lanes, bits, float } = SHAPES[shape];
    const texts = rest.slice(1).map((lane) => this.atom(lane));
    if (texts.length !== lanes) return this.fail(sexpr, `${shape} needs ${lanes} lanes, found ${texts.length}`);
    return {
      shape,
      lanes: texts.map((text) => {
        const nan = nanPattern(text);
        if (float && patterns && nan !== undefined) return nan;
        if (float) return parseFloatBits(text, bits === 32 ? 'f32' : 'f64');
        return parseIntBits(text, bits);
      }),
    };
  }

  /** Runs a value parse, turning range and syntax errors into script errors at `sexpr`. */
  private guard<T>(sexpr: SExpr, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof RangeError) return this.fail(sexpr, error.message);
      throw error;
    }
  }

  private list(sexpr: SExpr, what: string): [string, ...SExpr[]] {
    if (sexpr.kind !== 'list' || sexpr.items.length === 0 || sexpr.items[0].kind !== 'atom') {
      return this.fail(sexpr, `expected ${what}`);
    }
    const [head, ...rest] = sexpr.items;
    return [(head as { text: string }).text, ...rest];
  }

  private headOf(sexpr: SExpr): string | undefined {
    return sexpr.kind === 'list' && sexpr.items[0]?.kind === 'atom' ? sexpr.items[0].text : undefined;
  }

  private at(parent: SExpr, items: SExpr[], index: number, what: string): SExpr {
    return items[index] ?? this.fail(parent, `missing ${what}`);
  }

  private end(items: SExpr[], count: number): void {
    if (items.length > count) this.fail(items[count], 'unexpected extra item');
  }

  private optionalVar(items: SExpr[], index: number): string | undefined {
    const item = items[index];
    return item?.kind === 'atom' && item.text.startsWith('$') ? this.variable(item) : undefined;
  }

  private variable(sexpr: SExpr): string {
    const text = this.atom(sexpr);
    if (!/^\$[^\s]+$/.test(text)) return this.fail(sexpr, `expected a $name, found ${text}`);
    return text;
  }

  private atom(sexpr: SExpr): string {
    return sexpr.kind === 'atom' ? sexpr.text : this.fail(sexpr, 'expected an atom');
  }

  private stringBytes(sexpr: SExpr): Uint8Array {
    return sexpr.kind === 'string' ? sexpr.bytes : this.fail(sexpr, 'expected a string');
  }

  /** A string read as UTF-8, as names and messages are. */
  private text(sexpr: SExpr): string {
    try {
      return utf8Decoder.decode(this.stringBytes(sexpr));
    } catch (error) {
      if (error instanceof TypeError) return this.fail(sexpr, 'malformed UTF-8 in name');
      throw error;
    }
  }

  private fail(sexpr: SExpr, message: string): never {
    throw new SpecScriptError(this.file, sexpr.line, message);
  }
}

function nanPattern(text: string): NanPattern | undefined {
  return text === 'nan:canonical' || text === 'nan:arithmetic' ? text : undefined;
}

/** Lanes (unsigned bit patterns) laid out little-endian, as v128 is in memory. */
export function vecBytes(shape: VecShape, lanes: readonly bigint[]): Uint8Array {
  const { bits } = SHAPES[shape];
  const bytes = new Uint8Array(16);
  const width = bits / 8;
  lanes.forEach((lane, i) => {
    for (let b = 0; b < width; b++) bytes[i * width + b] = Number((lane >> BigInt(8 * b)) & 0xffn);
  });
  return bytes;
}
