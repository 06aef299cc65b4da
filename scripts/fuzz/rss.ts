// Whether memory grows across cases: the child's memory sampled through a run, summarized
// as the median of each tenth of it. The first tenth is warm-up (the corpus loads, the
// JIT and the heap settle); growth is judged from the second tenth to the last, over the
// whole run and within each child's life (a child runs a bounded number of mutants, so a
// leak could otherwise hide in the restarts).
import { median } from '../statistics.ts';

export interface RssSample {
  readonly atSeconds: number;
  readonly bytes: number;
  /** Which child took it (0, 1, ...). */
  readonly life?: number;
}

/** Memory that grows by more than this factor and `minGrowth` bytes from the second tenth to the last is growing. */
const GROWTH_FACTOR = 1.5;
/** For RSS, which moves by some hundred MB between collections even when nothing leaks (133–421 MB over 270,000 cases in one process). */
export const RSS_GROWTH_BYTES = 256 * 2 ** 20;
/** For the JavaScript heap after a full collection, which holds some 20–40 MB in a run. */
export const HEAP_GROWTH_BYTES = 64 * 2 ** 20;

/** The median of each tenth of the samples, in order (fewer than ten for fewer samples). */
export function tenthsOf(samples: readonly RssSample[]): number[] {
  const tenths: number[] = [];
  for (let i = 0; i < 10; i++) {
    const part = samples.slice(Math.floor((i * samples.length) / 10), Math.floor(((i + 1) * samples.length) / 10));
    if (part.length > 0) tenths.push(median(part.map((s) => s.bytes)));
  }
  return tenths;
}

export function rssVerdict(samples: readonly RssSample[], minGrowth: number = RSS_GROWTH_BYTES): { tenths: number[]; growing: boolean } {
  const tenths = tenthsOf(samples);
  if (tenths.length < 3) return { tenths, growing: false };
  const settled = tenths[1];
  const last = tenths[tenths.length - 1];
  return { tenths, growing: last > settled * GROWTH_FACTOR && last - settled > minGrowth };
}

/** A life with fewer samples than this has no tenths to judge (a child killed early by a hang). */
const MIN_LIFE_SAMPLES = 10;

/**
 * `rssVerdict` over the whole run and over each child's life: growing if either grows.
 * `withinLife` is the most any life grew from its second tenth to its last, in bytes.
 */
export function memoryVerdict(samples: readonly RssSample[], minGrowth: number = RSS_GROWTH_BYTES): { tenths: number[]; growing: boolean; withinLife: number; lives: number } {
  const run = rssVerdict(samples, minGrowth);
  const lives = new Map<number, RssSample[]>();
  for (const sample of samples) {
    const life = lives.get(sample.life ?? 0);
    if (life === undefined) lives.set(sample.life ?? 0, [sample]);
    else life.push(sample);
  }
  let growing = run.growing;
  let withinLife = 0;
  for (const life of lives.values()) {
    if (life.length < MIN_LIFE_SAMPLES) continue;
    const verdict = rssVerdict(life, minGrowth);
    growing ||= verdict.growing;
    withinLife = Math.max(withinLife, verdict.tenths[verdict.tenths.length - 1] - verdict.tenths[1]);
  }
  return { tenths: run.tenths, growing, withinLife, lives: lives.size };
}
