/**
 * `value` rounded to three significant digits, then put in the largest of `units` (each
 * `step` times the one before) that it reaches: rounding first, so that a value that
 * rounds up into the next unit is printed in it (999.7 µs is 1.00 ms, not "1.00e+3 µs").
 */
function inUnits(value: number, units: readonly string[], step: number): string {
  let scaled = Number(value.toPrecision(3));
  let unit = 0;
  while (unit < units.length - 1 && scaled >= step) {
    scaled /= step;
    unit++;
  }
  return `${unit === 0 ? scaled.toFixed(0) : scaled.toPrecision(3)} ${units[unit]}`;
}

/** Durations for people: nanoseconds in, the unit that keeps three significant digits out. */
export function formatDuration(ns: number): string {
  if (ns < 10) return `${ns.toFixed(2)} ns`;
  return inUnits(ns, ['ns', 'µs', 'ms', 's'], 1_000);
}

/** Memory sizes for people, in decimal units with three significant digits: `3.31 MB`, `812 kB`. */
export function formatBytes(bytes: number): string {
  return inUnits(bytes, ['B', 'kB', 'MB', 'GB'], 1_000);
}

/** Wall-clock spans for progress lines: `42 s`, `3 min 05 s`. */
export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** The command line this process was started with, as a shell would take it back. */
export function invocation(): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['npx instlab', ...process.argv.slice(2).map(quote)].join(' ');
}
