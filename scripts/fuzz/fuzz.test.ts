// The differential fuzzer: its mutations, its classification of known modules, the
// watchdog that turns a case past its time limit into a hang with a reproducer, and a
// fixed-seed slice of mutants that must show no crash and no unexplained disagreement.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile as assemble } from 'watr';
import { name, section, SECTION, sleb, uleb, wasmModule } from '../../runtime/binary/wasm-bytes.ts';
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import { v8Wasm } from '../../runtime/v8/v8-instance-state.ts';
import { loadCorpus, type Seed } from './corpus.ts';
import { fuzzMutant, signature } from './fuzz-case.ts';
import { fuzz } from './fuzz.ts';
import { MutantSource } from './mutant.ts';
import { MUTATORS, overlong, readLeb, sectionSpans } from './mutate.ts';
import { classify, OUTCOMES, withTrivialBodies, type Outcome } from './outcome.ts';
import { compile } from '../../runtime/module/compile.ts';
import { HEAP_GROWTH_BYTES, memoryVerdict, rssVerdict } from './rss.ts';

/** Mutants of the slice run in `npm test` (seed 1): a few seconds. */
const SLICE = 2500;

const globalsModule = wasmModule(
  section(SECTION.global, [2, 0x7f, 0, 0x41, ...sleb(-7), 0x0b, 0x7e, 1, 0x42, ...sleb(5), 0x0b]),
  section(SECTION.export, [2, ...name('a'), 3, 0, ...name('b'), 3, 1]),
);

describe('mutations', () => {
  it('reads sections and LEBs as the binary format lays them out', () => {
    expect(sectionSpans(globalsModule).map((s) => [s.id, s.end - s.content])).toEqual([
      [SECTION.global, 11],
      [SECTION.export, 9],
    ]);
    expect(readLeb(Uint8Array.from([0xe5, 0x8e, 0x26]), 0)).toEqual({ value: 624_485, length: 3 });
    expect(readLeb(Uint8Array.from([0x80, 0x80]), 0)).toBeUndefined();
  });

  it('writes overlong LEBs that decode to the same value', () => {
    for (const [value, extra] of [[0, 1], [5, 2], [624_485, 1], [0xffff_ffff, 3]] as const) {
      const bytes = Uint8Array.from(overlong(value, extra));
      expect(bytes.length).toBe(Math.min(uleb(value).length + extra, 5));
      expect(readLeb(bytes, 0)).toEqual({ value, length: bytes.length });
    }
  });

  it('lengthens LEBs into mutants both engines read alike', () => {
    let longer = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const mutant = MUTATORS['leb lengthening'](globalsModule, new SeededRandom(seed), globalsModule);
      if (mutant.length > globalsModule.length) longer++;
      expect(['same state', 'both reject: compile'], `seed ${seed}`).toContain(classify(mutant).outcome);
    }
    expect(longer).toBeGreaterThan(20);
  });

  it('inflates the count of a section, fixing its size so only the count is wrong', () => {
    const mutant = MUTATORS['count inflation'](globalsModule, new SeededRandom(3), globalsModule);
    const before = sectionSpans(globalsModule);
    const after = sectionSpans(mutant);
    expect(after.map((s) => s.id)).toEqual(before.map((s) => s.id));
    const changed = after.findIndex((s, i) => readLeb(mutant, s.content)!.value !== readLeb(globalsModule, before[i].content)!.value);
    expect(changed).toBeGreaterThanOrEqual(0);
    expect(classify(mutant).outcome).toBe('both reject: compile');
  });

  it('makes the same mutant from the same run seed and index', async () => {
    const source = new MutantSource([{ origin: 'globals', bytes: globalsModule }]);
    expect(source.mutant(7, 123)).toEqual(source.mutant(7, 123));
    expect(source.mutant(7, 123).bytes).not.toEqual(source.mutant(7, 124).bytes);
  });
});

