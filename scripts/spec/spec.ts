// The spec test-script runner: runs the commands of binary scripts (spec-script.ts)
// against the runtime, one store and one `spectest` module per script. The runtime does
// not execute code, so commands that need execution are skipped and counted by category;
// so are the few checks whose outcome cannot be known without it, each with its line.
import type { Strategy } from '../../runtime/instance/initializer.ts';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compile, type CompiledModule } from '../../runtime/module/compile.ts';
import { CompileError, EmbedderError, LinkError, ResourceLimitError, RuntimeError } from '../../runtime/errors.ts';
import { readGlobalValue } from '../../runtime/instance/global-value.ts';
import type { Instance } from '../../runtime/instance/instance.ts';
import { instantiate } from '../../runtime/instance/instantiate.ts';
import type { StateValue } from '../../runtime/embedder/state-value.ts';
import { Store, type Extern, type ImportResolver } from '../../runtime/instance/store.ts';
import {
  parseScript,
  SpecScriptError,
  vecShape,
  type Action,
  type AssertInstance,
  type AssertModule,
  type Command,
  type InstanceCommand,
  type ModuleCommand,
  type NanPattern,
  type ResultPattern,
} from './spec-script.ts';
import { createSpectest } from './spectest-host.ts';
import { defaultStrategy } from '../../variants/registry.ts';

/**
 * Why a command was skipped. Some excuse a check that could otherwise have failed
 * (`EXCUSED`): each of those is also listed with its line.
 */
export const SKIP = {
  /** `assert_return (invoke …)` and a bare `(invoke …)`. */
  invoke: 'invoke',
  invokeTrap: 'invoke trap',
  exhaustion: 'exhaustion',
  exception: 'exception',
  /** A module given as text (`module quote`): needs a text assembler. */
  textModule: 'text module',
  /** `assert_trap` on a module that instantiates: the trap is the start function's. */
  startTrap: 'start trap',
  /**
   * A mutable global read, or an instantiation that failed against an imported table or
   * memory, after a skipped execution could have changed it.
   */
  staleState: 'state after skipped execution',
  /** A command using a module or instance that an earlier command failed to make. */
  afterFailure: 'after failure',
} as const;

const EXCUSED: ReadonlySet<string> = new Set([SKIP.startTrap, SKIP.staleState]);

export const NOTE_START_NOT_RUN = 'start function not run';

export interface SpecFailure {
  readonly line: number;
  readonly command: string;
  readonly expected: string;
  readonly got: string;
  /** The stack of an unexpected exception (a crash rather than a wrong answer). */
  readonly stack?: string;
}

export interface SpecExcusedSkip {
  readonly line: number;
  readonly command: string;
  readonly category: string;
}

export interface SpecCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Skipped commands by category. */
  readonly skips: Record<string, number>;
  /** Passed commands with a caveat, by caveat. */
  readonly notes: Record<string, number>;
}

export interface SpecFileResult extends SpecCounts {
  readonly file: string;
  readonly failures: SpecFailure[];
  /** Skips that excuse a check (see `SKIP`), with their lines. */
  readonly excused: SpecExcusedSkip[];
}

export interface SpecFileError {
  readonly file: string;
  readonly error: string;
}

export interface SpecRunResult {
  readonly files: readonly (SpecFileResult | SpecFileError)[];
  readonly total: SpecCounts;
}

/** Runs one script; throws `SpecScriptError` if it cannot be read or parsed. */
export function runSpecFile(path: string, strategy?: Strategy): SpecFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SpecScriptError(path, undefined, `cannot read: ${(error as Error).message}`);
  }
  const file = basename(path);
  const commands = parseScript(text, file);
  // "0 passed" with exit 0 would read as success for a file that tested nothing.
  if (commands.length === 0) throw new SpecScriptError(path, undefined, 'no commands: not a spec script (.wast commands such as (module binary …))');
  return new ScriptRun(file, strategy).run(commands);
}

export function runSpecFiles(paths: readonly string[], strategy?: Strategy): SpecRunResult {
  const total = emptyCounts();
  const files = paths.map((path): SpecFileResult | SpecFileError => {
    try {
      const result = runSpecFile(path, strategy);
      addCounts(total, result);
      return result;
    } catch (error) {
      if (error instanceof SpecScriptError) return { file: basename(path), error: error.message };
      throw error;
    }
  });
  return { files, total };
}

