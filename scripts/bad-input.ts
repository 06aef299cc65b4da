// Bad input or usage: the CLI prints the message on one line and exits with status 2.
export class BadInput extends Error {
  override name = 'BadInput';
}

/** Bad input that is the command line itself (an option's value, a name): the CLI adds the usage hint. */
export class UsageError extends BadInput {
  override name = 'UsageError';
}

/** A command-line count or seed: decimal digits only (`0x10`, `1e3` and `2.5` are refused, not read as something else). */
export function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${text}`);
  return value;
}
