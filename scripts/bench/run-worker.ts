// Starting one measuring process: its command line (Node flags, optional CPU pinning
// through `taskset`), its plan on stdin, its samples on stdout, and its progress events
// as JSON lines on file descriptor 3.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BadInput } from '../bad-input.ts';
import type { ProgressEvent, WorkerPlan, WorkerSamples } from './bench-worker.ts';

const WORKER = fileURLToPath(new URL('bench-worker.ts', import.meta.url));

/** `--expose-gc` lets the worker collect garbage between samples, outside timed calls. */
const WORKER_FLAGS = ['--expose-gc'];

/**
 * Environment of the measuring processes. glibc serves a large allocation from a fresh,
 * lazily zeroed mapping until one is freed, then raises its threshold and serves the
 * next ones from the heap, zeroing them by hand: the same 16 MiB `ArrayBuffer` then
 * takes 0.1 ms or 2–6 ms depending on what was freed before it. A fixed threshold keeps
 * every memory allocation on the first path, so memory-heavy rows measure the engine
 * and not the allocator's history.
 */
export const WORKER_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

export function workerCommand(pin: string | null): { command: string; args: string[]; flags: string[] } {
  const node = [...WORKER_FLAGS, WORKER];
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

export async function runWorker(plan: WorkerPlan, pin: string | null, onEvent: (event: ProgressEvent) => void): Promise<WorkerSamples[]> {
  if (pin !== null) checkTaskset(pin);
  const { command, args } = workerCommand(pin);
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
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as WorkerSamples[];
}
