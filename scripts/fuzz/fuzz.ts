// `npm run fuzz -- [--seconds S] [--seed N] [--corpus DIR] [--findings DIR] [--case-seconds S]
// [--child-mutants N]`: differential fuzzing of our runtime against V8. A child process
// runs mutants, a bounded number of them, then hands over to a new one; this process
// watches it: a case running past the per-case limit is a hang (the child is killed and
// a new one goes on after it), a child that dies is a crash, and the child's memory after
// full collections is sampled to show whether it grows across cases. Findings go to a
// folder as minimized .wasm files, each with a one-line .txt beside it.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BadInput, wholeNumber } from '../bad-input.ts';
import { loadCorpus } from './corpus.ts';
import { MutantSource } from './mutant.ts';
import { FINDINGS, OUTCOMES, type Outcome } from './outcome.ts';
import { signature, type Finding } from './fuzz-case.ts';
import type { ChildInput, ChildMessage } from './fuzz-child.ts';
import { HEAP_GROWTH_BYTES, memoryVerdict, tenthsOf, type RssSample } from './rss.ts';

const DEFAULT_FINDINGS = fileURLToPath(new URL('../../results/fuzz-findings/', import.meta.url));
const WATCH_EVERY_MS = 200;
const CORPUS_LOAD_GRACE_MS = 120_000;
/** The child's JS heap: past it the child dies (a crash finding), not the fuzzer. */
const CHILD_HEAP_MB = 3072;
const CHILD = fileURLToPath(new URL('./fuzz-child.ts', import.meta.url));
/**
 * glibc serves allocations below its mmap threshold from its heap, and raises the
 * threshold once a large block is freed, so the memories of millions of modules (up to
 * 64 MiB each) can fragment that heap: RSS grew from 430 to 800 MB over 30 minutes
 * (seed 20261205), while 40,000 mutants in one process kept the JavaScript heap at
 * 20–40 MB, so the growth was native. A fixed threshold returns each large block to the
 * system when it is freed, as in the bench's measuring processes (run-worker.ts).
 */
const CHILD_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' };
/**
 * Mutants per child: then a new child goes on from the next one. V8 keeps native memory
 * from compiling and instantiating that it does not give back to the system: in a loop of
 * nothing but `new WebAssembly.Instance` of one 42-byte module (`npm run fuzz:v8-memory --
 * 1500000`), RSS after a full collection rose from 62 to 440 MB over the first 150,000
 * instances and stayed at 445–457 MB to 1,500,000, with a JavaScript heap of 3–7 MB. In
 * one child, the fuzzer's far more varied cases took RSS after a collection from 303 to
 * 740 MB in 30 minutes (seed 20261208; no sign yet of where it levels off), which the
 * growth rule cannot tell from a leak. Memory is judged within each child's life as well
 * as over the run (memoryVerdict), so a leak of this runtime still shows.
 */
const CHILD_MUTANTS = 200_000;

interface FuzzOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly corpus?: string;
  readonly findings: string;
  readonly caseSeconds: number;
  /** Mutants a child runs before the next one takes over (`--child-mutants`). */
  readonly childMutants?: number;
  /** Fewer seeds (corpus.ts), which load in a fraction of the time. */
  readonly smallCorpus?: boolean;
}

export interface FuzzReport {
  readonly counts: Record<Outcome, number>;
  readonly mutants: number;
  readonly seconds: number;
  /** The child's RSS at its highest, garbage not yet collected included. */
  readonly peakRssBytes: number;
  /** The child's RSS right after a full collection, every few seconds: what a leak grows. */
  readonly rss: readonly RssSample[];
  /** The child's JavaScript heap and array buffers after the same collections: this runtime's memory. */
  readonly heap: readonly RssSample[];
  /** V8's own malloc'd memory after the same collections. */
  readonly malloced: readonly RssSample[];
  /** The heap's committed pages after the same collections. */
  readonly committed: readonly RssSample[];
  /** Children started (one per `--child-mutants` mutants, and one after each hang or crash). */
  readonly children: number;
  readonly written: readonly string[];
}