describe('outcomes of known modules', () => {
  it('a valid module: both accept with the same state', () => {
    expect(classify(globalsModule)).toEqual({ outcome: 'same state', detail: 'ours: accept; V8: accept' });
  });

  it('one import name for a function and an externref global: both link, the global holding the function as a host value', () => {
    // The finding of seed 20261207 (mutant 30267), as text: ours failed to link it, then described the value apart from V8.
    const bytes = assemble('(module (import "" "f1" (func)) (import "" "f1" (global externref)) (global externref (global.get 0)) (export "g" (global 1)))');
    expect(classify(bytes)).toEqual({ outcome: 'same state', detail: 'ours: accept; V8: accept' });
  });

  it('bytes that are not a module: both reject at compile', () => {
    expect(classify(Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0)).outcome).toBe('both reject: compile');
  });

  it('an invalid function body: both reject at compile, ours by body validation', () => {
    // (func (result i32) i32.add): the body pops two operands it does not have. V8 takes
    // the module once the body is trivial, so accepting it would be a body-validation gap.
    const bytes = wasmModule(section(SECTION.type, [1, 0x60, 0, 1, 0x7f]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, 3, 0, 0x6a, 0x0b]));
    expect(v8Wasm.validate(bytes)).toBe(false);
    expect(v8Wasm.validate(withTrivialBodies(bytes, compile(bytes, undefined, { validateBodies: false })))).toBe(true);
    const verdict = classify(bytes);
    expect(verdict.outcome).toBe('both reject: compile');
    expect(verdict.detail).toMatch(/^ours: compile: CompileError: type mismatch in function 0: i32\.add expected \[i32 i32\] but got \[\] \(at byte 0x[0-9a-f]+\); V8: compile: CompileError: /);
  });

  it('a tag attribute written as an overlong zero: V8 lenient, where the spec (and this runtime) has a byte', () => {
    // Found by the fuzzer: tag section, attribute 0x80 0x00 for 0x00, type 0.
    const bytes = wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.tag, [1, 0x80, 0x00, 0x00]));
    expect(new v8Wasm.Module(bytes)).toBeDefined();
    const verdict = classify(bytes);
    expect(verdict.outcome).toBe('V8 lenient: LEB for a byte');
    expect(verdict.detail).toMatch(/^ours: compile: CompileError: zero byte expected/);
    expect(classify(wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.tag, [1, 0x01, 0x00]))).outcome).toBe('both reject: compile');
  });

  it('a 32-bit memory limit as a 6-byte LEB: V8 strict, where Wasm 3.0 reads every limit as a u64', () => {
    // Found by the fuzzer (a deletion in a binary-leb128.wast module): min 2 in two bytes, max 2 in six.
    const bytes = wasmModule(section(SECTION.memory, [1, 0x01, 0x82, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00]));
    expect(() => new v8Wasm.Module(bytes)).toThrow(/length overflow while decoding maximum/);
    const verdict = classify(bytes);
    expect(verdict.outcome).toBe('V8 strict: u32 limits');
    expect(verdict.detail).toMatch(/^ours: accept; V8: compile: CompileError: /);
    // Past a u64's ten bytes the spec's own script calls it malformed, and so do both.
    const tooLong = wasmModule(section(SECTION.memory, [1, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
    expect(classify(tooLong).outcome).toBe('both reject: compile');
  });

  it('an element segment of i32 items: V8 lenient, where the spec (and this runtime) has a reference type', () => {
    // Found by the fuzzer: a byte flip of a segment's funcref (0x70) into a number type.
    const bytes = wasmModule(section(SECTION.element, [1, 5, 0x7f, 1, 0x41, 0, 0x0b]));
    expect(new v8Wasm.Module(bytes)).toBeDefined();
    const verdict = classify(bytes);
    expect(verdict.outcome).toBe('V8 lenient: number type for elements');
    expect(verdict.detail).toMatch(/^ours: compile: CompileError: malformed reference type \(at byte 0xc\)/);
    // A reference type there, or a number type V8 also refuses (a table's), is no such case.
    expect(classify(wasmModule(section(SECTION.element, [1, 5, 0x70, 1, 0xd0, 0x70, 0x0b]))).outcome).toBe('same state');
    expect(classify(wasmModule(section(SECTION.table, [1, 0x7f, 0, 1]))).outcome).toBe('both reject: compile');
  });

  it('a GC graph reached along 2^40 paths: both accept, compared by phase, not described', () => {
    // Found by the fuzzer as a hang (random gc 73 with a perturbed limit): globals that
    // each hold a struct of two references to the one before. Written out per path, its
    // state grew past 400 MB and 6 s at depth 23.
    const globals = ['(global $g0 (ref $s) (struct.new $s (ref.null $s) (ref.null $s)))'];
    for (let i = 1; i <= 40; i++) globals.push(`(global $g${i} (ref $s) (struct.new $s (global.get $g${i - 1}) (global.get $g${i - 1})))`);
    const bytes = assemble(`(module (type $s (struct (field (ref null $s)) (field (ref null $s)))) ${globals.join(' ')} (export "g" (global $g40)))`);
    expect(classify(bytes).outcome).toBe('both accept, too large to describe');
  });

  it('a memory of 10,000 pages: both accept, compared by phase, not described (the hashes took 8 s a case)', () => {
    // Found by the fuzzer as a hang: one memory of 10,000 pages (655 MB), described six times.
    const bytes = wasmModule(section(SECTION.memory, [1, 0x00, ...uleb(10_000)]));
    expect(classify(bytes)).toEqual({ outcome: 'both accept, too large to describe', detail: 'ours: accept; V8: accept' });
    expect(classify(wasmModule(section(SECTION.memory, [1, 0x00, ...uleb(1024)]))).outcome).toBe('same state');
  });

  it('ref.eq of a (ref any) in unreachable code: V8 lenient, where the spec types operands pushed there', () => {
    // Found by the fuzzer: (func (param (ref any)) (result i32) unreachable (local.get 0) (local.get 0) ref.eq).
    const body = [0, 0x00, 0x20, 0x00, 0x20, 0x00, 0xd3, 0x0b];
    const bytes = wasmModule(section(SECTION.type, [1, 0x60, 1, 0x64, 0x6e, 1, 0x7f]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, body.length, ...body]));
    expect(v8Wasm.validate(bytes)).toBe(true);
    // Reachable, V8 refuses the same operands.
    const reachable = [0, 0x20, 0x00, 0x20, 0x00, 0xd3, 0x0b];
    expect(v8Wasm.validate(wasmModule(section(SECTION.type, [1, 0x60, 1, 0x64, 0x6e, 1, 0x7f]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, reachable.length, ...reachable])))).toBe(false);
    expect(classify(bytes)).toMatchObject({
      outcome: 'V8 lenient: ref.eq in unreachable code',
      detail: expect.stringMatching(/^ours: compile: CompileError: type mismatch in function 0: ref\.eq expected \[eqref\] but got \[\(ref any\)\] in unreachable code/),
    });
  });

  it('br_on_non_null to the function’s label of no types: V8 lenient, where the spec needs a last type that is a reference', () => {
    // Found by the fuzzer (seed 20261212): (func ref.null extern br_on_non_null 0); the br_on_non_null is byte 25.
    const body = [0, 0xd0, 0x6f, 0xd6, 0x00, 0x0b];
    const bytes = wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, body.length, ...body]));
    expect(v8Wasm.validate(bytes)).toBe(true);
    expect(classify(bytes)).toEqual({
      outcome: 'V8 lenient: br_on_non_null to a label without types',
      detail: 'ours: compile: CompileError: type mismatch in function 0: br_on_non_null to a label without types (at byte 0x19); V8: accept',
    });
  });

  it('br_on_cast_fail of a non-null operand: V8 lenient, making its fall-through non-null where the spec keeps the target type as written', () => {
    // Found by the fuzzer (seed 20261212): (type $s (struct)) (func (param (ref $s)) (result (ref any))
    //   (block (result (ref $s)) (br_on_cast_fail 1 (ref null any) (ref null $s) (local.get 0)))).
    const module = (param: number) => {
      const body = [0, 0x02, 0x64, 0x00, 0x20, 0x00, 0xfb, 0x19, 0x03, 0x01, 0x6e, 0x00, 0x0b, 0x0b];
      return wasmModule(
        section(SECTION.type, [2, 0x5f, 0x00, 0x60, 1, param, 0x00, 1, 0x64, 0x6e]),
        section(SECTION.function, [1, 1]),
        section(SECTION.code, [1, body.length, ...body]),
      );
    };
    expect(classify(module(0x64))).toMatchObject({
      outcome: 'V8 lenient: br_on_cast nullability from its operand',
      detail: expect.stringMatching(/^ours: compile: CompileError: type mismatch in function 0: end expected \[\(ref 0\)\] but got \[\(ref null 0\)\]/),
    });
    // With a nullable operand V8 refuses it too.
    expect(classify(module(0x63)).outcome).toBe('both reject: compile');
  });

  it('a body with the legacy try opcode: V8 legacy exceptions, which Wasm 3.0 does not have', () => {
    // Found by the fuzzer: (func try end end), 0x06 0x40 0x0b 0x0b.
    const bytes = wasmModule(section(SECTION.type, [1, 0x60, 0, 0]), section(SECTION.function, [1, 0]), section(SECTION.code, [1, 5, 0, 0x06, 0x40, 0x0b, 0x0b]));
    expect(new v8Wasm.Module(bytes)).toBeDefined();
    expect(classify(bytes)).toMatchObject({ outcome: 'V8 legacy exceptions', detail: expect.stringMatching(/^ours: compile: CompileError: illegal opcode 06 /) });
  });

  it('an out-of-bounds data segment: both trap at instantiation', () => {
    const bytes = wasmModule(section(SECTION.memory, [1, 0, 0]), section(SECTION.data, [1, 0, 0x41, 0, 0x0b, 1, 0x2a]));
    expect(classify(bytes).outcome).toBe('both reject: trap');
  });

  it('an array V8 allocates and this runtime refuses by a limit: reported as such, not as a pass', () => {
    const bytes = wasmModule(section(SECTION.type, [1, 0x5e, 0x78, 1]), section(SECTION.global, [1, 0x64, 0, 0, 0x41, ...sleb(60_000_000), 0xfb, 7, 0, 0x0b]));
    const verdict = classify(bytes);
    expect(verdict.outcome).toBe('limit: V8 accepts');
    expect(verdict.detail).toContain('arrayElements');
  });

  it('a count past a limit V8 shares: the limit, and V8 rejects too', () => {
    const bytes = wasmModule(section(SECTION.import, [1, ...name('m'), ...name('t'), 1, 0x70, 0, ...uleb(10_000_001)]));
    expect(classify(bytes).outcome).toBe('limit: V8 rejects too');
  });

  it('a finding is kept once per kind, minimized to what still gives its outcome', () => {
    const bytes = wasmModule(
      section(SECTION.type, [1, 0x5e, 0x78, 1]),
      section(SECTION.global, [1, 0x64, 0, 0, 0x41, ...sleb(60_000_000), 0xfb, 7, 0, 0x0b]),
      section(SECTION.export, [1, ...name('big'), 3, 0]),
    );
    const seen = new Set<string>();
    const mutant = { index: 0, bytes, origin: 'test', mutations: [] };
    const { finding } = fuzzMutant(mutant, seen);
    expect(finding?.outcome).toBe('limit: V8 accepts');
    expect(finding!.bytes.length).toBeLessThan(bytes.length);
    expect(signature(classify(finding!.bytes))).toBe(finding!.signature);
    expect(fuzzMutant(mutant, seen).finding).toBeUndefined();
  });
});

