// What the main thread and a body-validating helper thread share (parallel-bodies.ts,
// body-worker.ts): a job message, and a control block of 32-bit words in shared memory.
import type { ImplementationLimits } from '../implementation-limits.ts';

/** Words of a helper's control block. */
export const BODY_WORKER_READY = 0;
/** The state of the helper's job: idle or running, then done or failed. */
export const BODY_JOB_STATE = 1;
/** Set by the main thread when the job's answer no longer matters. */
export const BODY_JOB_STOP = 2;
export const BODY_CONTROL_WORDS = 3;

export const BODY_JOB_IDLE = 0;
export const BODY_JOB_RUNNING = 1;
export const BODY_JOB_DONE = 2;
export const BODY_JOB_FAILED = 3;

export interface BodyJob {
  /** The module's bytes, the first `length` of this buffer. */
  readonly bytes: SharedArrayBuffer;
  readonly length: number;
  /** The first body of each chunk; the last chunk ends with the module's last body. */
  readonly chunks: readonly number[];
  /** One word: the next chunk nobody has taken (Atomics.add takes it). */
  readonly next: SharedArrayBuffer;
  readonly limits: ImplementationLimits;
}