/** What every child of a run adds to: counts, findings, memory samples. */
interface RunState {
  readonly options: FuzzOptions;
  readonly counts: Record<Outcome, number>;
  /** Signatures reported so far. */
  readonly seen: Set<string>;
  readonly record: (finding: Finding) => void;
  readonly rss: RssSample[];
  readonly heap: RssSample[];
  readonly malloced: RssSample[];
  readonly committed: RssSample[];
  readonly peak: { bytes: number };
  /** performance.now() at the start of the run, and when it ends. */
  readonly started: number;
  readonly deadline: number;
  /** The main thread makes a hang's mutant again from its index. */
  readonly source: MutantSource;
}

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const written: string[] = [];
  const started = performance.now();
  const run: RunState = {
    options,
    counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
    seen: new Set<string>(),
    record: (finding) => {
      const path = writeFinding(options.findings, finding, options.seed);
      if (path !== undefined) written.push(path);
    },
    rss: [],
    heap: [],
    malloced: [],
    committed: [],
    peak: { bytes: 0 },
    started,
    deadline: started + options.seconds * 1000,
    source: new MutantSource(await loadCorpus({ folder: options.corpus, small: options.smallCorpus })),
  };
  let next = 0;
  let children = 0;
  while (performance.now() < run.deadline) next = await runChild(run, next, children++);
  const { counts, rss, heap, malloced, committed, peak } = run;
  return {
    counts,
    mutants: Object.values(counts).reduce((a, b) => a + b, 0),
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: peak.bytes,
    rss,
    heap,
    malloced,
    committed,
    children,
    written,
  };
}

/** Runs child number `life` from mutant `start` until the deadline, its last mutant, a hang or its death; returns the next mutant to run. */
function runChild(run: RunState, start: number, life: number): Promise<number> {
  const { options, counts, seen, record, rss, heap, malloced, committed, peak, started, deadline, source } = run;
  const child = fork(CHILD, [], {
    execArgv: [`--max-old-space-size=${CHILD_HEAP_MB}`, '--expose-gc'],
    env: { ...process.env, ...CHILD_ENV },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  const input: ChildInput = { seed: options.seed, start, corpus: { folder: options.corpus, small: options.smallCorpus }, deadline: performance.timeOrigin + deadline, end: start + childMutants(options), seen: [...seen] };
  child.send(input);
  let next = start;
  let running = start;
  // Until its first case, the child loads the corpus: that is no hang.
  let caseStarted = performance.now() + CORPUS_LOAD_GRACE_MS;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: number): void => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve(value);
    };
    // A killed or dead child's cases since its last progress message (under 250 ms of
    // them) are not counted: the run's total undercounts by that much per hang or crash.
    const fail = (outcome: 'hang' | 'crash', detail: string): void => {
      if (settled) return;
      const mutant = source.mutant(options.seed, running);
      counts[outcome]++;
      const finding: Finding = { outcome, detail, signature: '', bytes: mutant.bytes, mutant: { index: running, origin: mutant.origin, mutations: mutant.mutations, bytes: mutant.bytes.length } };
      const kind = signature({ outcome, detail });
      if (!seen.has(kind)) {
        seen.add(kind);
        record({ ...finding, signature: kind });
      }
      finish(running + 1);
    };
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'case') {
        running = message.index;
        caseStarted = performance.now();
      } else if (message.kind === 'finding') {
        seen.add(message.finding.signature);
        record(message.finding);
      } else {
        for (const [outcome, n] of Object.entries(message.counts)) counts[outcome as Outcome] += n;
        next = message.next;
        const atSeconds = (performance.now() - started) / 1000;
        peak.bytes = Math.max(peak.bytes, message.rssBytes);
        if (message.retained !== undefined) {
          rss.push({ atSeconds, life, bytes: message.retained.rssBytes });
          heap.push({ atSeconds, life, bytes: message.retained.heapBytes });
          malloced.push({ atSeconds, life, bytes: message.retained.mallocedBytes });
          committed.push({ atSeconds, life, bytes: message.retained.committedHeapBytes });
        }
      }
    });
    child.on('close', (code, signal) => {
      if (code === 0) return finish(next);
      const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
      const last = stderr.trim().split('\n').filter((l) => l.trim() !== '').at(-1);
      fail('crash', `child died (${why})${last === undefined ? '' : `: ${last.trim()}`}`);
    });
    const watch = setInterval(() => {
      if (performance.now() - caseStarted > options.caseSeconds * 1000) {
        fail('hang', `no outcome within ${options.caseSeconds} s`);
        child.kill('SIGKILL');
      }
    }, WATCH_EVERY_MS);
  });
}

/** Writes a finding not written before (by content); returns its path. */
function writeFinding(folder: string, finding: Finding, seed: number): string | undefined {
  mkdirSync(folder, { recursive: true });
  const hash = createHash('sha256').update(finding.bytes).digest('hex').slice(0, 12);
  const base = join(folder, `${finding.outcome.replace(/[^a-z0-9]+/gi, '-')}-${hash}`);
  if (existsSync(`${base}.wasm`)) return undefined;
  const { mutant } = finding;
  writeFileSync(`${base}.wasm`, finding.bytes);
  writeFileSync(
    `${base}.txt`,
    `${finding.outcome}: ${finding.detail} (seed ${seed}, mutant ${mutant.index}: ${mutant.origin}, ${mutant.mutations.join(' + ')}; ${mutant.bytes} bytes minimized to ${finding.bytes.length})\n`,
  );
  return `${base}.wasm`;
}