describe('memory across a run', () => {
  const samples = (mb: (i: number) => number) => Array.from({ length: 100 }, (_, i) => ({ atSeconds: i, bytes: mb(i) * 2 ** 20 }));
  it('flat RSS with noise is flat; RSS that keeps climbing is growing', () => {
    expect(rssVerdict(samples((i) => 300 + (i % 7) * 20)).growing).toBe(false);
    expect(rssVerdict(samples((i) => 300 + i * 10)).growing).toBe(true);
  });
  it('judges the heap by a finer step: 25 → 110 MB grows, 25 → 60 MB does not', () => {
    expect(rssVerdict(samples((i) => 25 + i * 0.9), HEAP_GROWTH_BYTES).growing).toBe(true);
    expect(rssVerdict(samples((i) => 25 + i * 0.9)).growing).toBe(false);
    expect(rssVerdict(samples((i) => 25 + i * 0.35), HEAP_GROWTH_BYTES).growing).toBe(false);
  });
  // Five children of 20 samples each: over the run, the tenths alternate between the low
  // and the high half of a life, so only the lives show what grows.
  const lives = (mb: (j: number) => number) => Array.from({ length: 100 }, (_, i) => ({ atSeconds: i, life: Math.floor(i / 20), bytes: mb(i % 20) * 2 ** 20 }));
  it('memory that grows within each child is growing, though restarts keep the run flat', () => {
    const grows = lives((j) => 100 + 20 * j);
    expect(rssVerdict(grows).growing).toBe(false);
    const verdict = memoryVerdict(grows);
    expect(verdict).toMatchObject({ growing: true, lives: 5 });
    expect(verdict.withinLife / 2 ** 20).toBe(100 + 20 * 18.5 - (100 + 20 * 2.5));
  });
  it('memory that moves a little within each child and over the run is flat', () => {
    const verdict = memoryVerdict(lives((j) => 300 + 2 * j + (j % 3) * 10));
    expect(verdict.growing).toBe(false);
    expect(verdict.withinLife).toBeLessThan(64 * 2 ** 20);
    // One steady climb in a single child is still caught over the run.
    expect(memoryVerdict(samples((i) => 300 + i * 10)).growing).toBe(true);
  });
});

