// The disentanglement metric of Higgins et al. 2017 (β-VAE, §3) on the procedural shapes set:
// one training point per batch of L pairs of images that share the value of one factor y (drawn
// uniformly), its feature the mean over the pairs of |z₁ − z₂|; a linear classifier predicts y
// from those features, and its accuracy on fresh points is the score. Codes that isolate each
// factor make the fixed factor's coordinate stand out, so the score is near 100%; codes that
// ignore the factors leave the classifier at chance (1 / number of factors).
import { FACTORS, GRID, factorValues, renderShape, SIDE } from '../../host/data/shapes';
import { Rng } from '../../core/random';
import { linearProbe, type ProbeOptions } from './probe';

export interface DisentanglementOptions {
  /** Pairs per point (Higgins et al.: L = 64 in their experiments; default 64). */
  readonly L?: number;
  /** Points the classifier trains on, and points it is scored on. */
  readonly trainPoints?: number;
  readonly testPoints?: number;
  readonly seed?: number;
  readonly probe?: ProbeOptions;
}

export interface DisentanglementResult {
  /** Accuracy of the classifier on the test points, in [0, 1]. */
  readonly accuracy: number;
  readonly trainAccuracy: number;
  readonly chance: number;
  readonly protocol: string;
}

export const DISENTANGLEMENT_DEFAULTS = { L: 64, trainPoints: 500, testPoints: 500, seed: 1 } as const;

/** Codes for `count` factor vectors (rows of FACTORS.length values, as generateShapes records them). */
export type CodesOfFactors = (factors: Float32Array, count: number) => Promise<{ codes: ArrayLike<number>; dim: number }>;

const sizes = FACTORS.map((k) => GRID[k]);

/** L pairs sharing factor y: 2L factor rows (pair l = rows 2l, 2l + 1). */
const pairs = (rng: Rng, y: number, L: number): Float32Array => {
  const out = new Float32Array(2 * L * FACTORS.length);
  const draw = () => sizes.map((g) => Math.min(g - 1, Math.floor(rng.uniform() * g)));
  for (let l = 0; l < L; l++) {
    const a = draw();
    const b = draw();
    b[y] = a[y];
    out.set(factorValues(a), 2 * l * FACTORS.length);
    out.set(factorValues(b), (2 * l + 1) * FACTORS.length);
  }
  return out;
};

const points = async (codesOf: CodesOfFactors, count: number, L: number, rng: Rng) => {
  const labels = new Uint8Array(count);
  let x: Float32Array | undefined;
  let dim = 0;
  for (let p = 0; p < count; p++) {
    const y = Math.min(FACTORS.length - 1, Math.floor(rng.uniform() * FACTORS.length));
    labels[p] = y;
    const { codes, dim: d } = await codesOf(pairs(rng, y, L), 2 * L);
    if (!x) {
      dim = d;
      x = new Float32Array(count * d);
    }
    for (let l = 0; l < L; l++) for (let j = 0; j < d; j++) x[p * d + j] += Math.abs(codes[2 * l * d + j] - codes[(2 * l + 1) * d + j]) / L;
  }
  return { x: x!, labels, n: count, dim };
};

export const higginsMetric = async (codesOf: CodesOfFactors, o: DisentanglementOptions = {}): Promise<DisentanglementResult> => {
  const { L, trainPoints, testPoints, seed } = { ...DISENTANGLEMENT_DEFAULTS, ...o };
  const rng = Rng.seeded(seed);
  const train = await points(codesOf, trainPoints, L, rng);
  const test = await points(codesOf, testPoints, L, rng);
  // Unregularised, as before the probe chose its L2 weight: the Higgins table's protocol is unchanged.
  const r = await linearProbe(train, test, { seed, l2: 0, ...o.probe });
  const protocol = `Higgins et al. 2017: each point fixes one of the ${FACTORS.length} factors (${FACTORS.join(', ')}; drawn uniformly) and averages |z₁ − z₂| over L = ${L} pairs of shapes images sharing that factor's value (other factors uniform on the grid ${sizes.join('×')}); codes = the encoder's deterministic output; classifier: ${r.protocol.replace(/ on \d+ rows;/, ` on ${trainPoints} points;`).replace(/ on \d+ test rows$/, ` on ${testPoints} fresh points`)}; chance = ${(100 / FACTORS.length).toFixed(0)}%`;
  return { accuracy: 1 - r.testError, trainAccuracy: 1 - r.trainError, chance: 1 / FACTORS.length, protocol };
};

/** Render factor rows as shapes images (64×64, row-major), as the data set does. */
export const renderFactors = (factors: Float32Array, count: number): Float32Array => {
  const dim = SIDE * SIDE;
  const images = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) renderShape(images, i * dim, Array.from(factors.subarray(i * FACTORS.length, (i + 1) * FACTORS.length)));
  return images;
};
