// The strategies by name. The names are part of the CLI and results contract.
import type { Strategy } from '../runtime/instance/initializer.ts';
import { cached } from './cached.ts';
import { compiledStrategy } from './compiled.ts';
import { fastPath } from './fast-path.ts';
import { raw } from './raw.ts';
import { val } from './val.ts';

export const strategies: readonly Strategy[] = [raw, val, fastPath, cached, compiledStrategy];

/** The strategy `instantiate` uses when none is named. */
export const DEFAULT_STRATEGY = 'val';

export function strategyByName(name: string): Strategy | undefined {
  return strategies.find((s) => s.name === name);
}

export function defaultStrategy(): Strategy {
  return strategyByName(DEFAULT_STRATEGY)!;
}
