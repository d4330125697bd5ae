// The sample-quality metric of a digit generator: 2,000 samples from N(0, I) codes against 2,000
// real held-out digits, read by the digit classifier trained (once, then cached) on the digits'
// training split. Shared by `hourglass gan`, `hourglass evaluate` and the reproductions.
import * as E from 'fp-ts/Either';
import { splitHeldOut } from '../../core/dataset';
import { loadMnistDigits } from '../../host/data/mnist';
import { Rng } from '../../core/random';
import { PIXELS, digitClassifier } from './digitClassifier';
import { sampleQuality, type SampleQuality } from './sampleQuality';

export const QUALITY_SAMPLES = 2000;

export interface GeneratorQualityOptions {
  readonly samples?: number;
  readonly seed?: number;
  readonly threads?: number;
  readonly log?: (line: string) => void;
}

/**
 * `generate` maps rows of `latent` standard-normal codes to 784 pixels. Pixels are clipped to the
 * digits' range [0, 1] (a tanh generator trained on [0, 1] data may draw below 0).
 */
export const digitGeneratorQuality = async (
  generate: (z: Float32Array, n: number) => Promise<ArrayLike<number>>,
  latent: number,
  o: GeneratorQualityOptions = {},
): Promise<E.Either<string, SampleQuality>> => {
  const { train, heldOut } = splitHeldOut(loadMnistDigits());
  const clf = await digitClassifier(train, { threads: o.threads, log: o.log });
  if (E.isLeft(clf)) return clf;
  const n = o.samples ?? QUALITY_SAMPLES;
  const z = new Float32Array(n * latent);
  Rng.seeded(o.seed ?? 0x9a11).fillNormal(z);
  const raw = await generate(z, n);
  if (raw.length !== n * PIXELS) return E.left(`sample quality: the generator drew ${raw.length / n} values per sample; the digit classifier reads ${PIXELS} (28×28)`);
  const images = Float32Array.from(raw, (v) => Math.min(1, Math.max(0, v)));
  const nReal = Math.min(QUALITY_SAMPLES, heldOut.n);
  return E.right(await sampleQuality(clf.right, images, n, heldOut.images.subarray(0, nReal * PIXELS), nReal));
};

/** The three figures as table rows: [measure, samples, real held-out digits]. */
export const qualityRows = (q: SampleQuality): (string | number)[][] => [
  ['classifier-confident share (≥ 0.9)', `${(100 * q.confident).toFixed(1)}%`, `${(100 * q.confidentReal).toFixed(1)}%`],
  ['predicted-class entropy (nats; log 10 = 2.303)', q.classEntropy.toFixed(3), q.classEntropyReal.toFixed(3)],
  ['Fréchet distance to held-out digits (classifier features)', q.frechet.toFixed(3), '0'],
];
