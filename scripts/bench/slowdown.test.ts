import { describe, expect, it } from 'vitest';
import { injectionUnits, injectWork, measureUnitNs, parseSlowdown } from './slowdown.ts';

describe('injected slowdowns', () => {
  it('do as many units of work as asked', () => {
    expect(injectWork(0)).toBe(0);
    expect(injectWork(1234)).toBe(1234);
  });

  it('size the work in proportion to the percentage and the row\'s warm time', () => {
    expect(injectionUnits(10, 2_000_000, 100)).toBe(2000);
    expect(injectionUnits(20, 2_000_000, 100)).toBe(2 * injectionUnits(10, 2_000_000, 100));
    expect(injectionUnits(40, 2_000_000, 100)).toBe(4 * injectionUnits(10, 2_000_000, 100));
    expect(injectionUnits(10, 4_000_000, 100)).toBe(2 * injectionUnits(10, 2_000_000, 100));
  });

  it('time a unit with the clock it is given', () => {
    let now = 0;
    // A clock that advances 5 ns per unit read between two calls: one batch of 2000 units.
    const clock = () => (now += 5000);
    expect(measureUnitNs(clock)).toBe(2.5);
  });

  it('parse NAME=PCT for a measured strategy only', () => {
    expect(parseSlowdown('cached=12.5', ['val', 'cached'])).toEqual({ strategy: 'cached', percent: 12.5 });
    expect(() => parseSlowdown('cached', ['cached'])).toThrow(/NAME=PCT/);
    expect(() => parseSlowdown('raw=10', ['cached'])).toThrow(/not a measured strategy/);
    expect(() => parseSlowdown('cached=0', ['cached'])).toThrow(/PCT must be/);
  });
});
