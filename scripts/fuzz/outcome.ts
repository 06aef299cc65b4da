// One mutant, run by our runtime (under every strategy) and by V8, both with stub
// imports, and the outcome named: agreement (the same state, or a rejection in the same
// phase), a disagreement explained by what this runtime does not do (implementation
// limits), or one that is a bug.
import { isDeepStrictEqual } from 'node:util';
import { decode } from '../../runtime/binary/decode.ts';
import { compile, type CompiledModule } from '../../runtime/module/compile.ts';
import { CompileError, LinkError, ResourceLimitError, RuntimeError } from '../../runtime/errors.ts';
import { describeInstance, type InstanceState } from '../../runtime/embedder/instance-state.ts';
import { instantiate } from '../../runtime/instance/instantiate.ts';
import { PAGE_BYTES, Store } from '../../runtime/instance/store.ts';
import { observableCopy, observedState } from '../../runtime/v8/observable-copy.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { uleb } from '../../runtime/binary/wasm-bytes.ts';
import type { ValType } from '../../runtime/module/module.ts';
import { strategies } from '../../variants/registry.ts';
import { resolveWorkloadImports, STUB_IMPORTS } from '../../workloads/imports.ts';
import { describeWithV8, v8Imports } from '../../workloads/v8-state.ts';
import { sectionSpans } from './mutate.ts';

