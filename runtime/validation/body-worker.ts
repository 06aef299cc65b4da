// A helper thread of parallel-bodies.ts: it decodes the module it is given, as the main
// thread does at the same time, and validates chunks of bodies as it takes them. Its answer
// is one word in shared memory, not a message: the main thread waits on that word, and
// takes no messages while it waits. Its errors are not passed on: the main thread
// validates a range that failed again itself, so the error thrown, and which error comes
// first, are exactly those of validating on one thread.
import { parentPort, workerData } from 'node:worker_threads';
import { decode } from '../binary/decode.ts';
import { validate } from './validate.ts';
import { bodyValidator } from './validate-function.ts';
import { BODY_JOB_DONE, BODY_JOB_FAILED, BODY_JOB_STATE, BODY_JOB_STOP, BODY_WORKER_READY, type BodyJob } from './body-job.ts';

const control = new Int32Array((workerData as { control: SharedArrayBuffer }).control);
const stop = (): boolean => Atomics.load(control, BODY_JOB_STOP) !== 0;

parentPort!.on('message', (job: BodyJob) => {
  let state = BODY_JOB_DONE;
  try {
    const bytes = new Uint8Array(job.bytes, 0, job.length);
    const module = decode(bytes, { limits: job.limits, checkBodies: false });
    const validateRange = bodyValidator(module, validate(module, job.limits), bytes, job.limits);
    const next = new Int32Array(job.next);
    const { chunks } = job;
    for (let c = Atomics.add(next, 0, 1); c < chunks.length && !stop(); c = Atomics.add(next, 0, 1)) {
      validateRange(chunks[c], c + 1 < chunks.length ? chunks[c + 1] : module.codes.length, stop);
    }
  } catch {
    state = BODY_JOB_FAILED;
  }
  Atomics.store(control, BODY_JOB_STATE, state);
  Atomics.notify(control, BODY_JOB_STATE);
});

// Loaded: from now on the main thread may give this thread work.
Atomics.store(control, BODY_WORKER_READY, 1);
