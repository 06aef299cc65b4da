// Shrinking a finding to a small reproducer: whole sections first, then ever smaller runs
// of bytes, each removal kept while the mutant still gives the same outcome.
import { sectionSpans } from './mutate.ts';

/** At most this many attempts: a reproducer a little larger is worth more than a stalled run. */
const MAX_ATTEMPTS = 400;

export function minimize(bytes: Uint8Array, same: (candidate: Uint8Array) => boolean): Uint8Array {
  let best = bytes;
  let attempts = 0;
  const attempt = (candidate: Uint8Array): boolean => {
    attempts++;
    if (candidate.length >= best.length || !same(candidate)) return false;
    best = candidate;
    return true;
  };
  const without = (from: Uint8Array, start: number, end: number): Uint8Array => {
    const out = new Uint8Array(from.length - (end - start));
    out.set(from.subarray(0, start));
    out.set(from.subarray(end), start);
    return out;
  };
  for (const span of sectionSpans(best).reverse()) {
    if (attempts >= MAX_ATTEMPTS) return best;
    attempt(without(best, span.start, span.end));
  }
  // Bytes after the header, in halving chunks.
  for (let chunk = Math.max(1, best.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let start = 8; start + chunk <= best.length; ) {
      if (attempts >= MAX_ATTEMPTS) return best;
      if (!attempt(without(best, start, start + chunk))) start += chunk;
    }
  }
  return best;
}
