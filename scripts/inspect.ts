// `instlab inspect FILE`: instantiate a module and print its instance state.
import { compile } from '../runtime/module/compile.ts';
import { instantiate } from '../runtime/instance/instantiate.ts';
import { describeInstance, type ExportState, type InstanceState } from '../runtime/embedder/instance-state.ts';
import type { StateValue } from '../runtime/embedder/state-value.ts';
import { Store, type ImportResolver } from '../runtime/instance/store.ts';
import { stubImports } from '../runtime/embedder/stub-imports.ts';
import { BadInput, UsageError } from './bad-input.ts';
import { readImportsFile } from './imports-file.ts';
import { importsFromJson, ImportsJsonError } from '../workloads/imports-json.ts';
import { resolveModule, type ResolvedModule } from './workloads.ts';
import { resolveWorkloadImports } from '../workloads/imports.ts';
import { requireStrategy } from './strategies.ts';
import { DEFAULT_STRATEGY, strategies } from '../variants/registry.ts';
import { compiledSource } from '../variants/compiled.ts';
import type { Strategy } from '../runtime/instance/initializer.ts';
import type { InstantiationCounters } from '../runtime/instance/counters.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import { InternalError } from '../runtime/errors.ts';

export interface InspectOptions {
  readonly strategy?: string;
  readonly imports?: string;
  readonly stubImports?: boolean;
  readonly skipStart?: boolean;
  readonly json?: boolean;
  /** Print the deterministic operation counters of the instantiation, per strategy. */
  readonly counters?: boolean;
  /** Print the `compiled` strategy's generated initializer instead of the state. */
  readonly showCode?: boolean;
}

export async function inspectCommand(file: string, options: InspectOptions): Promise<number> {
  if (options.imports !== undefined && options.stubImports === true) {
    throw new UsageError('--imports and --stub-imports exclude each other');
  }
  const strategy = requireStrategy(options.strategy ?? DEFAULT_STRATEGY);
  const module = await resolveModule(file);
  if (options.showCode === true) {
    if (options.strategy !== undefined && options.strategy !== 'compiled') {
      throw new UsageError('--show-code prints the compiled strategy\'s code; it takes no other --strategy');
    }
    process.stdout.write(`${compiledSource(withFile(file, () => compile(module.bytes)))}\n`);
    return 0;
  }
  if (options.counters === true) {
    const rows: Record<string, InstantiationCounters & { liveObjects: number; liveBytes: number }> = {};
    const names = options.strategy === undefined ? strategies.map((s) => s.name) : [strategy.name];
    for (const name of names) {
      const instance = await instantiateModule(module, requireStrategy(name), options);
      const { liveObjects, liveBytes } = instance.store.heap.stats();
      rows[name] = { ...instance.counters, liveObjects, liveBytes };
    }
    process.stdout.write(options.json === true ? `${JSON.stringify(rows, null, 2)}\n` : formatCounters(rows));
    return 0;
  }
  const instance = await instantiateModule(module, strategy, options);
  const state = withFile(module.name, () => describeInstance(instance));
  process.stdout.write(options.json === true ? `${JSON.stringify(state, null, 2)}\n` : formatState(module.name, state));
  return 0;
}

/**
 * Instantiates a file or workload. Imports: the --imports file, else stubs if asked,
 * else what a workload declares (its given externs, stubs for the rest), else none.
 */
async function instantiateModule(module: ResolvedModule, strategy: Strategy, options: InspectOptions): Promise<Instance> {
  const { name, bytes } = module;
  const store = new Store({ gc: { capacityBytes: module.gcHeapBytes } });
  const compiled = withFile(name, () => compile(bytes));
  let resolve: ImportResolver = () => undefined;
  if (options.imports !== undefined) {
    const json = await readImportsFile(options.imports);
    try {
      resolve = importsFromJson(store, compiled, json, options.imports);
    } catch (error) {
      if (error instanceof ImportsJsonError) throw new BadInput(error.message, { cause: error });
      throw error;
    }
  } else if (options.stubImports === true) resolve = withFile(name, () => stubImports(store, compiled));
  else if (module.imports !== undefined) resolve = withFile(name, () => resolveWorkloadImports(store, compiled, module.imports!));
  return withFile(name, () => instantiate(store, compiled, resolve, { skipStart: options.skipStart, strategy }));
}

function formatCounters<Row extends object>(rows: Record<string, Row>): string {
  const names = Object.keys(rows);
  const fields = Object.keys(rows[names[0]]) as (keyof Row)[];
  const width = Math.max(...names.map((n) => n.length), 'strategy'.length);
  const header = ['strategy'.padEnd(width), ...fields.map((f) => String(f).padStart(13))].join(' ');
  const lines = names.map((name) => [name.padEnd(width), ...fields.map((f) => String(rows[name][f]).padStart(13))].join(' '));
  return `${[header, ...lines].join('\n')}\n`;
}

/** The runtime's answers about the module become bad input naming the file; a bug stays a crash. */
function withFile<T>(file: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    const crash = error instanceof InternalError || error instanceof TypeError || error instanceof RangeError;
    if (error instanceof Error && !crash) {
      throw new BadInput(`${file}: ${error.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

const SHOWN_ELEMENTS = 16;

function formatState(file: string, state: InstanceState): string {
  const entries = Object.entries(state.exports);
  const lines = [`${file}: ${entries.length} export${entries.length === 1 ? '' : 's'}`];
  // Not Math.max(...names): spreading 100,000 exports as arguments overflows the stack.
  const width = entries.reduce((widest, [name]) => Math.max(widest, name.length), 0);
  for (const [name, exp] of entries) lines.push(`  ${exp.kind.padEnd(6)} ${name.padEnd(width)}  ${formatExport(exp)}`);
  return `${lines.join('\n')}\n`;
}

function formatExport(exp: ExportState): string {
  switch (exp.kind) {
    case 'func':
      return `func ${exp.index}`;
    case 'tag':
      return `tag ${exp.index}`;
    case 'global':
      return `${exp.mutable ? 'mut ' : ''}${exp.type} = ${formatValue(exp.value)}`;
    case 'table': {
      const shown = exp.elements.slice(0, SHOWN_ELEMENTS).map(formatValue).join(', ');
      const more = exp.size > SHOWN_ELEMENTS ? `, … ${exp.size - SHOWN_ELEMENTS} more` : '';
      return `${exp.type}, size ${exp.size}: [${shown}${more}]`;
    }
    case 'memory':
      return `${exp.pages} page${exp.pages === 1 ? '' : 's'}, sha256 ${exp.sha256}`;
  }
}

function formatValue(value: StateValue): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return String(value);
  if ('func' in value) return `func ${value.func}`;
  return JSON.stringify(shortened(value));
}

/** A GC object with at most SHOWN_ELEMENTS fields or elements per level: a line, not megabytes (--json has all). */
function shortened(value: StateValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  const list = 'fields' in value ? value.fields : 'elements' in value ? value.elements : undefined;
  if (list === undefined) return value;
  const shown: unknown[] = list.slice(0, SHOWN_ELEMENTS).map(shortened);
  if (list.length > SHOWN_ELEMENTS) shown.push(`… ${list.length - SHOWN_ELEMENTS} more`);
  return 'fields' in value ? { ...value, fields: shown } : { ...value, elements: shown };
}
