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