describe(`a fixed-seed slice of ${SLICE} mutants`, () => {
  let corpus: Seed[];
  beforeAll(async () => {
    corpus = await loadCorpus({ small: true });
  });

  it('has no crash and no disagreement that a known gap does not explain', () => {
    const source = new MutantSource(corpus);
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    const bugs: string[] = [];
    const seen = new Set<string>();
    for (let index = 0; index < SLICE; index++) {
      const { outcome, finding } = fuzzMutant(source.mutant(1, index), seen);
      counts[outcome]++;
      if (finding !== undefined && outcome !== 'limit: V8 accepts') bugs.push(`mutant ${index}: ${finding.outcome}: ${finding.detail}`);
    }
    expect(bugs).toEqual([]);
    expect(counts.crash + counts.disagreement).toBe(0);
    // The slice reaches every stage: decoding, validation, linking or trapping, and equal states.
    expect(counts['same state']).toBeGreaterThan(SLICE / 50);
    expect(counts['both reject: compile']).toBeGreaterThan(SLICE / 2);
    // Bodies V8 rejects are rejected here too: none is only V8's.
    expect(counts['body validation']).toBe(0);
    expect(counts['both reject: trap'] + counts['both reject: link']).toBeGreaterThan(0);
  });
});

describe('children', () => {
  it('hand over every --child-mutants mutants, the next child going on from the next mutant', async () => {
    const findings = mkdtempSync(join(tmpdir(), 'instlab-fuzz-'));
    const report = await fuzz({ seconds: 8, seed: 9, findings, caseSeconds: 30, smallCorpus: true, childMutants: 40 });
    expect(report.counts.crash + report.counts.hang).toBe(0);
    // Every child but the last ran exactly 40 mutants; the last one stopped at the deadline.
    expect(report.mutants).toBeGreaterThan(40);
    expect(report.children).toBeGreaterThanOrEqual(Math.ceil(report.mutants / 40));
    expect(report.children).toBeLessThanOrEqual(Math.ceil(report.mutants / 40) + 1);
    // Each child gave its own samples, numbered by its life.
    const lives = new Set(report.rss.map((s) => s.life));
    expect(lives.size).toBe(report.children);
  }, 60_000);
});

