// Mutations of module bytes, from the blind (flip, cut, insert) to the structural, which
// keep most of a module well-formed so the mutant reaches validation and instantiation:
// LEB lengthening, section swaps and duplicates, inflated counts and sizes, perturbed
// indices and limits, and sections spliced in from another module.
import type { SeededRandom } from '../../runtime/random/seeded-random.ts';
import { concatBytes, uleb } from '../../runtime/binary/wasm-bytes.ts';

const HEADER_BYTES = 8;

export interface SectionSpan {
  readonly id: number;
  /** Offset of the id byte. */
  readonly start: number;
  /** Offset of the content, after the size. */
  readonly content: number;
  readonly end: number;
}

/** The sections as far as they delimit cleanly (a mutant's tail may not). */
export function sectionSpans(bytes: Uint8Array): SectionSpan[] {
  const spans: SectionSpan[] = [];
  let pos = HEADER_BYTES;
  while (pos < bytes.length) {
    const size = readLeb(bytes, pos + 1);
    if (size === undefined) break;
    const content = pos + 1 + size.length;
    const end = content + size.value;
    if (end > bytes.length) break;
    spans.push({ id: bytes[pos], start: pos, content, end });
    pos = end;
  }
  return spans;
}

/** An unsigned LEB128 of at most 10 bytes at `pos`: its value (up to 2^53 exactly) and length. */
export function readLeb(bytes: Uint8Array, pos: number): { value: number; length: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && pos + i < bytes.length; i++) {
    const byte = bytes[pos + i];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  return undefined;
}

/** The module with the content of `span` replaced, its size re-encoded. */
function withContent(bytes: Uint8Array, span: SectionSpan, content: Uint8Array): Uint8Array {
  return concatBytes([bytes.subarray(0, span.start), [span.id, ...uleb(content.length)], content, bytes.subarray(span.end)]);
}

/** An overlong encoding of `value`: `extra` continuation bytes more than needed (still at most 5 for a u32). */
export function overlong(value: number, extra: number): number[] {
  const minimal = uleb(value);
  const length = Math.min(minimal.length + extra, 5);
  const out: number[] = [];
  let n = value;
  for (let i = 0; i < length; i++) {
    const last = i === length - 1;
    out.push((n & 0x7f) | (last ? 0 : 0x80));
    n = Math.floor(n / 128);
  }
  return out;
}

/** Values that sit on the edges of counts, indices and limits. */
const EDGE_VALUES = [0, 1, 2, 3, 63, 64, 127, 128, 255, 1000, 1001, 10_000, 10_001, 32_768, 65_535, 65_536, 65_537, 100_001, 1_000_001, 10_000_000, 10_000_001, 0x7fff_ffff, 0xffff_ffff];

type Mutator = (bytes: Uint8Array, rng: SeededRandom, donor: Uint8Array) => Uint8Array;

const pickSpan = (bytes: Uint8Array, rng: SeededRandom): SectionSpan | undefined => {
  const spans = sectionSpans(bytes);
  return spans.length === 0 ? undefined : rng.pick(spans);
};

/** Replaces the LEB at `pos` inside `span` by `value` (minimal or overlong), fixing the section size. */
function replaceLeb(bytes: Uint8Array, span: SectionSpan, pos: number, value: number, extra = 0): Uint8Array {
  const old = readLeb(bytes, pos);
  if (old === undefined || pos + old.length > span.end) return bytes;
  const content = concatBytes([bytes.subarray(span.content, pos), overlong(value, extra), bytes.subarray(pos + old.length, span.end)]);
  return withContent(bytes, span, content);
}

/** A position inside the content of `span` where a LEB may start (just after a byte that ends one). */
function lebStart(bytes: Uint8Array, span: SectionSpan, rng: SeededRandom): number {
  if (span.end === span.content) return span.content;
  for (let tries = 0; tries < 8; tries++) {
    const pos = span.content + rng.int(span.end - span.content);
    if (pos === span.content || (bytes[pos - 1] & 0x80) === 0) return pos;
  }
  return span.content;
}

