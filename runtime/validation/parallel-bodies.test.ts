import { beforeAll, describe, expect, it } from 'vitest';
import { section, SECTION, uleb, vector, wasmModule, type Bytes } from '../binary/wasm-bytes.ts';
import { CompileError } from '../errors.ts';
import { DEFAULT_LIMITS } from '../implementation-limits.ts';
import { compile } from '../module/compile.ts';
import { helperStats, helpersReady, splitBodies, startHelperJobs } from './parallel-bodies.ts';

const VALID = (n: number): Bytes => [0, ...Array.from({ length: n }, () => [0x41, 0x01, 0x1a]).flat(), 0x0b];
/** Leaves an i32 behind in a function of no results. */
const INVALID: Bytes = [0, 0x41, 0x01, 0x0b];
/** 0x27 is no instruction. */
const MALFORMED: Bytes = [0, 0x27, 0x0b];

/** A module of functions of type [] -> [], with these bodies. */
function moduleOf(bodies: readonly Bytes[]): Uint8Array {
  return wasmModule(
    section(SECTION.type, [1, 0x60, 0, 0]),
    section(SECTION.function, vector(bodies.length, () => [0])),
    section(SECTION.code, vector(bodies.length, (i) => [...uleb(bodies[i].length), ...bodies[i]])),
  );
}

const BODIES = 200;
function bodiesWith(replace: Record<number, Bytes>): Bytes[] {
  return Array.from({ length: BODIES }, (_, i) => replace[i] ?? VALID(20));
}

/** What compiling throws, as plain fields (or 'ok'). */
function outcome(bytes: Uint8Array, helperThreads: number): unknown {
  try {
    compile(bytes, DEFAULT_LIMITS, { helperThreads, parallelCodeBytes: 0 });
    return 'ok';
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    return { kind: error.kind, message: error.message, offset: error.offset };
  }
}

describe('splitting the code section', () => {
  it('splits by body bytes, not by body count', () => {
    expect(splitBodies(moduleOf(Array.from({ length: 10 }, () => VALID(10))), 2, 0)).toEqual([0, 5]);
    // One body of most of the bytes is a range of its own.
    expect(splitBodies(moduleOf([VALID(900), ...Array.from({ length: 9 }, () => VALID(10))]), 2, 0)).toEqual([0, 1]);
  });

  it('does not split a small code section, one body, or bytes that do not read as a module', () => {
    const bytes = moduleOf(Array.from({ length: 10 }, () => VALID(10)));
    expect(splitBodies(bytes, 2, 1 << 20)).toBeUndefined();
    expect(splitBodies(moduleOf([VALID(10)]), 2, 0)).toBeUndefined();
    // A body longer than a range makes fewer ranges.
    expect(splitBodies(moduleOf([VALID(900), VALID(10)]), 3, 0)).toEqual([0, 1]);
    // Cut inside the function section, before the code section is reached.
    expect(splitBodies(bytes.subarray(0, 16), 2, 0)).toBeUndefined();
  });
});

describe('validating bodies on helper threads', () => {
  beforeAll(async () => {
    expect(await helpersReady(1)).toBe(1);
  });

  it('lets a helper that is given every chunk validate them all, and says whether it found them valid', () => {
    // [bodies, valid, the chunk left next]: a helper that fails takes no more chunks.
    for (const [bodies, valid, left] of [
      [bodiesWith({}), true, -1],
      [bodiesWith({ 199: INVALID }), false, -1],
      [bodiesWith({ 0: MALFORMED }), false, 1],
    ] as const) {
      const jobs = startHelperJobs(moduleOf(bodies), DEFAULT_LIMITS, 1, 0)!;
      expect(jobs.chunks.length).toBeGreaterThan(2);
      // The main thread takes none: the helper takes every chunk it can.
      expect(jobs.wait(10_000)).toBe(valid);
      expect(jobs.take()).toBe(left);
    }
  });

  it('compiles a valid module with a helper as on one thread', () => {
    const before = helperStats();
    const compiled = compile(moduleOf(bodiesWith({})), DEFAULT_LIMITS, { helperThreads: 1, parallelCodeBytes: 0 });
    expect(compiled.module.codes.length).toBe(BODIES);
    expect(helperStats()).toEqual({ jobs: before.jobs + 1, unanswered: before.unanswered });
  });

  it('throws what one thread throws, wherever the bad bodies are and whichever thread meets them', () => {
    const cases: Record<number, Bytes>[] = [
      { 0: INVALID },
      { 100: INVALID },
      { 199: INVALID },
      { 3: INVALID, 150: INVALID },
      // The spec orders a malformed body before an invalid one, wherever it is.
      { 10: INVALID, 180: MALFORMED },
      { 190: INVALID, 5: MALFORMED },
    ];
    for (const replace of cases) {
      const bytes = moduleOf(bodiesWith(replace));
      const before = helperStats();
      const parallel = outcome(bytes, 1);
      expect(helperStats().jobs).toBe(before.jobs + 1);
      expect(parallel).toEqual(outcome(bytes, 0));
      expect(parallel).not.toBe('ok');
    }
  });

  it('takes work again after a compile that failed in validation or in decoding', () => {
    const invalid = moduleOf(bodiesWith({ 3: INVALID }));
    expect(outcome(invalid, 1)).toEqual(outcome(invalid, 0));
    // Truncated: the last body's size runs past the end.
    const whole = moduleOf(bodiesWith({}));
    const truncated = whole.subarray(0, whole.length - 5);
    const beforeTruncated = helperStats().jobs;
    expect(outcome(truncated, 1)).toEqual(outcome(truncated, 0));
    // The helper was woken (the header and body sizes read well) and stopped when decoding failed.
    expect(helperStats().jobs).toBe(beforeTruncated + 1);
    const before = helperStats();
    compile(whole, DEFAULT_LIMITS, { helperThreads: 1, parallelCodeBytes: 0 });
    expect(helperStats()).toEqual({ jobs: before.jobs + 1, unanswered: before.unanswered });
  });

  it('sends the helper only the numbers of the limits, so limits with anything else compile as on one thread', () => {
    const limits = { ...DEFAULT_LIMITS, note: () => 'not a limit' };
    const before = helperStats();
    expect(compile(moduleOf(bodiesWith({})), limits, { helperThreads: 1, parallelCodeBytes: 0 }).module.codes.length).toBe(BODIES);
    expect(helperStats()).toEqual({ jobs: before.jobs + 1, unanswered: before.unanswered });
    // And a limit the helper applies as the main thread does: a function past functionLocals.
    const tight = { ...DEFAULT_LIMITS, functionLocals: 0 };
    const withLocal = moduleOf(bodiesWith({ 150: [1, 1, 0x7f, 0x0b] }));
    const thrown = (helperThreads: number): string => {
      try {
        compile(withLocal, tight, { helperThreads, parallelCodeBytes: 0 });
        return 'ok';
      } catch (error) {
        return String(error);
      }
    };
    expect(thrown(1)).toMatch(/function 150: locals: 1 is over the limit functionLocals = 0/);
    expect(thrown(1)).toBe(thrown(0));
  });
});
