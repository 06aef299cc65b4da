// `instlab strategies`: the strategies by name, with what each does.
import { DEFAULT_STRATEGY, strategies, strategyByName } from '../variants/registry.ts';
import type { Strategy } from '../runtime/instance/initializer.ts';
import { UsageError } from './bad-input.ts';

export function strategiesCommand(options: { json?: boolean }): number {
  if (options.json === true) {
    const rows = strategies.map(({ name, description }) => ({ name, description, default: name === DEFAULT_STRATEGY }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...strategies.map((s) => s.name.length));
  for (const { name, description } of strategies) {
    process.stdout.write(`${name.padEnd(width)}  ${description}${name === DEFAULT_STRATEGY ? ' (default)' : ''}\n`);
  }
  return 0;
}

/** The named strategy, or bad input listing the names there are. */
export function requireStrategy(name: string): Strategy {
  const strategy = strategyByName(name);
  if (strategy === undefined) {
    throw new UsageError(`unknown strategy "${name}" (one of: ${strategies.map((s) => s.name).join(', ')})`);
  }
  return strategy;
}