/**
 * `instlab spec FILE...`: one line per file, failures under it, then the totals alone on
 * the last line. Exit status 2 if a file cannot be read or parsed, else 1 if any command
 * failed, else 0.
 */
export function specCommand(paths: string[], options: { verbose?: boolean; strategy?: Strategy }): number {
  const { files, total } = runSpecFiles(paths, options.strategy);
  let unreadable = false;
  for (const result of files) {
    if ('error' in result) {
      unreadable = true;
      process.stderr.write(`instlab: ${result.error}\n`);
      continue;
    }
    process.stdout.write(`${result.file}: ${formatCounts(result)}${formatBreakdown(result)}\n`);
    for (const failure of result.failures) {
      process.stdout.write(
        `  ${result.file}:${failure.line}: ${failure.command}: expected ${failure.expected}, got ${failure.got}\n`,
      );
      if (options.verbose === true && failure.stack !== undefined) process.stdout.write(`${indent(failure.stack)}\n`);
    }
    if (options.verbose === true) {
      for (const skip of result.excused) {
        process.stdout.write(`  ${result.file}:${skip.line}: ${skip.command}: skipped (${skip.category})\n`);
      }
    }
  }
  process.stdout.write(`${formatCounts(total)}\n`);
  if (unreadable) return 2;
  return total.failed > 0 ? 1 : 0;
}

function formatCounts(counts: SpecCounts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}

