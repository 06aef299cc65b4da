// Durations as people read them: three significant digits in the unit that keeps them,
// also where rounding carries into the next unit.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatSeconds } from './format.ts';

describe('formatDuration', () => {
  it('keeps three significant digits in each unit', () => {
    expect(formatDuration(4.5)).toBe('4.50 ns');
    expect(formatDuration(812)).toBe('812 ns');
    expect(formatDuration(12_345)).toBe('12.3 µs');
    expect(formatDuration(2_250_000)).toBe('2.25 ms');
    expect(formatDuration(3_400_000_000)).toBe('3.40 s');
  });

  it('moves to the next unit when rounding carries (999.7 µs is 1.00 ms)', () => {
    expect(formatDuration(999.6)).toBe('1.00 µs');
    expect(formatDuration(999_700)).toBe('1.00 ms');
    expect(formatDuration(999_700_000)).toBe('1.00 s');
  });
});

describe('formatSeconds', () => {
  it('prints minutes past a minute', () => {
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(185)).toBe('3 min 05 s');
  });
});
