// Starting one measuring process: its command line (Node flags, optional CPU pinning
// through `taskset`), its plan on stdin, its samples on stdout, and its progress events
// as JSON lines on file descriptor 3.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BadInput } from '../bad-input.ts';
import type { ProgressEvent, WorkerSamples } from './bench-worker.ts';

const WORKER = fileURLToPath(new URL('bench-worker.ts', import.meta.url));

/** `--expose-gc` lets the worker collect garbage between samples, outside timed calls. */
const WORKER_FLAGS = ['--expose-gc'];

/**
 * Environment of the measuring processes: glibc's allocator held to one behaviour.
 * - MALLOC_MMAP_THRESHOLD_: glibc serves a large allocation from a fresh, lazily zeroed
 *   mapping until one is freed, then raises its threshold and serves the next ones from
 *   the heap, zeroing them by hand: the same 16 MiB `ArrayBuffer` then takes 0.1 ms or
 *   2–6 ms depending on what was freed before it. A fixed threshold keeps every memory
 *   allocation on the first path.
 * - MALLOC_TRIM_THRESHOLD_ and MALLOC_TOP_PAD_: glibc gives freed heap back to the system
 *   once 128 KiB are free at its top, and the next allocations fault the pages in again:
 *   a 64 KiB memory then costs 16 page faults (some 40 µs here) in some samples and none
 *   in others. Keeping freed heap mapped removes that mode.
 */
export const WORKER_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: String(1 << 30),
  MALLOC_TOP_PAD_: String(64 << 20),
};

export function workerCommand(pin: string | null, script: string = WORKER): { command: string; args: string[]; flags: string[] } {
  const node = [...WORKER_FLAGS, script];
  if (pin === null) return { command: process.execPath, args: node, flags: WORKER_FLAGS };
  return { command: 'taskset', args: ['-c', pin, process.execPath, ...node], flags: WORKER_FLAGS };
}

let tasksetChecked = false;

function checkTaskset(pin: string): void {
  if (tasksetChecked) return;
  const probe = spawnSync('taskset', ['-c', pin, 'true'], { encoding: 'utf8' });
  if (probe.error !== undefined) throw new BadInput('--pin needs taskset (util-linux), which is not installed');
  if (probe.status !== 0) throw new BadInput(`--pin ${pin}: ${probe.stderr.trim().split('\n')[0]}`);
  tasksetChecked = true;
}

export async function runWorker<Out = WorkerSamples[]>(
  plan: object,
  pin: string | null,
  onEvent: (event: ProgressEvent) => void,
  script: string = WORKER,
): Promise<Out> {
  if (pin !== null) checkTaskset(pin);
  const { command, args } = workerCommand(pin, script);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit', 'pipe'], env: { ...process.env, ...WORKER_ENV } });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const events = createInterface({ input: child.stdio[3] as NodeJS.ReadableStream });
  events.on('line', (line) => onEvent(JSON.parse(line) as ProgressEvent));
  child.stdin!.end(JSON.stringify(plan));
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (status !== 0) throw new Error(`bench worker failed (exit status ${status})`);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Out;
}
