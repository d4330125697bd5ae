// The sample-quality metric of a digit generator: 2,000 samples from N(0, I) codes (or any 2,000
// images, such as another library's samples read from .npy) against 2,000 real held-out digits,
// read by the digit classifier trained (once, then cached) on the digits' training split. Shared
// by `hourglass gan`, `hourglass evaluate` and the reproductions.
import * as E from 'fp-ts/Either';
import { splitHeldOut } from '../../core/dataset';
import { loadMnistDigits } from '../../host/data/mnist';
import { Rng } from '../../core/random';
import { PIXELS, digitClassifier, type ClassifierBudget } from './digitClassifier';
import { sampleQuality, type SampleQuality } from './sampleQuality';

export const QUALITY_SAMPLES = 2000;

export interface GeneratorQualityOptions {
  readonly samples?: number;
  readonly seed?: number;
  readonly threads?: number;
  readonly log?: (line: string) => void;
  /** The classifier's budget (default CLASSIFIER_BUDGET; `--quick` reproductions pass a tiny one). */
  readonly budget?: ClassifierBudget;
  /** Train the classifier on the first n training digits only (quick runs). */
  readonly trainRows?: number;
}

/**
 * `images`: n rows of 784 pixels. Pixels are clipped to the digits' range [0, 1], so a generator
 * that overshoots is read as the images it would show.
 */
export const digitSampleQuality = async (images: ArrayLike<number>, n: number, o: GeneratorQualityOptions = {}): Promise<E.Either<string, SampleQuality>> => {
  if (images.length !== n * PIXELS) return E.left(`sample quality: got ${images.length / n} values per sample; the digit classifier reads ${PIXELS} (28×28)`);
  const { train: all, heldOut } = splitHeldOut(loadMnistDigits());
  const m = Math.min(all.n, o.trainRows ?? all.n);
  const train = m === all.n ? all : { ...all, n: m, images: all.images.subarray(0, m * PIXELS), labels: all.labels?.subarray(0, m) };
  const clf = await digitClassifier(train, { threads: o.threads, log: o.log, budget: o.budget });
  if (E.isLeft(clf)) return clf;
  const clipped = Float32Array.from(images, (v) => Math.min(1, Math.max(0, v)));
  const nReal = Math.min(o.samples ?? QUALITY_SAMPLES, heldOut.n);
  return E.right(await sampleQuality(clf.right, clipped, n, heldOut.images.subarray(0, nReal * PIXELS), nReal));
};

/** Standard-normal codes [n, latent] from the metric's own seed, so every generator is fed alike. */
export const qualityCodes = (n: number, latent: number, seed = 0x9a11): Float32Array => {
  const z = new Float32Array(n * latent);
  Rng.seeded(seed).fillNormal(z);
  return z;
};

/** `generate` maps rows of `latent` standard-normal codes to 784 pixels. */
export const digitGeneratorQuality = async (
  generate: (z: Float32Array, n: number) => Promise<ArrayLike<number>>,
  latent: number,
  o: GeneratorQualityOptions = {},
): Promise<E.Either<string, SampleQuality & { readonly images: Float32Array }>> => {
  const n = o.samples ?? QUALITY_SAMPLES;
  const images = Float32Array.from(await generate(qualityCodes(n, latent, o.seed), n));
  const q = await digitSampleQuality(images, n, o);
  return E.isLeft(q) ? q : E.right({ ...q.right, images });
};

/** The three figures as table rows: [measure, samples, real held-out digits]. */
export const qualityRows = (q: SampleQuality): (string | number)[][] => [
  ['classifier-confident share (≥ 0.9)', `${(100 * q.confident).toFixed(1)}%`, `${(100 * q.confidentReal).toFixed(1)}%`],
  ['predicted-class entropy (nats; log 10 = 2.303)', q.classEntropy.toFixed(3), q.classEntropyReal.toFixed(3)],
  ['Fréchet distance to held-out digits (classifier features)', q.frechet.toFixed(3), '0'],
];
