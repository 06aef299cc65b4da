// The fuzzing loop, in a worker thread so that the main thread can stop a case that runs
// too long (a hang) and survive one that exhausts the worker's heap. The mutant under
// test is published in shared memory: its index and when it started.
import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpus, type CorpusOptions } from './corpus.ts';
import { MutantSource } from './mutant.ts';
import { fuzzMutant, type Finding } from './fuzz-case.ts';
import type { Outcome } from './outcome.ts';

export interface WorkerInput {
  readonly seed: number;
  /** Index of the first mutant to run. */
  readonly start: number;
  readonly corpus: CorpusOptions;
  /** [0] the running mutant's index, [1] 1 once the worker should stop. */
  readonly control: SharedArrayBuffer;
  /** [0] when the running case started (performance.timeOrigin + now, in ms). */
  readonly clock: SharedArrayBuffer;
  /** Signatures already reported, so a restarted worker does not report them again. */
  readonly seen: readonly string[];
}

export type WorkerMessage =
  | { readonly kind: 'progress'; readonly counts: Partial<Record<Outcome, number>>; readonly next: number }
  | { readonly kind: 'finding'; readonly finding: Finding };

const REPORT_EVERY_MS = 250;

const input = workerData as WorkerInput;
const control = new Int32Array(input.control);
const clock = new Float64Array(input.clock);
const source = new MutantSource(await loadCorpus(input.corpus));
const seen = new Set(input.seen);
let counts: Partial<Record<Outcome, number>> = {};
let reported = performance.now();
const now = () => performance.timeOrigin + performance.now();

for (let index = input.start; Atomics.load(control, 1) === 0; index++) {
  Atomics.store(control, 0, index);
  clock[0] = now();
  const { outcome, finding } = fuzzMutant(source.mutant(input.seed, index), seen, () => (clock[0] = now()));
  counts[outcome] = (counts[outcome] ?? 0) + 1;
  if (finding !== undefined) parentPort!.postMessage({ kind: 'finding', finding } satisfies WorkerMessage);
  if (performance.now() - reported >= REPORT_EVERY_MS) {
    parentPort!.postMessage({ kind: 'progress', counts, next: index + 1 } satisfies WorkerMessage);
    counts = {};
    reported = performance.now();
  }
}
parentPort!.postMessage({ kind: 'progress', counts, next: Atomics.load(control, 0) + 1 } satisfies WorkerMessage);
