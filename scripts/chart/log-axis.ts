// Log axes that read like a paper's: ticks and grid lines at the powers of ten only (vega
// draws a line per digit on a log scale of several decades), and labels that never use
// SI's milli, which beside microseconds reads as a unit.

/** The powers of ten that span `values`. */
export function decades(values: readonly number[]): number[] {
  const finite = values.filter((v) => v > 0 && Number.isFinite(v));
  if (finite.length === 0) return [1];
  const lo = Math.floor(Math.log10(Math.min(...finite)));
  const hi = Math.ceil(Math.log10(Math.max(...finite)));
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
}

/** A vega label expression: 0.1 and 0.01 as decimals, 1k and 10k with SI prefixes. */
export const DECADE_LABEL = "datum.value < 1 ? format(datum.value, '~g') : format(datum.value, '~s')";

/** True for a tick at a power of ten (vega's log ticks add 2, 4, 7 … on narrow domains). */
const AT_DECADE = 'abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-9';

/**
 * Axis properties for a log axis whose tick values cannot be fixed (each panel has its own
 * scale): labels and grid lines at the powers of ten only, whatever ticks vega picks.
 */
export const DECADES_ONLY = {
  labelExpr: `${AT_DECADE} ? (${DECADE_LABEL}) : ''`,
  gridOpacity: { condition: { test: AT_DECADE, value: 1 }, value: 0 },
  tickOpacity: { condition: { test: AT_DECADE, value: 1 }, value: 0 },
} as const;
