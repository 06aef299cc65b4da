// The fuzzing loop, in a child process so that the parent can kill a case that runs too
// long (a hang) and survive one that aborts or exhausts the heap. A worker thread would
// share the process: terminating one in the middle of a V8 compile took the whole
// process down now and then. The child announces each case (and each minimization
// attempt) before running it, so the parent knows which mutant a hang is.
import { getHeapStatistics } from 'node:v8';
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
  /** The index to stop before: a child runs a bounded number of mutants (fuzz.ts, `CHILD_MUTANTS`). */
  readonly end: number;
  /** Signatures already reported, so a restarted child does not report them again. */
  readonly seen: readonly string[];
}

export type ChildMessage =
  /** Mutant `index` is about to run (again, for a minimization attempt). */
  | { readonly kind: 'case'; readonly index: number }
  | {
      readonly kind: 'progress';
      readonly counts: Partial<Record<Outcome, number>>;
      readonly next: number;
      /** RSS now, garbage and all: what the peak is taken from. */
      readonly rssBytes: number;
      /** What the child holds right after a full collection, every few seconds: what a leak would grow. */
      readonly retained?: Retained;
    }
  | { readonly kind: 'finding'; readonly finding: Finding };

const REPORT_EVERY_MS = 250;
/**
 * How often memory is measured after a full collection. Between collections the heap
 * holds whatever garbage V8 has not collected yet (with the child's 3 GB heap limit, V8
 * lets it grow lazily: RSS sampled as it came rose from 213 to 793 MB over 6 minutes,
 * seed 20261207), which says nothing about leaks; what survives a collection does. A
 * full collection of this heap takes some 10–30 ms.
 */
const RETAINED_EVERY_MS = 5000;

/** Memory after a full collection, in its parts. */
export interface Retained {
  readonly rssBytes: number;
  /**
   * The JavaScript heap and the array buffers' contents: everything this runtime
   * allocates (it is TypeScript; its memories and tables are typed arrays and arrays).
   */
  readonly heapBytes: number;
  /** The JavaScript heap's committed pages, used or not (V8 gives them back lazily). */
  readonly committedHeapBytes: number;
  /** What V8 itself has allocated with malloc outside the heap (compiler zones, wasm metadata). */
  readonly mallocedBytes: number;
}

const collect = (globalThis as { gc?: () => void }).gc;

/** The process's RSS, and after a full collection also what it retains. */
function memory(retained: boolean): { rssBytes: number; retained?: Retained } {
  const rssBytes = process.memoryUsage.rss();
  if (!retained || collect === undefined) return { rssBytes };
  collect();
  const after = process.memoryUsage();
  return { rssBytes, retained: { rssBytes: after.rss, heapBytes: after.heapUsed + after.arrayBuffers, committedHeapBytes: after.heapTotal, mallocedBytes: getHeapStatistics().malloced_memory } };
}

function send(message: ChildMessage): void {
  process.send!(message);
}

async function run(input: ChildInput): Promise<void> {
  const source = new MutantSource(await loadCorpus(input.corpus));
  const seen = new Set(input.seen);
  let counts: Partial<Record<Outcome, number>> = {};
  let reported = performance.now();
  let collected = reported;
  let index = input.start;
  // A first sample of RSS, the corpus loaded: a child killed in its first case still gives one.
  send({ kind: 'progress', counts, next: index, ...memory(true) });
  for (; Date.now() < input.deadline && index < input.end; index++) {
    send({ kind: 'case', index });
    const { outcome, finding } = fuzzMutant(source.mutant(input.seed, index), seen, () => send({ kind: 'case', index }));
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (finding !== undefined) send({ kind: 'finding', finding });
    if (performance.now() - reported >= REPORT_EVERY_MS) {
      const retained = performance.now() - collected >= RETAINED_EVERY_MS;
      if (retained) collected = performance.now();
      send({ kind: 'progress', counts, next: index + 1, ...memory(retained) });
      counts = {};
      reported = performance.now();
      // Let the event loop flush the IPC channel, should the pipe have filled.
      await new Promise(setImmediate);
    }
  }
  send({ kind: 'progress', counts, next: index, ...memory(true) });
  process.disconnect();
}

process.once('message', (input: ChildInput) => void run(input));
