// Validating the function bodies of a large module on more than one core, as V8 does
// (`new WebAssembly.Module` of esbuild-wasm uses 41–55 ms of CPU in 25–39 ms of wall
// time on two cores; with `--single-threaded`, 57 ms). Before the main thread decodes,
// the code section is cut into chunks of bodies by their sizes, the module's bytes are
// copied into shared memory, and the helper threads are woken; a helper decodes the
// module too (the decodes run at the same time), then every thread takes the next chunk
// from a shared counter until none is left, so a thread that started later or met
// slower bodies simply takes fewer. `compile` stays synchronous: the main thread then
// waits on each helper's word in shared memory.
//
// Only helpers that are loaded take work, so the first large compile of a process runs
// on one thread and starts them. The answer never depends on the helpers: if any chunk
// fails on any thread, or a helper does not answer in time, the main thread validates
// the bodies again on its own, and throws exactly what validating on one thread throws
// (which error comes first, malformed before invalid, is the spec's order over all).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ByteReader } from '../binary/byte-reader.ts';
import type { ImplementationLimits } from '../implementation-limits.ts';
import type { Module } from '../module/module.ts';
import type { ModuleInfo } from '../module/module-info.ts';
import { bodyValidator } from './validate-function.ts';
import {
  BODY_CONTROL_WORDS,
  BODY_JOB_FAILED,
  BODY_JOB_IDLE,
  BODY_JOB_RUNNING,
  BODY_JOB_STATE,
  BODY_JOB_STOP,
  BODY_WORKER_READY,
  type BodyJob,
} from './body-job.ts';

/** Helpers at most, whatever the machine has: past a few, copying and decoding the module again per helper costs more than its share saves. */
const MAX_HELPERS = 3;

/**
 * Code sections smaller than this are validated on one thread: a helper's fixed cost
 * (copying the module, waking it, its own decode: some 0.1–0.2 ms) would be most of
 * what it saves on less.
 */
export const PARALLEL_CODE_BYTES = 128 * 1024;

/** One fewer than the cores the process may use, at most `MAX_HELPERS`. */
export function defaultHelperThreads(): number {
  return Math.max(0, Math.min(MAX_HELPERS, availableParallelism() - 1));
}

interface Helper {
  readonly worker: Worker;
  readonly control: Int32Array;
  /** False once the thread has failed or given no answer in time: it takes no more work. */
  usable: boolean;
}

const helpers: Helper[] = [];
/** Jobs given to helpers, and jobs a helper did not answer as valid (failed or timed out), for tests and the bench. */
const stats = { jobs: 0, unanswered: 0 };
/**
 * The module bytes the helpers read, kept for the next compile up to `KEEP_SHARED_BYTES`
 * (a larger module gets a buffer of its own, dropped with the compile).
 */
let shared = new SharedArrayBuffer(0);
const KEEP_SHARED_BYTES = 64 << 20;

/** Helpers that may still be started: one that fails to load, or stops answering, is replaced, up to this many times. */
let startsLeft = 2 * MAX_HELPERS + 2;

function startHelper(): Helper | undefined {
  startsLeft--;
  const control = new Int32Array(new SharedArrayBuffer(BODY_CONTROL_WORDS * 4));
  let worker: Worker;
  try {
    worker = new Worker(new URL('./body-worker.ts', import.meta.url), { workerData: { control: control.buffer } });
  } catch {
    // Threads cannot be made here: validate on one thread from now on.
    startsLeft = 0;
    return undefined;
  }
  // The helpers never keep a process alive.
  worker.unref();
  const helper: Helper = { worker, control, usable: true };
  const retire = (): void => {
    helper.usable = false;
  };
  worker.on('error', retire);
  worker.on('exit', retire);
  return helper;
}

export function helperStats(): { readonly jobs: number; readonly unanswered: number } {
  return { ...stats };
}

/**
 * Starts `n` helpers (if not started) and resolves, with how many are loaded, once each
 * is loaded or has failed: a process that compiles large modules and wants its first
 * compile in parallel too awaits this first.
 */
