// Durations for people: nanoseconds in, the unit that keeps three significant digits out.
export function formatDuration(ns: number): string {
  if (ns < 10) return `${ns.toFixed(2)} ns`;
  // Rounded to three digits before the unit is chosen: 999.7 µs is 1.00 ms, not "1.00e+3 µs".
  const rounded = Number(ns.toPrecision(3));
  if (rounded < 1_000) return `${rounded.toFixed(0)} ns`;
  if (rounded < 1_000_000) return `${(rounded / 1_000).toPrecision(3)} µs`;
  if (rounded < 1_000_000_000) return `${(rounded / 1_000_000).toPrecision(3)} ms`;
  return `${(rounded / 1_000_000_000).toPrecision(3)} s`;
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
