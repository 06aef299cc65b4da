// The n-th mutant of a run: a pure function of the corpus, the run's seed and n, so that
// any mutant (a hang's, which the process running it cannot report) can be made again.
import { SeededRandom } from '../../runtime/random/seeded-random.ts';
import type { Seed } from './corpus.ts';
import { mutate } from './mutate.ts';

export interface Mutant {
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly origin: string;
  readonly mutations: readonly string[];
}

/** Seeds over this size cost the most per mutant (thousands of exports to describe), so they are drawn a tenth of the time. */
const LARGE_SEED_BYTES = 4 * 1024;
const LARGE_SEED_CHANCE = 0.1;

export class MutantSource {
  private readonly small: readonly Seed[];
  private readonly large: readonly Seed[];

  constructor(corpus: readonly Seed[]) {
    this.small = corpus.filter((seed) => seed.bytes.length <= LARGE_SEED_BYTES);
    this.large = corpus.filter((seed) => seed.bytes.length > LARGE_SEED_BYTES);
  }

  mutant(runSeed: number, index: number): Mutant {
    const rng = new SeededRandom((Math.imul(runSeed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
    const seed = this.pick(rng);
    const donor = this.pick(rng);
    const { bytes, mutations } = mutate(seed.bytes, donor.bytes, rng);
    return { index, bytes, origin: seed.origin, mutations };
  }

  private pick(rng: SeededRandom): Seed {
    const large = this.large.length > 0 && (this.small.length === 0 || rng.chance(LARGE_SEED_CHANCE));
    return rng.pick(large ? this.large : this.small);
  }
}
