import { describe, expect, it } from 'vitest';
import { injectionUnits, injectWork, measureUnitNs, parseSlowdown } from './slowdown.ts';
import { SizedInjection } from './warm-up.ts';

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

  it('add the same work to every call, timed or not, and follow the row\'s uninjected time when resized', () => {
    let calls = 0;
    // 10 % of a 2 µs row in 10 ns units: 20 units a call.
    const sized = new SizedInjection(() => calls++, 10, 2_000, 10, 0);
    const done = Array.from({ length: 16 }, () => sized.run());
    expect(calls).toBe(16);
    expect(done).toEqual(Array(16).fill(injectionUnits(10, 2_000, 10)));
    expect(sized.injection).toMatchObject({ percent: 10, warmNs: 2_000, units: 20 });
    // Resized to a row four times as long: four times the units, at whatever a unit cost meanwhile.
    sized.resize(8_000);
    const { unitNs, units } = sized.injection;
    expect(units).toBe(injectionUnits(10, 8_000, unitNs));
    expect(sized.run()).toBe(units);
    expect(sized.addedNs).toBe(units * unitNs);
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