export function formatReport(report: FuzzReport, options: FuzzOptions): string {
  const lines = [
    `fuzz: seed ${options.seed}, ${report.seconds.toFixed(0)} s, ${report.mutants.toLocaleString('en-US')} mutants (${Math.round(report.mutants / report.seconds).toLocaleString('en-US')}/s)`,
  ];
  const width = Math.max(...OUTCOMES.map((o) => o.length));
  for (const outcome of OUTCOMES) {
    const n = report.counts[outcome];
    const share = report.mutants === 0 ? 0 : (100 * n) / report.mutants;
    lines.push(`  ${outcome.padEnd(width)} ${n.toLocaleString('en-US').padStart(12)}  ${share.toFixed(2).padStart(6)} %${FINDINGS.has(outcome) && n > 0 ? '  ←' : ''}`);
  }
  const { rss: memory, heap } = memoryVerdicts(report);
  lines.push(`${report.children} children of up to ${childMutants(options).toLocaleString('en-US')} mutants; memory after a full collection, by tenth of the run, and the most it grew within one child's life:`);
  lines.push(`  RSS ${memory.tenths.map(mb).join(', ')}; within a life +${mb(memory.withinLife)} (${memory.growing ? 'GROWING' : 'flat'}); peak ${mb(report.peakRssBytes)}`);
  lines.push(`  JavaScript heap and array buffers ${heap.tenths.map(mb).join(', ')}; within a life +${mb(heap.withinLife)} (${heap.growing ? 'GROWING' : 'flat'})`);
  lines.push(`  of RSS, V8's own malloc'd memory: ${tenthsOf(report.malloced).map(mb).join(', ')}; the heap's committed pages: ${tenthsOf(report.committed).map(mb).join(', ')}`);
  lines.push(report.written.length === 0 ? 'findings: none new' : `findings: ${report.written.length} new in ${options.findings}`);
  return `${lines.join('\n')}\n`;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MB`;
}

/** Exit 1 if anything is a bug: a crash, a hang, a disagreement no known gap explains, or growing memory (RSS or JavaScript heap). */
export function fuzzStatus(report: FuzzReport): number {
  const bugs = report.counts.crash + report.counts.hang + report.counts.disagreement;
  const { rss, heap } = memoryVerdicts(report);
  return bugs > 0 || rss.growing || heap.growing ? 1 : 0;
}

/** The run's memory judged as the report prints it and the exit status takes it: RSS by its step, the heap by its finer one. */
function memoryVerdicts(report: FuzzReport): { rss: ReturnType<typeof memoryVerdict>; heap: ReturnType<typeof memoryVerdict> } {
  return { rss: memoryVerdict(report.rss), heap: memoryVerdict(report.heap, HEAP_GROWTH_BYTES) };
}

function childMutants(options: FuzzOptions): number {
  return options.childMutants ?? CHILD_MUTANTS;
}

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        seconds: { type: 'string' },
        seed: { type: 'string' },
        corpus: { type: 'string' },
        findings: { type: 'string' },
        'case-seconds': { type: 'string' },
        'child-mutants': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new BadInput(`${(error as Error).message} (npm run fuzz -- [--seconds S] [--seed N] [--corpus DIR] [--findings DIR] [--case-seconds S] [--child-mutants N])`);
  }
  const options: FuzzOptions = {
    seconds: wholeNumber('--seconds', values.seconds, 60, 1, 7 * 24 * 3600),
    seed: wholeNumber('--seed', values.seed, Date.now() % 2 ** 31, 0, 2 ** 32 - 1),
    corpus: values.corpus,
    findings: values.findings ?? DEFAULT_FINDINGS,
    caseSeconds: wholeNumber('--case-seconds', values['case-seconds'], 10, 1, 3600),
    childMutants: wholeNumber('--child-mutants', values['child-mutants'], CHILD_MUTANTS, 1, 2 ** 40),
  };
  if (options.corpus !== undefined && !existsSync(options.corpus)) throw new BadInput(`--corpus ${options.corpus}: no such folder`);
  process.stderr.write(`fuzz: seed ${options.seed} for ${options.seconds} s (replay with --seed ${options.seed}); findings in ${options.findings}\n`);
  const report = await fuzz(options);
  process.stdout.write(formatReport(report, options));
  return fuzzStatus(report);
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    process.stderr.write(`fuzz: ${error.message}\n`);
    process.exitCode = 2;
  }
}