export async function helpersReady(n = defaultHelperThreads()): Promise<number> {
  idleHelpers(n);
  const started = helpers.slice(0, n);
  const deadline = performance.now() + LOAD_PATIENCE_MS;
  const loaded = (): number => started.filter((h) => h.usable && Atomics.load(h.control, BODY_WORKER_READY) === 1).length;
  while (started.some((h) => h.usable && Atomics.load(h.control, BODY_WORKER_READY) === 0) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return loaded();
}

/** A helper loads in some 180 ms (its modules are read and compiled once per thread). */
const LOAD_PATIENCE_MS = 10_000;

/** The helpers that are loaded and idle, at most `n`; starts the missing ones for next time. */
function idleHelpers(n: number): Helper[] {
  // Retired helpers (failed to load, stopped answering) make room for new ones.
  for (let i = helpers.length - 1; i >= 0; i--) if (!helpers[i].usable) helpers.splice(i, 1);
  while (helpers.length < n && startsLeft > 0) {
    const helper = startHelper();
    if (helper !== undefined) helpers.push(helper);
  }
  return helpers
    .slice(0, n)
    .filter((h) => h.usable && Atomics.load(h.control, BODY_WORKER_READY) === 1 && Atomics.load(h.control, BODY_JOB_STATE) === BODY_JOB_IDLE);
}

/**
 * The start of each of `parts` ranges of function bodies (fewer if a body is longer than
 * a range), split by body bytes, read from the section headers and body sizes alone;
 * undefined if the module is too small to be worth it, has one range only, or does not
 * read as a module (the decoder then says what is wrong).
 */
export function splitBodies(bytes: Uint8Array, parts: number, minCodeBytes: number): number[] | undefined {
  try {
    const r = new ByteReader(bytes, 8);
    while (r.pos < bytes.length) {
      const id = r.u8();
      const size = r.u32();
      const end = r.pos + size;
      if (id !== 10) {
        r.skip(size);
        continue;
      }
      if (size < minCodeBytes) return undefined;
      const count = r.count();
      const starts = [0];
      const codeStart = r.pos;
      for (let i = 0; i < count && starts.length < parts; i++) {
        // Body i starts the next range once the bodies before it fill this one's share.
        if (r.pos - codeStart >= (starts.length * (end - codeStart)) / parts) starts.push(i);
        r.skip(r.u32());
      }
      return starts.length > 1 ? starts : undefined;
    }
  } catch {
    // Not well formed: decoding will say so.
  }
  return undefined;
}

/** Bodies cut into chunks that helpers take, as the main thread does, from a shared counter. */
export interface HelperJobs {
  /** The first body of each chunk; the last chunk ends with the module's last body. */
  readonly chunks: readonly number[];
  /** The next chunk nobody has taken, or -1. */
  take(): number;
  /** Waits for every helper; false if one failed or gave no answer within `patienceMs`. */
  wait(patienceMs: number): boolean;
  /** The answers no longer matter: helpers stop at their next body, and are waited for. */
  abandon(): void;
}

/** Chunks per thread: enough that threads that start apart, or meet slower bodies, still end together. */
const CHUNKS_PER_THREAD = 16;

/**
 * Wakes helpers on the module's bodies, if the module is large enough and `threads`
 * helpers (or fewer) are ready; undefined otherwise.
 */
export function startHelperJobs(bytes: Uint8Array, limits: ImplementationLimits, threads: number, minCodeBytes = PARALLEL_CODE_BYTES): HelperJobs | undefined {
  if (threads <= 0) return undefined;
  const chunks = splitBodies(bytes, (threads + 1) * CHUNKS_PER_THREAD, minCodeBytes);
  if (chunks === undefined) return undefined;
  const ready = idleHelpers(threads);
  if (ready.length === 0) return undefined;
  let buffer = shared;
  const next = new Int32Array(new SharedArrayBuffer(4));
  const running: { readonly helper: Helper; settled: boolean }[] = [];
  try {
    if (buffer.byteLength < bytes.length) buffer = new SharedArrayBuffer(bytes.length);
    if (bytes.length <= KEEP_SHARED_BYTES) shared = buffer;
    new Uint8Array(buffer).set(bytes);
    // The limits are numbers; only those cross to the helper (anything else would not clone).
    const numbers = Object.fromEntries(Object.entries(limits).filter(([, value]) => typeof value === 'number')) as unknown as ImplementationLimits;
    const job: BodyJob = { bytes: buffer, length: bytes.length, chunks, next: next.buffer as SharedArrayBuffer, limits: numbers };
    for (const helper of ready) {
      Atomics.store(helper.control, BODY_JOB_STOP, 0);
      Atomics.store(helper.control, BODY_JOB_STATE, BODY_JOB_RUNNING);
      try {
        helper.worker.postMessage(job);
      } catch (error) {
        Atomics.store(helper.control, BODY_JOB_STATE, BODY_JOB_IDLE);
        throw error;
      }
      running.push({ helper, settled: false });
      stats.jobs++;
    }
  } catch {
    // No room for the copy, or a message that could not be sent: the helpers already woken
    // are stopped, and this compile validates on one thread.
    for (const { helper } of running) Atomics.store(helper.control, BODY_JOB_STOP, 1);
    for (const entry of running) settle(entry, ABANDON_PATIENCE_MS);
    return undefined;
  }
  return {
    chunks,
    take: () => {
      const chunk = Atomics.add(next, 0, 1);
      return chunk < chunks.length ? chunk : -1;
    },
    wait(patienceMs) {
      // One deadline for all: helpers answer at about the same time, not one after another.
      const deadline = performance.now() + patienceMs;
      let ok = true;
      for (const entry of running) {
        if (settle(entry, Math.max(0, deadline - performance.now()))) continue;
        stats.unanswered++;
        ok = false;
      }
      return ok;
    },
    abandon() {
      for (const { helper } of running) Atomics.store(helper.control, BODY_JOB_STOP, 1);
      for (const entry of running) settle(entry, ABANDON_PATIENCE_MS);
    },
  };
}

/** Waits for one helper's answer, once; false if it failed or did not answer in time (it is then stopped for good). */
function settle(entry: { readonly helper: Helper; settled: boolean }, patienceMs: number): boolean {
  if (entry.settled) return true;
  entry.settled = true;
  const { helper } = entry;
  if (Atomics.wait(helper.control, BODY_JOB_STATE, BODY_JOB_RUNNING, patienceMs) === 'timed-out') {
    helper.usable = false;
    helper.worker.terminate().catch(() => {});
    return false;
  }
  const ok = Atomics.load(helper.control, BODY_JOB_STATE) !== BODY_JOB_FAILED;
  Atomics.store(helper.control, BODY_JOB_STATE, BODY_JOB_IDLE);
  return ok;
}

/**
 * Validates the bodies with the helpers, the main thread taking chunks as they do.
 * Returns false if a chunk failed on any thread, or a helper did not answer: the
 * caller then validates again on one thread for the error.
 */
export function validateWithHelpers(helpers: HelperJobs, module: Module, info: ModuleInfo, bytes: Uint8Array, limits: ImplementationLimits): boolean {
  const start = performance.now();
  const { chunks } = helpers;
  try {
    const validateRange = bodyValidator(module, info, bytes, limits);
    for (let c = helpers.take(); c >= 0; c = helpers.take()) validateRange(chunks[c], c + 1 < chunks.length ? chunks[c + 1] : module.codes.length);
  } catch {
    helpers.abandon();
    return false;
  }
  // The helpers' last chunks are about as long as the main thread's: given four times its
  // whole time and SILENCE_MS more (a loaded machine can stall a thread for a while), one has failed.
  return helpers.wait(4 * (performance.now() - start) + SILENCE_MS);
}

/** Slack for a helper's answer beyond four times the main thread's time (see validateWithHelpers). */
const SILENCE_MS = 10_000;

/** A stopped helper answers within one body; a body of V8's largest size validates in well under this. */
const ABANDON_PATIENCE_MS = 10_000;