export const MUTATORS: Readonly<Record<string, Mutator>> = {
  'byte flip': (bytes, rng) => {
    if (bytes.length === 0) return bytes;
    const out = bytes.slice();
    const at = rng.int(out.length);
    out[at] = rng.chance(0.5) ? out[at] ^ (1 << rng.int(8)) : rng.int(256);
    return out;
  },
  truncation: (bytes, rng) => bytes.subarray(0, rng.int(bytes.length + 1)),
  insertion: (bytes, rng) => {
    const at = rng.int(bytes.length + 1);
    return concatBytes([bytes.subarray(0, at), rng.bytes(rng.range(1, 8)), bytes.subarray(at)]);
  },
  deletion: (bytes, rng) => {
    const at = rng.int(bytes.length + 1);
    return concatBytes([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + rng.range(1, 16)))]);
  },
  'leb lengthening': (bytes, rng) => {
    const span = pickSpan(bytes, rng);
    if (span === undefined) return bytes;
    if (rng.chance(0.5)) {
      // The section size itself, overlong: the content is unchanged.
      const size = span.end - span.content;
      return concatBytes([bytes.subarray(0, span.start), [span.id, ...overlong(size, rng.range(1, 4))], bytes.subarray(span.content)]);
    }
    const pos = lebStart(bytes, span, rng);
    const old = readLeb(bytes, pos);
    return old === undefined || old.value > 0xffff_ffff ? bytes : replaceLeb(bytes, span, pos, old.value, rng.range(1, 4));
  },
  'section swap': (bytes, rng) => {
    const spans = sectionSpans(bytes);
    if (spans.length < 2) return bytes;
    const i = rng.int(spans.length - 1);
    const [a, b] = [spans[i], spans[i + 1]];
    return concatBytes([bytes.subarray(0, a.start), bytes.subarray(b.start, b.end), bytes.subarray(a.start, a.end), bytes.subarray(b.end)]);
  },
  'section duplication': (bytes, rng) => {
    const span = pickSpan(bytes, rng);
    if (span === undefined) return bytes;
    return concatBytes([bytes.subarray(0, span.end), bytes.subarray(span.start, span.end), bytes.subarray(span.end)]);
  },
  'section removal': (bytes, rng) => {
    const span = pickSpan(bytes, rng);
    return span === undefined ? bytes : concatBytes([bytes.subarray(0, span.start), bytes.subarray(span.end)]);
  },
  'count inflation': (bytes, rng) => {
    const span = pickSpan(bytes, rng);
    const count = span === undefined ? undefined : readLeb(bytes, span.content);
    if (span === undefined || count === undefined || span.id === 0) return bytes;
    const value = rng.pick([count.value + 1, count.value * 2 + 1, rng.pick(EDGE_VALUES)]);
    return replaceLeb(bytes, span, span.content, Math.min(value, 0xffff_ffff));
  },
  'size inflation': (bytes, rng) => {
    const span = pickSpan(bytes, rng);
    if (span === undefined) return bytes;
    const size = span.end - span.content + rng.pick([1, 2, 16, 0x10000, 0x7fff_ffff]);
    return concatBytes([bytes.subarray(0, span.start), [span.id, ...uleb(Math.min(size, 0xffff_ffff))], bytes.subarray(span.content)]);
  },
  'index perturbation': (bytes, rng) => {
    const span = pickSpan(bytes, rng);
    if (span === undefined) return bytes;
    const pos = lebStart(bytes, span, rng);
    const old = readLeb(bytes, pos);
    if (old === undefined || old.value > 0xffff_ffff) return bytes;
    const value = rng.pick([old.value + 1, Math.max(0, old.value - 1), 0, old.value + rng.range(2, 10)]);
    return replaceLeb(bytes, span, pos, Math.min(value, 0xffff_ffff));
  },
  'limit perturbation': (bytes, rng) => {
    // Limits live in the import, table and memory sections; elsewhere this is an edge value anywhere.
    const spans = sectionSpans(bytes).filter((s) => s.id === 2 || s.id === 4 || s.id === 5);
    const span = spans.length > 0 ? rng.pick(spans) : pickSpan(bytes, rng);
    if (span === undefined) return bytes;
    const pos = lebStart(bytes, span, rng);
    if (rng.chance(0.3)) {
      // A limits flag byte: max present or not, shared, 64-bit.
      const out = bytes.slice();
      if (pos < span.end) out[pos] = rng.pick([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
      return out;
    }
    return replaceLeb(bytes, span, pos, rng.pick(EDGE_VALUES));
  },
  splice: (bytes, rng, donor) => {
    const from = pickSpan(donor, rng);
    if (from === undefined) return bytes;
    const spans = sectionSpans(bytes);
    const same = spans.find((s) => s.id === from.id);
    const piece = donor.subarray(from.start, from.end);
    if (same !== undefined) return concatBytes([bytes.subarray(0, same.start), piece, bytes.subarray(same.end)]);
    const at = spans.length === 0 ? Math.min(bytes.length, HEADER_BYTES) : rng.pick(spans).end;
    return concatBytes([bytes.subarray(0, at), piece, bytes.subarray(at)]);
  },
};

const NAMES = Object.keys(MUTATORS);

/** One to three mutations of `seed`, named in order; `donor` feeds splices. */
export function mutate(seed: Uint8Array, donor: Uint8Array, rng: SeededRandom): { bytes: Uint8Array; mutations: string[] } {
  let bytes = seed;
  const mutations: string[] = [];
  // Mostly one mutation: each more makes a mutant that only the decoder sees likelier.
  const roll = rng.int(10);
  const rounds = roll < 6 ? 1 : roll < 9 ? 2 : 3;
  for (let i = 0; i < rounds; i++) {
    const name = rng.pick(NAMES);
    bytes = MUTATORS[name](bytes, rng, donor);
    mutations.push(name);
  }
  return { bytes, mutations };
}
