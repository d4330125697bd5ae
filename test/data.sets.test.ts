// Built-in data sets: the embedded digits, Fashion-MNIST from Debian's package, the procedural
// shapes with their factors, and the deterministic held-out split.
import { existsSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { describe, expect } from 'vitest';
import { splitHeldOut, type Dataset } from '../runtime/core/dataset';
import { showDataError } from '../runtime/host/data/errors';
import { FASHION_DIR, loadFashionMnist } from '../runtime/host/data/fashion';
import { resolveDataset } from '../runtime/host/data/resolve';
import { FACTORS, GRID, SIDE, factorValues, generateShapes, renderShape } from '../runtime/host/data/shapes';

const must = (r: E.Either<{ file: string; message: string }, Dataset>): Dataset => {
  if (E.isLeft(r)) throw new Error(showDataError(r.left));
  return r.right;
};

describe('mnist (embedded)', () => {
  test('10,000 real digits in [0, 1], every class present', () => {
    const d = must(resolveDataset('mnist'));
    expect([d.n, d.dim]).toEqual([10_000, 784]);
    expect(d.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    const counts = new Array(10).fill(0);
    d.labels?.forEach((l) => counts[l]++);
    expect(Math.min(...counts)).toBeGreaterThan(800);
    // Real digits, not noise: the mean image is dark at the corners and bright near the centre.
    const mean = (p: number) => d.images.filter((_, i) => i % 784 === p).reduce((a, b) => a + b, 0) / d.n;
    expect(mean(0)).toBeLessThan(0.01);
    expect(mean(14 * 28 + 14)).toBeGreaterThan(0.3);
  });
});

const fashionInstalled = existsSync(`${FASHION_DIR}/train-images-idx3-ubyte.gz`);
if (!fashionInstalled) console.warn(`skipping Fashion-MNIST: ${FASHION_DIR} is missing (apt-get install dataset-fashion-mnist; .ci/run installs it)`);

describe('fashion-mnist (Debian dataset-fashion-mnist)', () => {
  test.skipIf(!fashionInstalled)('60,000 training and 10,000 test images with balanced labels', () => {
    const train = must(resolveDataset('fashion-mnist'));
    const t10k = must(resolveDataset('fashion-mnist-test'));
    expect([train.n, train.dim, t10k.n, t10k.dim]).toEqual([60_000, 784, 10_000, 784]);
    const counts = new Array(10).fill(0);
    train.labels?.forEach((l) => counts[l]++);
    expect(counts).toEqual(new Array(10).fill(6000));
  });

  test('a missing installation says how to install it', () => {
    const r = loadFashionMnist('train', '/nonexistent');
    expect(E.isLeft(r) && showDataError(r.left)).toMatch(/^fashion-mnist: not installed .*apt-get install dataset-fashion-mnist/);
  });
});

describe('shapes (procedural, like dSprites)', () => {
  test('the same seed gives the same images; the factors redraw each image exactly', () => {
    const a = generateShapes(200, 7);
    const b = generateShapes(200, 7);
    expect(Buffer.from(a.images.buffer).equals(Buffer.from(b.images.buffer))).toBe(true);
    expect(a.factors?.names).toEqual([...FACTORS]);
    const one = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < a.n; i++) {
      renderShape(one, 0, Array.from(a.factors!.values.subarray(i * 5, (i + 1) * 5)));
      expect(Buffer.from(one.buffer).equals(Buffer.from(a.images.buffer, i * SIDE * SIDE * 4, SIDE * SIDE * 4))).toBe(true);
    }
    expect(Buffer.from(generateShapes(200, 8).images.buffer).equals(Buffer.from(a.images.buffer))).toBe(false);
  });

  const arbIdx = fc.tuple(...FACTORS.map((k) => fc.integer({ min: 0, max: GRID[k] - 1 })));

  test.prop([arbIdx])('every shape lies inside the frame, and its area grows with scale', (idx) => {
    const img = new Float32Array(SIDE * SIDE);
    renderShape(img, 0, factorValues(idx));
    const area = img.reduce((a, b) => a + b, 0);
    expect(area).toBeGreaterThan(20);
    for (let i = 0; i < SIDE; i++) for (const p of [i, (SIDE - 1) * SIDE + i, i * SIDE, i * SIDE + SIDE - 1]) expect(img[p]).toBe(0);
    const bigger = new Float32Array(SIDE * SIDE);
    renderShape(bigger, 0, factorValues([idx[0], GRID.scale - 1, idx[2], idx[3], idx[4]]));
    if (idx[1] < GRID.scale - 1) expect(bigger.reduce((a, b) => a + b, 0)).toBeGreaterThan(area);
  });

  test.prop([arbIdx, fc.integer({ min: 1, max: 5 })])('moving posX moves the centre of mass right', (idx, step) => {
    fc.pre(idx[3] + step < GRID.posX);
    const cx = (f: number[]) => {
      const img = new Float32Array(SIDE * SIDE);
      renderShape(img, 0, factorValues(f));
      let s = 0;
      let m = 0;
      img.forEach((v, p) => ((s += v * (p % SIDE)), (m += v)));
      return s / m;
    };
    expect(cx([idx[0], idx[1], idx[2], idx[3] + step, idx[4]])).toBeGreaterThan(cx(idx));
  });

  test('the three shapes differ and all appear in a sample', () => {
    const d = must(resolveDataset('shapes:300'));
    expect(d.n).toBe(300);
    expect(new Set(d.labels).size).toBe(3);
    const at = (s: number) => {
      const img = new Float32Array(SIDE * SIDE);
      renderShape(img, 0, factorValues([s, 5, 0, 16, 16]));
      return img;
    };
    const [sq, el, he] = [0, 1, 2].map(at);
    const differ = (a: Float32Array, b: Float32Array) => a.reduce((n, v, i) => n + Math.abs(v - b[i]), 0);
    expect(Math.min(differ(sq, el), differ(sq, he), differ(el, he))).toBeGreaterThan(50);
  });
});

describe('held-out split', () => {
  test.prop([fc.integer({ min: 2, max: 300 }), fc.double({ min: 0.05, max: 0.5, noNaN: true })])(
    'deterministic, disjoint, and together the whole set; labels and factors follow their images',
    (n, frac) => {
      const d = generateShapes(n, 1);
      // Tag each example by its index in one pixel so the partition can be checked exactly.
      d.images.forEach((_, i) => i % d.dim === 0 && (d.images[i] = i / d.dim));
      const s1 = splitHeldOut(d, frac);
      const s2 = splitHeldOut(d, frac);
      expect(Buffer.from(s1.heldOut.images.buffer).equals(Buffer.from(s2.heldOut.images.buffer))).toBe(true);
      const ids = (x: Dataset) => Array.from({ length: x.n }, (_, i) => x.images[i * x.dim]);
      const all = [...ids(s1.train), ...ids(s1.heldOut)].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(s1.heldOut.n).toBe(Math.max(1, Math.round(n * frac)));
      for (const part of [s1.train, s1.heldOut])
        ids(part).forEach((id, i) => {
          expect(part.labels?.[i]).toBe(d.labels?.[id]);
          expect(Array.from(part.factors!.values.subarray(i * 5, i * 5 + 5))).toEqual(Array.from(d.factors!.values.subarray(id * 5, id * 5 + 5)));
        });
    },
  );
});
