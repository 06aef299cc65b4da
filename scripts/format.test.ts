// Durations as people read them: three significant digits in the unit that keeps them,
// also where rounding carries into the next unit.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatSeconds } from './format.ts';

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

describe('formatBytes', () => {
  it('keeps three significant digits in decimal units, moving up where rounding carries', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(812_345)).toBe('812 kB');
    expect(formatBytes(3_314_000)).toBe('3.31 MB');
    expect(formatBytes(999_700)).toBe('1.00 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.50 GB');
  });
});

describe('formatSeconds', () => {
  it('prints minutes past a minute', () => {
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(185)).toBe('3 min 05 s');
  });
});
