// The sample-quality metric: the Fréchet distance, class entropy and confident share as pure
// functions (properties), and through a digit classifier compiled and trained by Hourglass:
// held-out digits against themselves give distance ≈ 0, noise a large one, and a generator that
// draws only one class an entropy ≈ 0.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { splitHeldOut, subsetRows } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { CLASSES, FEATURES, PIXELS, SIDE, digitClassifier, shiftDigits } from '../runtime/analysis/eval/digitClassifier';
import { classEntropy, confidentShare, frechetDistance, predictions, sampleQuality } from '../runtime/analysis/eval/sampleQuality';
import { Rng } from '../runtime/core/random';

const cache = mkdtempSync(join(tmpdir(), 'hourglass-classifier-'));
process.env.HOURGLASS_CLASSIFIER_CACHE = cache;
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const gaussianRows = (rng: Rng, n: number, d: number, scale = 1) => Float64Array.from({ length: n * d }, (_, i) => scale * rng.normal() + (i % d));

describe('the classifier\'s shifted training digits', () => {
  test('property: a shift of 0 is the identity; one of up to m pixels keeps every ink pixel of a digit with an empty margin of m, moved rigidly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 0, max: 3 }), (seed, m) => {
        const rng = Rng.seeded(seed);
        const n = 3;
        const images = new Float32Array(n * PIXELS);
        // Ink only inside the margin-m frame, so no shift of ≤ m pixels can push it off the image.
        for (let i = 0; i < n; i++) for (let y = m; y < SIDE - m; y++) for (let x = m; x < SIDE - m; x++) if (rng.uniform() < 0.2) images[i * PIXELS + y * SIDE + x] = rng.uniform();
        expect(shiftDigits(images, n, 0, Rng.seeded(seed))).toEqual(images);
        const moved = shiftDigits(images, n, m, Rng.seeded(seed + 1));
        for (let i = 0; i < n; i++) {
          const a = images.subarray(i * PIXELS, (i + 1) * PIXELS);
          const b = moved.subarray(i * PIXELS, (i + 1) * PIXELS);
          expect([...b].sort()).toEqual([...a].sort());
          // One (dx, dy) in [−m, m]² maps a onto b.
          const fits = [];
          for (let dy = -m; dy <= m; dy++)
            for (let dx = -m; dx <= m; dx++) {
              let ok = true;
              for (let y = m; y < SIDE - m && ok; y++) for (let x = m; x < SIDE - m && ok; x++) ok = a[y * SIDE + x] === b[(y + dy) * SIDE + x + dx];
              if (ok) fits.push([dx, dy]);
            }
          expect(fits.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('sample-quality measures (pure)', () => {
  test('property: the Fréchet distance of a set to itself is 0, and a shift by c adds ‖c‖²', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 2, max: 6 }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }), (seed, d, shift) => {
        const n = 40;
        const x = gaussianRows(Rng.seeded(seed), n, d);
        expect(frechetDistance(x, n, x, n, d)).toBeLessThan(1e-6);
        const y = x.map((v, i) => v + shift[i % d]);
        const c2 = shift.slice(0, d).reduce((s, v) => s + v * v, 0);
        expect(frechetDistance(x, n, y, n, d)).toBeCloseTo(c2, 5);
      }),
      { numRuns: 30 },
    );
  });

  test('property: Fréchet distance between two Gaussians grows with the difference in spread', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const rng = Rng.seeded(seed);
        const d = 3;
        const n = 2000;
        const a = gaussianRows(rng, n, d);
        const b = gaussianRows(rng, n, d);
        const wide = gaussianRows(rng, n, d, 3);
        // Same distribution: small (sampling error only); σ = 3 vs 1 per axis: d (3 − 1)² = 12.
        expect(frechetDistance(a, n, b, n, d)).toBeLessThan(0.1);
        expect(frechetDistance(a, n, wide, n, d)).toBeGreaterThan(10);
        expect(frechetDistance(a, n, wide, n, d)).toBeLessThan(14);
      }),
      { numRuns: 5 },
    );
  });

  test('class entropy: 0 for one class, log 10 for every class equally often; confidence from softmax', () => {
    expect(classEntropy(new Uint8Array(50).fill(3))).toBe(0);
    expect(classEntropy(Uint8Array.from({ length: 100 }, (_, i) => i % 10))).toBeCloseTo(Math.log(10), 12);
    const p = predictions([0, 0, 10, 0, 0, 0], 2, 3);
    expect(Array.from(p.label)).toEqual([2, 0]);
    expect(p.confidence[0]).toBeGreaterThan(0.999);
    expect(p.confidence[1]).toBeCloseTo(1 / 3, 12);
    const q = predictions([0, 10, 0], 1, 3);
    expect(q.label[0]).toBe(1);
    expect(q.confidence[0]).toBeGreaterThan(0.9);
    expect(confidentShare([0.95, 0.5, 0.9, 0.1])).toBe(0.5);
  });
});

