// One mutant through the differential check, and what a run keeps of it: the outcome,
// and for a new kind of finding a minimized reproducer.
import { classify, FINDINGS, type Outcome, type Verdict } from './outcome.ts';
import { minimize } from './minimize.ts';
import type { Mutant } from './mutant.ts';

export interface Finding {
  readonly outcome: Outcome;
  readonly detail: string;
  readonly signature: string;
  /** The minimized reproducer. */
  readonly bytes: Uint8Array;
  readonly mutant: Omit<Mutant, 'bytes'> & { readonly bytes: number };
}

/** The kind of a finding: its outcome and what each side said, numbers and names left out. */
export function signature(verdict: Verdict): string {
  return `${verdict.outcome}: ${verdict.detail.replace(/"[^"]*"|'[^']*'/g, '…').replace(/\d+/g, 'N').replace(/@\+N/g, '')}`;
}

/**
 * Classifies `mutant`; a finding whose signature is not in `seen` is minimized (calling
 * `progress` before each attempt, for the watchdog), added to `seen` and returned.
 */
export function fuzzMutant(mutant: Mutant, seen: Set<string>, progress: () => void = () => {}): { outcome: Outcome; finding?: Finding } {
  const verdict = classifyGuarded(mutant.bytes);
  if (!FINDINGS.has(verdict.outcome)) return { outcome: verdict.outcome };
  const kind = signature(verdict);
  if (seen.has(kind)) return { outcome: verdict.outcome };
  seen.add(kind);
  const bytes = minimize(mutant.bytes, (candidate) => {
    progress();
    return signature(classifyGuarded(candidate)) === kind;
  });
  const { bytes: original, ...rest } = mutant;
  return { outcome: verdict.outcome, finding: { outcome: verdict.outcome, detail: verdict.detail, signature: kind, bytes, mutant: { ...rest, bytes: original.length } } };
}

/** `classify`, with anything it throws (a bug of the harness or of a side it did not guard) as a crash. */
function classifyGuarded(bytes: Uint8Array): Verdict {
  try {
    return classify(bytes);
  } catch (error) {
    return { outcome: 'crash', detail: `uncaught: ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}` };
  }
}