function formatBreakdown(counts: SpecCounts): string {
  const list = (record: Record<string, number>): string =>
    Object.entries(record)
      .sort(([, a], [, b]) => b - a)
      .map(([category, n]) => `${category} ${n}`)
      .join(', ');
  const parts = [];
  if (counts.skipped > 0) parts.push(`skips: ${list(counts.skips)}`);
  if (Object.keys(counts.notes).length > 0) parts.push(`notes: ${list(counts.notes)}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}

function emptyCounts(): SpecCounts {
  return { passed: 0, failed: 0, skipped: 0, skips: {}, notes: {} };
}

function addCounts(into: SpecCounts, from: SpecCounts): void {
  into.passed += from.passed;
  into.failed += from.failed;
  into.skipped += from.skipped;
  for (const [k, n] of Object.entries(from.skips)) into.skips[k] = (into.skips[k] ?? 0) + n;
  for (const [k, n] of Object.entries(from.notes)) into.notes[k] = (into.notes[k] ?? 0) + n;
}

// ---- Running a script ------------------------------------------------------------------

type Outcome =
  | { readonly status: 'passed'; readonly note?: string }
  | { readonly status: 'failed'; readonly expected: string; readonly got: string; readonly stack?: string }
  | { readonly status: 'skipped'; readonly category: string };

const PASSED: Outcome = { status: 'passed' };

function skipped(category: string): Outcome {
  return { status: 'skipped', category };
}

function failed(expected: string, got: string, stack?: string): Outcome {
  return { status: 'failed', expected, got, stack };
}

/** A module, instance or registration an earlier command could not make, and why. */
interface Unavailable {
  readonly unavailable: string;
}

type Entry<T> = { readonly value: T } | Unavailable;

/** What an instantiation attempt did, and what its outcome depended on. */
interface Attempt {
  readonly instance?: Instance;
  readonly error?: unknown;
  /** Set when an import named a registration that is unavailable: the outcome means nothing. */
  readonly blockedBy?: string;
  /** An imported table or memory was possibly changed by skipped execution. */
  readonly staleImport: boolean;
}

class ScriptRun {
  private readonly file: string;
  private readonly strategy: Strategy;
  private readonly store = new Store();
  private readonly result: SpecFileResult;
  private readonly modules = new Map<string, Entry<CompiledModule>>();
  private latestModule?: Entry<CompiledModule>;
  private readonly instances = new Map<string, Entry<Instance>>();
  private latestInstance?: Entry<Instance>;
  private readonly registry = new Map<string, Entry<ReadonlyMap<string, Extern>>>();
  /**
   * Externs with state that later commands can reach (spectest's and every instance's
   * exports), numbered in the order first seen. Skipped execution could have changed
   * any of those seen before it: the ones numbered below `staleBefore`.
   */
  private readonly reachable = new Map<Extern, number>();
  private staleBefore = 0;

  constructor(file: string, strategy?: Strategy) {
    this.file = file;
    this.strategy = strategy ?? defaultStrategy();
    this.result = { file, ...emptyCounts(), failures: [], excused: [] };
    const spectest = createSpectest(this.store);
    this.track(spectest);
    this.registry.set('spectest', { value: spectest });
  }

  run(commands: readonly Command[]): SpecFileResult {
    for (const command of commands) {
      if (command.kind === 'register') {
        // Registration only names things; it is not counted.
        const instance = this.instance(command.instance, command.line);
        this.registry.set(command.as, 'value' in instance ? { value: instance.value.exports } : instance);
        continue;
      }
      this.record(command, this.outcome(command));
    }
    return this.result;
  }

  private outcome(command: Exclude<Command, { kind: 'register' }>): Outcome {
    switch (command.kind) {
      case 'module':
        return this.moduleCommand(command);
      case 'instance':
        return this.instanceCommand(command);
      case 'action':
        return this.action(command.action);
      case 'assert_return':
        return this.action(command.action, command.results);
      case 'assert_trap':
        return this.execution(command.action, SKIP.invokeTrap);
      case 'assert_exhaustion':
        return this.execution(command.action, SKIP.exhaustion);
      case 'assert_exception':
        return this.execution(command.action, SKIP.exception);
      case 'assert_malformed':
      case 'assert_invalid':
        return this.assertNotCompiling(command);
      case 'assert_unlinkable':
      case 'assert_uninstantiable':
        return this.assertNotInstantiating(command);
    }
  }

  private record(command: Command, outcome: Outcome): void {
    const r = this.result;
    switch (outcome.status) {
      case 'passed':
        r.passed++;
        if (outcome.note !== undefined) r.notes[outcome.note] = (r.notes[outcome.note] ?? 0) + 1;
        return;
      case 'failed':
        r.failed++;
        r.failures.push({
          line: command.line,
          command: describeCommand(command),
          expected: outcome.expected,
          got: outcome.got,
          stack: outcome.stack,
        });
        return;
      case 'skipped':
        r.skipped++;
        r.skips[outcome.category] = (r.skips[outcome.category] ?? 0) + 1;
        if (EXCUSED.has(outcome.category)) {
          r.excused.push({ line: command.line, command: describeCommand(command), category: outcome.category });
        }
    }
  }

  // ---- Modules and instances -----------------------------------------------------------

  /** `(module definition …)`, or `(module …)`: define, then instantiate as the module's name. */
  private moduleCommand(command: ModuleCommand): Outcome {
    const defined = this.define(command);
    if (command.definition) return defined;
    // Instantiated even if not defined, so the instance's name is known to be unavailable.
    const instantiated = this.instanceCommand({ kind: 'instance', line: command.line, instance: command.name, module: command.name });
    return defined.status === 'passed' ? instantiated : defined;
  }

  private define(command: ModuleCommand): Outcome {
    const { outcome, entry } = this.compileModule(command);
    if (command.name !== undefined) this.modules.set(command.name, entry);
    this.latestModule = entry;
    return outcome;
  }

  private compileModule(command: ModuleCommand): { outcome: Outcome; entry: Entry<CompiledModule> } {
    if (command.source.form === 'quote') {
      return { outcome: skipped(SKIP.textModule), entry: { unavailable: SKIP.textModule } };
    }
    try {
      return { outcome: PASSED, entry: { value: compile(command.source.bytes) } };
    } catch (error) {
      return { outcome: unexpected('a valid module', error), entry: { unavailable: SKIP.afterFailure } };
    }
  }

  private instanceCommand(command: InstanceCommand): Outcome {
    const module = this.module(command.module, command.line);
    let entry: Entry<Instance>;
    let outcome: Outcome;
    if ('unavailable' in module) {
      entry = module;
      outcome = skipped(module.unavailable);
    } else {
      const attempt = this.instantiate(module.value);
      if (attempt.instance !== undefined) {
        entry = { value: attempt.instance };
        this.track(attempt.instance.exports);
        outcome = PASSED;
        if (module.value.module.start !== undefined) {
          outcome = { status: 'passed', note: NOTE_START_NOT_RUN };
          this.executionSkipped();
        }
      } else {
        outcome = this.excuse(attempt) ?? unexpected('instantiated', attempt.error);
        entry = { unavailable: outcome.status === 'skipped' ? outcome.category : SKIP.afterFailure };
      }
    }
    if (command.instance !== undefined) this.instances.set(command.instance, entry);
    this.latestInstance = entry;
    return outcome;
  }

  /**
   * Instantiates without running a start function (the runtime executes no code), and
   * notes what the outcome depended on.
   */
  private instantiate(compiled: CompiledModule): Attempt {
    let blockedBy: string | undefined;
    let staleImport = false;
    const resolve: ImportResolver = (moduleName, name) => {
      const exports = this.registry.get(moduleName);
      if (exports === undefined) return undefined;
      if ('unavailable' in exports) {
        blockedBy ??= exports.unavailable;
        return undefined;
      }
      const extern = exports.value.get(name);
      if (extern !== undefined && (extern.kind === 'table' || extern.kind === 'memory') && this.isStale(extern)) {
        staleImport = true;
      }
      return extern;
    };
    try {
      return { instance: instantiate(this.store, compiled, resolve, { skipStart: true, strategy: this.strategy }), staleImport };
    } catch (error) {
      return { error, blockedBy, staleImport };
    }
  }

  /** Why a failed instantiation proves nothing, if it does not. */
  private excuse(attempt: Attempt): Outcome | undefined {
    if (attempt.blockedBy !== undefined) return skipped(attempt.blockedBy);
    // A table or memory may have been grown by code that did not run: limits and segment
    // bounds are checked against sizes the script did not intend.
    if (attempt.staleImport && isRefusal(attempt.error)) {
      return skipped(SKIP.staleState);
    }
    return undefined;
  }

  private assertNotCompiling(command: AssertModule): Outcome {
    const { source } = command.module;
    if (source.form === 'quote') return skipped(SKIP.textModule);
    const kind = command.kind === 'assert_malformed' ? 'malformed' : 'invalid';
    try {
      compile(source.bytes);
    } catch (error) {
      if (error instanceof CompileError && error.kind === kind) return PASSED;
      return unexpected(kind, error);
    }
    return failed(kind, 'compiled');
  }

  private assertNotInstantiating(command: AssertInstance): Outcome {
    const { target } = command;
    let module: Entry<CompiledModule>;
    if (target.kind === 'module') {
      // Sugar: the module is defined (and becomes the latest) as its own command would.
      const { outcome, entry } = this.compileModule(target);
      this.latestModule = entry;
      if (outcome.status !== 'passed') return outcome;
      module = entry;
    } else {
      module = this.module(target.module, target.line);
    }
    if ('unavailable' in module) return skipped(module.unavailable);
    const attempt = this.instantiate(module.value);
    const expected = command.kind === 'assert_unlinkable' ? 'a link error' : 'a trap';
    if (attempt.instance !== undefined) {
      if (command.kind === 'assert_uninstantiable' && module.value.module.start !== undefined) {
        this.executionSkipped();
        return skipped(SKIP.startTrap);
      }
      return failed(expected, 'instantiated');
    }
    const wanted = command.kind === 'assert_unlinkable' ? LinkError : RuntimeError;
    if (attempt.blockedBy === undefined && attempt.error instanceof wanted) return PASSED;
    return this.excuse(attempt) ?? unexpected(expected, attempt.error);
  }

  // ---- Actions ---------------------------------------------------------------------------

  /** An action, with the results `assert_return` expects (none given for a bare action). */
  private action(action: Action, results?: readonly ResultPattern[]): Outcome {
    if (action.kind === 'invoke') return this.execution(action, SKIP.invoke);
    const instance = this.instance(action.instance, action.line);
    if ('unavailable' in instance) return skipped(instance.unavailable);
    const global = instance.value.exports.get(action.name);
    if (global?.kind !== 'global') return failed(`a global export "${action.name}"`, global?.kind ?? 'no such export');
    if (global.type.mutable && this.isStale(global)) return skipped(SKIP.staleState);
    let value: StateValue;
    try {
      value = readGlobalValue(instance.value, global);
    } catch (error) {
      return unexpected('a value', error);
    }
    if (results === undefined) return PASSED;
    if (results.length !== 1) return failed(`${results.length} results`, 'one value');
    const [pattern] = results;
    return matches(pattern, value) ? PASSED : failed(describePattern(pattern), JSON.stringify(value));
  }

  /**
   * A command that needs code to run. The export it names must exist and be a function;
   * then it is skipped, and everything it could have changed becomes stale.
   */
  private execution(action: Action, category: string): Outcome {
    const instance = this.instance(action.instance, action.line);
    if ('unavailable' in instance) return skipped(instance.unavailable);
    this.executionSkipped();
    const func = instance.value.exports.get(action.name);
    if (action.kind === 'invoke' && func?.kind !== 'func') {
      return failed(`a function export "${action.name}"`, func?.kind ?? 'no such export');
    }
    return skipped(category);
  }

  // ---- State ---------------------------------------------------------------------------

  private track(exports: ReadonlyMap<string, Extern>): void {
    for (const extern of exports.values()) {
      if (!this.reachable.has(extern)) this.reachable.set(extern, this.reachable.size);
    }
  }

  private executionSkipped(): void {
    this.staleBefore = this.reachable.size;
  }

  private isStale(extern: Extern): boolean {
    return (this.reachable.get(extern) ?? Infinity) < this.staleBefore;
  }

  private module(name: string | undefined, line: number): Entry<CompiledModule> {
    const entry = name === undefined ? this.latestModule : this.modules.get(name);
    return entry ?? this.scriptError(line, name === undefined ? 'no module defined yet' : `unknown module ${name}`);
  }

  private instance(name: string | undefined, line: number): Entry<Instance> {
    const entry = name === undefined ? this.latestInstance : this.instances.get(name);
    return entry ?? this.scriptError(line, name === undefined ? 'no instance yet' : `unknown instance ${name}`);
  }

  private scriptError(line: number, message: string): never {
    throw new SpecScriptError(this.file, line, message);
  }
}

/** An instantiation the runtime refused for a reason of the spec's or of its limits (not a bug). */
function isRefusal(error: unknown): error is Error {
  return error instanceof LinkError || error instanceof RuntimeError || error instanceof ResourceLimitError;
}

/** The outcome of an exception that was not the expected one. */
function unexpected(expected: string, error: unknown): Outcome {
  if (error instanceof CompileError) return failed(expected, `${error.kind}: ${error.message}`);
  if (isRefusal(error) || error instanceof EmbedderError) return failed(expected, `${error.name}: ${error.message}`);
  // Anything else, an `InternalError` included, is the runtime crashing; its stack shows where.
  const crash = error instanceof Error ? error : new Error(String(error));
  return failed(expected, `crash: ${crash.name}: ${crash.message}`, crash.stack);
}

// ---- Results ---------------------------------------------------------------------------

/** Whether a global's value (state-value JSON, runtime/state-value.ts) fits a result pattern. */
export function matches(pattern: ResultPattern, value: StateValue): boolean {
  switch (pattern.type) {
    case 'i32':
      return value === pattern.value;
    case 'i64':
      return value === pattern.value.toString();
    case 'f32':
      return isHex(value, 8) && floatMatches(BigInt(value), 'nan' in pattern ? pattern.nan : BigInt(pattern.bits), 32);
    case 'f64':
      return isHex(value, 16) && floatMatches(BigInt(value), 'nan' in pattern ? pattern.nan : pattern.bits, 64);
    case 'v128': {
      if (!isHex(value, 32)) return false;
      const bytes = Buffer.from(value.slice(2), 'hex');
      const { bits, float } = vecShape(pattern.shape);
      return pattern.lanes.every((lane, i) => {
        const actual = laneBits(bytes, i, bits);
        return float ? floatMatches(actual, lane, bits as 32 | 64) : actual === lane;
      });
    }
    case 'ref.null':
      return value === null;
    case 'ref.host':
    case 'ref.extern':
      // A host value reads back as {"extern": value} in either hierarchy.
      return isObject(value) && 'extern' in value && value.extern === pattern.value;
    case 'ref':
      return refMatches(pattern.heap, value);
    case 'either':
      return pattern.options.some((option) => matches(option, value));
  }
}

function refMatches(heap: string, value: StateValue): boolean {
  if (!isObject(value)) return false;
  const isGcObject = 'i31' in value || 'struct' in value || 'array' in value;
  switch (heap) {
    case 'func':
      return 'func' in value;
    case 'extern':
      return 'extern' in value;
    case 'i31':
    case 'struct':
    case 'array':
      return heap in value;
    case 'eq':
      return isGcObject;
    case 'any':
      // Host values internalized into the any hierarchy read back as {"extern": …}.
      return isGcObject || 'extern' in value;
    default:
      // exn: the state-value format has no exception references.
      return false;
  }
}

/** A bit pattern as the state-value format writes it: "0x" and exactly `digits` hex digits. */
function isHex(value: StateValue, digits: number): value is string {
  return typeof value === 'string' && value.length === digits + 2 && /^0x[0-9a-f]+$/i.test(value);
}

function isObject(value: StateValue): value is Exclude<StateValue, number | string | null> {
  return typeof value === 'object' && value !== null;
}

function floatMatches(actual: bigint, expected: bigint | NanPattern, bits: 32 | 64): boolean {
  if (typeof expected === 'bigint') return actual === expected;
  const mantissaBits = bits === 32 ? 23n : 52n;
  const exponent = bits === 32 ? 0xffn : 0x7ffn;
  const quietNan = (exponent << mantissaBits) | (1n << (mantissaBits - 1n));
  const magnitude = actual & ((1n << BigInt(bits - 1)) - 1n);
  // Canonical: exactly the quiet bit set in the payload; arithmetic: at least it.
  return expected === 'nan:canonical' ? magnitude === quietNan : (magnitude & quietNan) === quietNan;
}

function laneBits(bytes: Uint8Array, lane: number, bits: number): bigint {
  const width = bits / 8;
  let value = 0n;
  for (let b = width - 1; b >= 0; b--) value = (value << 8n) | BigInt(bytes[lane * width + b]);
  return value;
}

function describePattern(pattern: ResultPattern): string {
  switch (pattern.type) {
    case 'i32':
    case 'i64':
      return `(${pattern.type}.const ${pattern.value})`;
    case 'f32':
    case 'f64': {
      const digits = pattern.type === 'f32' ? 8 : 16;
      return `(${pattern.type}.const ${'nan' in pattern ? pattern.nan : `bits 0x${pattern.bits.toString(16).padStart(digits, '0')}`})`;
    }
    case 'v128':
      return `(v128.const ${pattern.shape} ${pattern.lanes.map((l) => (typeof l === 'bigint' ? `0x${l.toString(16)}` : l)).join(' ')})`;
    case 'ref.null':
      return pattern.heap === undefined ? '(ref.null)' : `(ref.null ${pattern.heap})`;
    case 'ref.host':
    case 'ref.extern':
      return `(${pattern.type} ${pattern.value})`;
    case 'ref':
      return pattern.heap === 'any' ? '(ref)' : `(ref.${pattern.heap})`;
    case 'either':
      return `(either ${pattern.options.map(describePattern).join(' ')})`;
  }
}

function describeCommand(command: Command): string {
  switch (command.kind) {
    case 'module':
      return ['module', command.definition ? 'definition' : undefined, command.name].filter(Boolean).join(' ');
    case 'instance':
      return ['module instance', command.instance, command.module].filter(Boolean).join(' ');
    case 'register':
      return `register "${command.as}"`;
    case 'action':
      return describeAction(command.action);
    case 'assert_return':
    case 'assert_trap':
    case 'assert_exhaustion':
    case 'assert_exception':
      return `${command.kind} ${describeAction(command.action)}`;
    case 'assert_malformed':
    case 'assert_invalid':
      return `${command.kind} "${command.message}"`;
    case 'assert_unlinkable':
    case 'assert_uninstantiable':
      return `${command.kind === 'assert_uninstantiable' ? 'assert_trap' : command.kind} (${describeCommand(command.target)}) "${command.message}"`;
  }
}

function describeAction(action: Action): string {
  return `(${[action.kind, action.instance, JSON.stringify(action.name)].filter(Boolean).join(' ')})`;
}