describe('sample quality through the digit classifier', () => {
  const { train, heldOut } = splitHeldOut(loadMnistDigits());
  const small = subsetRows(train, Uint32Array.from({ length: 2000 }, (_, i) => i * 4), 'small');
  const real = heldOut.images.subarray(0, 1000 * heldOut.dim);

  test('trained by Hourglass and cached; held-out vs themselves ≈ 0, noise large, one class has entropy ≈ 0', async () => {
    const got = await digitClassifier(small, { budget: { epochs: 2, batch: 64, lr: 1e-3, seed: 1 }, threads: 1 });
    if (E.isLeft(got)) throw new Error(got.left);
    const clf = got.right;
    expect(clf.trainedNow).toBe(true);
    expect(readdirSync(cache).filter((f) => f.endsWith('.hgck'))).toHaveLength(1);
    // Accuracy on 1000 held-out digits: even this short budget classifies most of them.
    const out = await clf.outputs(real, 1000);
    expect(out.length).toBe(1000 * (FEATURES + CLASSES));
    const { label } = predictions(out, 1000, CLASSES, FEATURES + CLASSES, FEATURES);
    const right = Array.from(label).filter((l, i) => l === heldOut.labels![i]).length;
    expect(right / 1000).toBeGreaterThan(0.85);

    const self = await sampleQuality(clf, real, 1000, real, 1000);
    expect(self.frechet).toBeLessThan(1e-3 * Math.max(1, self.frechet + 1));
    expect(self.confident).toBe(self.confidentReal);
    expect(self.classEntropy).toBeGreaterThan(0.95 * Math.log(10));

    const rng = Rng.seeded(3);
    const noise = Float32Array.from({ length: 1000 * 784 }, () => rng.uniform());
    const other = heldOut.images.subarray(1000 * heldOut.dim, 2000 * heldOut.dim);
    const noisy = await sampleQuality(clf, noise, 1000, real, 1000);
    const fresh = await sampleQuality(clf, other, 1000, real, 1000);
    // Another 1000 real digits are close; uniform noise is far (many times farther).
    expect(noisy.frechet).toBeGreaterThan(10 * fresh.frechet);

    // A collapsed generator: it draws one held-out digit over and over (one class, one image).
    const one = heldOut.images.subarray(0, heldOut.dim);
    const collapsed = new Float32Array(500 * heldOut.dim);
    for (let i = 0; i < 500; i++) collapsed.set(one, i * heldOut.dim);
    const single = await sampleQuality(clf, collapsed, 500, real, 1000);
    expect(single.classEntropy).toBe(0);
    expect(single.frechet).toBeGreaterThan(fresh.frechet);

    // The second call reads the cache instead of training.
    const again = await digitClassifier(small, { budget: { epochs: 2, batch: 64, lr: 1e-3, seed: 1 }, threads: 1 });
    expect(E.isRight(again) && again.right.trainedNow).toBe(false);
    expect(E.isRight(again) && Array.from((await again.right.outputs(real, 10)).slice(0, 20))).toEqual(Array.from(out.slice(0, 20)));
  }, 300_000);
});
