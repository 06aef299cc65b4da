// The fuzzing loop, in a child process so that the parent can kill a case that runs too
// long (a hang) and survive one that aborts or exhausts the heap. A worker thread would
// share the process: terminating one in the middle of a V8 compile took the whole
// process down now and then. The child announces each case (and each minimization
// attempt) before running it, so the parent knows which mutant a hang is.
import { loadCorpus, type CorpusOptions } from './corpus.ts';
import { MutantSource } from './mutant.ts';
import { fuzzMutant, type Finding } from './fuzz-case.ts';
import type { Outcome } from './outcome.ts';

export interface ChildInput {
  readonly seed: number;
  /** Index of the first mutant to run. */
  readonly start: number;
  readonly corpus: CorpusOptions;
  /** When to stop (epoch ms): the child checks it between cases. */
  readonly deadline: number;
  /** Signatures already reported, so a restarted child does not report them again. */
  readonly seen: readonly string[];
}

export type ChildMessage =
  /** Mutant `index` is about to run (again, for a minimization attempt). */
  | { readonly kind: 'case'; readonly index: number }
  | { readonly kind: 'progress'; readonly counts: Partial<Record<Outcome, number>>; readonly next: number; readonly rssBytes: number; readonly heapBytes: number }
  | { readonly kind: 'finding'; readonly finding: Finding };

const REPORT_EVERY_MS = 250;

/** The process's RSS, and the part of it that is JavaScript heap (the runtime's own objects). */
function memory(): { rssBytes: number; heapBytes: number } {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapBytes: heapUsed };
}

function send(message: ChildMessage): void {
  process.send!(message);
}

async function run(input: ChildInput): Promise<void> {
  const source = new MutantSource(await loadCorpus(input.corpus));
  const seen = new Set(input.seen);
  let counts: Partial<Record<Outcome, number>> = {};
  let reported = performance.now();
  let index = input.start;
  // A first sample of RSS, the corpus loaded: a child killed in its first case still gives one.
  send({ kind: 'progress', counts, next: index, ...memory() });
  for (; Date.now() < input.deadline; index++) {
    send({ kind: 'case', index });
    const { outcome, finding } = fuzzMutant(source.mutant(input.seed, index), seen, () => send({ kind: 'case', index }));
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (finding !== undefined) send({ kind: 'finding', finding });
    if (performance.now() - reported >= REPORT_EVERY_MS) {
      send({ kind: 'progress', counts, next: index + 1, ...memory() });
      counts = {};
      reported = performance.now();
      // Let the event loop flush the IPC channel, should the pipe have filled.
      await new Promise(setImmediate);
    }
  }
  send({ kind: 'progress', counts, next: index, ...memory() });
  process.disconnect();
}

process.once('message', (input: ChildInput) => void run(input));