export const OUTCOMES = [
  'same state',
  'both accept, too large to describe',
  'both reject: compile',
  'both reject: link',
  'both reject: trap',
  'body validation',
  'V8 feature off',
  'V8 lenient: LEB for a byte',
  'V8 lenient: number type for elements',
  'V8 legacy exceptions',
  'V8 lenient: ref.eq in unreachable code',
  'V8 lenient: br_on_non_null to a label without types',
  'V8 lenient: br_on_cast nullability from its operand',
  'V8 strict: u32 limits',
  'limit: V8 rejects too',
  'limit: V8 accepts',
  'V8 resource limit',
  'not observable',
  'disagreement',
  'crash',
  'hang',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes that are bugs, or may be: each is written out as a reproducer. */
export const FINDINGS: ReadonlySet<Outcome> = new Set(['disagreement', 'crash', 'hang', 'limit: V8 accepts', 'body validation']);

export interface Verdict {
  readonly outcome: Outcome;
  /** One line: what each side did. */
  readonly detail: string;
}

/** Where a side stopped, with the error's first line; an accepting side has the observed state of each strategy. */
interface Side {
  readonly phase: 'accept' | 'compile' | 'link' | 'trap' | 'limit' | 'v8-limit' | 'unobservable' | 'crash';
  readonly error?: string;
  readonly states?: readonly InstanceState[];
  /** Instantiated, but its state is past MAX_DESCRIBED_VALUES. */
  readonly undescribed?: true;
}

const CODE_SECTION = 10;

export function classify(bytes: Uint8Array): Verdict {
  let compiled: CompiledModule | undefined;
  let ours: Side = { phase: 'accept' };
  try {
    compiled = compile(bytes);
  } catch (error) {
    ours = oursFailed(error, 'compile');
  }
  const v8 = compileV8(bytes);
  if (ours.phase === 'crash') return verdict('crash', ours, v8);
  if (v8.phase === 'accept') {
    if (compiled !== undefined) return compareInstances(compiled);
    if (ours.phase === 'limit') return verdict('limit: V8 accepts', ours, v8);
    if (overlongZeroByte(bytes, ours)) return verdict('V8 lenient: LEB for a byte', ours, v8);
    if (numberTypeForReference(bytes, ours)) return verdict('V8 lenient: number type for elements', ours, v8);
    // V8 still decodes the legacy exception opcodes (try 0x06, catch 0x07, rethrow 0x09, delegate 0x18, catch_all 0x19), which Wasm 3.0 does not have.
    if (/illegal opcode (06|07|09|18|19) /.test(ours.error ?? '')) return verdict('V8 legacy exceptions', ours, v8);
    // V8 (Node 24.9) does not check ref.eq's operands in unreachable code; the spec's algorithm
    // types operands pushed there like any others.
    if (/ref\.eq expected .* in unreachable code/.test(ours.error ?? '')) return verdict('V8 lenient: ref.eq in unreachable code', ours, v8);
    // The spec's br_on_non_null needs a label whose last type is a reference; V8 (Node
    // 24.9) takes a label without types too.
    if (/br_on_non_null to a label without types/.test(ours.error ?? '')) return verdict('V8 lenient: br_on_non_null to a label without types', ours, v8);
    if (castNullabilityFromOperand(bytes, ours)) return verdict('V8 lenient: br_on_cast nullability from its operand', ours, v8);
    return verdict('disagreement', ours, v8);
  }
  if (compiled === undefined) {
    if (ours.phase === 'limit') return verdict('limit: V8 rejects too', ours, v8);
    return verdict(v8.phase === 'v8-limit' ? 'V8 resource limit' : 'both reject: compile', ours, v8);
  }
  if (v8.phase === 'v8-limit') return verdict('V8 resource limit', ours, v8);
  // A Wasm 3.0 feature this Node's V8 has behind a flag (exnref in Node 24.9).
  if (/enable with --experimental-wasm-/.test(v8.error ?? '')) return verdict('V8 feature off', ours, v8);
  // V8 applies some limits when compiling (a table of 10,000,001 elements, a 64-bit
  // memory declared past 16 GiB), where this runtime applies its own when allocating.
  if (/implementation limit/.test(v8.error ?? '')) {
    const sides = strategies.map((strategy) => instantiateOurs(compiled, strategy, false));
    return verdict(sides.some((side) => side.phase === 'limit') ? 'limit: V8 rejects too' : 'V8 resource limit', sides[0], v8);
  }
  // Wasm 3.0 reads every limit as a u64 (a 6- to 10-byte LEB of a 32-bit memory's size
  // is well formed); V8 still reads a 32-bit memory's or table's limits as u32.
  if (/length overflow while decoding (initial|maximum)/.test(v8.error ?? '')) return verdict('V8 strict: u32 limits', ours, v8);
  // We accept what V8 rejects: in a function body if V8 accepts the module once every
  // body is trivial. Bodies are validated here too, so that is a gap of the validator.
  return verdict(v8Wasm.validate(withTrivialBodies(bytes, compiled)) ? 'body validation' : 'disagreement', ours, v8);
}

/**
 * br_on_cast and br_on_cast_fail type the value they pass on by their immediates (the spec:
 * br_on_cast_fail's fall-through is the target type as written); V8 (Node 24.9) makes it
 * non-null when the operand is. So a module with one of them that V8 takes and this
 * runtime refuses for a reference that is nullable where a non-null one is expected.
 */
function castNullabilityFromOperand(bytes: Uint8Array, ours: Side): boolean {
  const mismatch = /type mismatch in function (\d+): .*expected \[(.*)\] but got \[(.*)\]/.exec(ours.error ?? '');
  if (mismatch === null || mismatch[3].replaceAll('(ref null ', '(ref ') !== mismatch[2] || mismatch[2] === mismatch[3]) return false;
  // The cast must be in the failing function's body (the mismatch shows where its value is used, not the cast).
  const module = decode(bytes, { checkBodies: false });
  const importedFuncs = module.imports.filter((i) => i.desc.kind === 'func').length;
  const body = module.codes[Number(mismatch[1]) - importedFuncs];
  if (body === undefined) return false;
  for (let i = body.offset; i + 1 < body.offset + body.size; i++) if (bytes[i] === 0xfb && (bytes[i + 1] === 0x18 || bytes[i + 1] === 0x19)) return true;
  return false;
}

function compileV8(bytes: Uint8Array): Side {
  try {
    new v8Wasm.Module(bytes);
    return { phase: 'accept' };
  } catch (error) {
    return { phase: error instanceof RangeError ? 'v8-limit' : 'compile', error: line(error) };
  }
}

/** Both instantiate with stub imports: V8 the observable copy, ours the same copy under every strategy. */
function compareInstances(compiled: CompiledModule): Verdict {
  let copy: CompiledModule;
  try {
    copy = compile(observableCopy(compiled).bytes);
  } catch (error) {
    return verdict('crash', { phase: 'accept' }, { phase: 'crash', error: `observable copy: ${line(error)}` });
  }
  const sized = tooLargeToDescribe(compiled);
  const sides = strategies.map((strategy) => instantiateOurs(copy, strategy, !sized));
  const large = sized || sides.some((side) => side.undescribed === true);
  const crashed = sides.find((side) => side.phase === 'crash');
  if (crashed !== undefined) return verdict('crash', crashed, { phase: 'accept' });
  const ours = sides[0];
  const alike = sides.every((side) => side.phase === ours.phase && isDeepStrictEqual(side.states, ours.states));
  if (!alike) return verdict('disagreement', { phase: ours.phase, error: `strategies differ: ${sides.map((s) => s.phase).join(', ')}` }, { phase: 'accept' });
  // Refused here by a limit, V8's phase is enough: describing what V8 made (a 4 M-element array) costs seconds.
  if (ours.phase === 'limit') {
    const v8 = v8Instantiate(copy, compiled);
    return verdict(v8.phase === 'accept' ? 'limit: V8 accepts' : 'limit: V8 rejects too', ours, v8);
  }
  if (large) {
    const v8 = v8Instantiate(copy, compiled);
    if (ours.phase === 'accept' && v8.phase === 'accept') return verdict('both accept, too large to describe', ours, v8);
    return compareRejections(ours, v8, compiled);
  }
  let v8: Side;
  try {
    v8 = { phase: 'accept', states: [describeWithV8(compiled, STUB_IMPORTS).state] };
  } catch (error) {
    v8 = v8Failed(error);
  }
  if (ours.phase === 'accept' && v8.phase === 'accept' && jsApiStubsEvery(compiled)) {
    return isDeepStrictEqual(ours.states, v8.states) ? verdict('same state', ours, v8) : verdict('disagreement', { phase: 'accept', error: 'a different state' }, v8);
  }
  return compareRejections(ours, v8, compiled);
}

/** Where at least one side did not instantiate: agreement is the same phase. */
function compareRejections(ours: Side, v8: Side, compiled: CompiledModule): Verdict {
  if (v8.phase === 'crash') return verdict('crash', ours, v8);
  if (v8.phase === 'unobservable') return verdict('not observable', ours, v8);
  if (v8.phase === 'v8-limit') return verdict('V8 resource limit', ours, v8);
  if (!jsApiStubsEvery(compiled)) return verdict('not observable', ours, { phase: v8.phase, error: 'the JS API cannot make a stub of the same type for every import' });
  if (ours.phase === v8.phase && (ours.phase === 'link' || ours.phase === 'trap')) return verdict(ours.phase === 'link' ? 'both reject: link' : 'both reject: trap', ours, v8);
  return verdict('disagreement', ours, v8);
}

/**
 * Beyond this many table elements or memory bytes, an instance is not described on either
 * side, only where each side stops is compared: describing a million elements (V8's one
 * by one through probes) or hashing 655 MB of memory six times takes seconds per case,
 * past the watchdog's limit on a busy machine.
 */
const MAX_DESCRIBED_ELEMENTS = 1_000_000;
/** Likewise for the values of a state, GC objects written out at every path that reaches them. */
const MAX_DESCRIBED_VALUES = 200_000;
const MAX_DESCRIBED_MEMORY_BYTES = 64 * 2 ** 20;

function tooLargeToDescribe(compiled: CompiledModule): boolean {
  const { info } = compiled;
  const elements = info.tables.reduce((n, table) => n + table.limits.min, 0);
  const bytes = info.memories.reduce((n, memory) => n + memory.limits.min * PAGE_BYTES, 0);
  return elements > MAX_DESCRIBED_ELEMENTS || bytes > MAX_DESCRIBED_MEMORY_BYTES;
}

/**
 * Where the binary format has a zero byte (a tag's attribute), V8 reads a LEB128 and so
 * takes an overlong zero (0x80 0x00) that the spec makes malformed, as this runtime does.
 */
function overlongZeroByte(bytes: Uint8Array, ours: Side): boolean {
  const b = byteOurErrorNames(bytes, ours, 'zero byte expected');
  return b !== undefined && (b & 0x80) !== 0;
}

/** The byte at the offset our error names, if the error is `message` (at byte 0x…). */
function byteOurErrorNames(bytes: Uint8Array, ours: Side, message: string): number | undefined {
  const at = new RegExp(`${message} \\(at byte 0x([0-9a-f]+)\\)`).exec(ours.error ?? '');
  return at === null ? undefined : bytes[parseInt(at[1], 16)];
}

/**
 * Where an element segment has a reference type, V8 takes any value type: a segment of
 * i32 items (flags 5, type 0x7f, `i32.const` items) compiles. The spec's binary format
 * has a reference type there, so the module is malformed, as this runtime says.
 */
function numberTypeForReference(bytes: Uint8Array, ours: Side): boolean {
  const b = byteOurErrorNames(bytes, ours, 'malformed reference type');
  return b !== undefined && b >= 0x7b && b <= 0x7f;
}

/** V8's instantiation of the observable copy, without describing it. */
function v8Instantiate(copy: CompiledModule, compiled: CompiledModule): Side {
  try {
    new v8Wasm.Instance(new v8Wasm.Module(copy.bytes), v8Imports(compiled, STUB_IMPORTS));
    return { phase: 'accept' };
  } catch (error) {
    return v8Failed(error);
  }
}

function instantiateOurs(copy: CompiledModule, strategy: (typeof strategies)[number], describe: boolean): Side {
  const store = new Store();
  try {
    const instance = instantiate(store, copy, resolveWorkloadImports(store, copy, STUB_IMPORTS), { strategy, skipStart: true });
    if (!describe) return { phase: 'accept', states: [] };
    try {
      return { phase: 'accept', states: [observedState(describeInstance(instance, MAX_DESCRIBED_VALUES))] };
    } catch (error) {
      if (error instanceof ResourceLimitError && error.limit === 'stateValues') return { phase: 'accept', states: [], undescribed: true };
      throw error;
    }
  } catch (error) {
    return oursFailed(error, 'link');
  }
}

/**
 * Whether V8's stubs have exactly the types of our stubs: a JS global holds a number or
 * a nullable funcref or externref, a JS table only those references, and tags have no
 * JS stub here. For any other import, V8 links a value of another type, or cannot.
 */
function jsApiStubsEvery(compiled: CompiledModule): boolean {
  const plainRef = (type: ValType): boolean =>
    typeof type === 'string' ? type !== 'v128' : type.nullable && (type.heap === 'func' || type.heap === 'extern');
  return compiled.module.imports.every(({ desc }) => {
    switch (desc.kind) {
      case 'func':
      case 'memory':
        return true;
      case 'global':
        return plainRef(desc.type.type);
      case 'table':
        return plainRef(desc.type.element);
      case 'tag':
        return false;
    }
  });
}

/** Our errors by phase; anything else thrown is a crash. */
function oursFailed(error: unknown, at: 'compile' | 'link'): Side {
  if (error instanceof ResourceLimitError) return { phase: 'limit', error: line(error) };
  if (at === 'compile' && error instanceof CompileError) return { phase: 'compile', error: line(error) };
  if (at === 'link' && error instanceof LinkError) return { phase: 'link', error: line(error) };
  if (at === 'link' && error instanceof RuntimeError) return { phase: 'trap', error: line(error) };
  return { phase: 'crash', error: line(error) };
}

function v8Failed(error: unknown): Side {
  const api = v8Wasm as unknown as { LinkError: new () => Error; RuntimeError: new () => Error };
  if (error instanceof api.LinkError) return { phase: 'link', error: line(error) };
  if (error instanceof api.RuntimeError) return { phase: 'trap', error: line(error) };
  if (error instanceof RangeError) return { phase: 'v8-limit', error: line(error) };
  // The harness's own refusals: imports the JS API cannot make (tags, v128 globals, typed tables).
  if (error instanceof Error && /JS API cannot|V8 imports of tags|tags are not described/.test(error.message)) return { phase: 'unobservable', error: line(error) };
  return { phase: 'crash', error: `V8 harness: ${line(error)}` };
}

/** The module with every function body replaced by `unreachable`, which is valid for any function type. */
export function withTrivialBodies(bytes: Uint8Array, compiled: CompiledModule): Uint8Array {
  const code = sectionSpans(bytes).find((span) => span.id === CODE_SECTION);
  if (code === undefined) return bytes;
  const count = compiled.module.codes.length;
  const body = [3, 0x00, 0x00, 0x0b];
  const content = [...uleb(count), ...Array.from({ length: count }, () => body).flat()];
  const out = new Uint8Array(code.start + 1 + uleb(content.length).length + content.length + bytes.length - code.end);
  out.set(bytes.subarray(0, code.start));
  out.set([CODE_SECTION, ...uleb(content.length), ...content], code.start);
  out.set(bytes.subarray(code.end), code.start + 1 + uleb(content.length).length + content.length);
  return out;
}

function verdict(outcome: Outcome, ours: Side, v8: Side): Verdict {
  return { outcome, detail: `ours: ${describeSide(ours)}; V8: ${describeSide(v8)}` };
}

function describeSide(side: Side): string {
  return side.error === undefined ? side.phase : `${side.phase}: ${side.error}`;
}

function line(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