describe('the watchdog', () => {
  it('stops a case past its time limit as a hang, writes its mutant, and goes on with the next', async () => {
    const findings = mkdtempSync(join(tmpdir(), 'instlab-fuzz-'));
    // A limit no case can meet: the first case the watchdog sees running is a hang.
    const report = await fuzz({ seconds: 8, seed: 5, findings, caseSeconds: 0, smallCorpus: true });
    expect(report.counts.hang).toBeGreaterThan(0);
    const files = readdirSync(findings).sort();
    expect(files.filter((f) => f.startsWith('hang-'))).toHaveLength(2);
    const description = readFileSync(join(findings, files.find((f) => f.endsWith('.txt'))!), 'utf8');
    const index = Number(/mutant (\d+):/.exec(description)![1]);
    const source = new MutantSource(await loadCorpus({ small: true }));
    // As plain bytes on both sides: a mutant may be a corpus file's Buffer, which toEqual tells from a Uint8Array.
    expect(new Uint8Array(readFileSync(join(findings, files.find((f) => f.endsWith('.wasm'))!)))).toEqual(new Uint8Array(source.mutant(5, index).bytes));
    // Each child measures what it retains after a full collection as it starts, so even these killed ones gave samples.
    expect(report.rss.length).toBeGreaterThanOrEqual(2);
    expect(report.peakRssBytes).toBeGreaterThanOrEqual(Math.min(...report.rss.map((s) => s.bytes)));
    // The child's JavaScript heap is sampled with its RSS, and is a part of it.
    expect(report.heap).toHaveLength(report.rss.length);
    expect(report.malloced).toHaveLength(report.rss.length);
    expect(report.committed).toHaveLength(report.rss.length);
    report.heap.forEach((sample, i) => expect(sample.bytes).toBeLessThan(report.rss[i].bytes));
  }, 60_000);
});
