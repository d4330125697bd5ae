// PCA metrics: principal angles are 0 between a subspace and any other basis of it, 90° against
// its orthogonal complement, and θ for a plane tilted by θ; a linear autoencoder whose decoder is
// set to the PCA basis has angles ≈ 0 and error ratio ≈ 1, a random one does not.
import fc from 'fast-check';
import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, test } from 'vitest';
import { linearAutoencoder } from '../examples/linear-ae';
import type { Dataset } from '../runtime/core/dataset';
import { affineDecoder, comparePca } from '../runtime/analysis/eval/pca';
import { pcaFit, principalAngles } from '../runtime/analysis/pca';
import { Rng } from '../runtime/core/random';
import { evalModelWith } from './support/evalModels';

const matrix = (rows: number, cols: number, rng: Rng) => Matrix.from1DArray(rows, cols, Array.from({ length: rows * cols }, () => rng.normal()));

describe('principal angles', () => {
  test('another basis of the same subspace: all angles ≈ 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1000 }), (r, seed) => {
        const rng = Rng.seeded(seed);
        const a = matrix(8, r, rng);
        const mix = matrix(r, r, rng).add(Matrix.eye(r).mul(3)); // well-conditioned
        for (const angle of principalAngles(a, a.mmul(mix))) expect(angle).toBeLessThan(1e-4);
      }),
      { numRuns: 30 },
    );
  });

  test('a tilted line: θ; the orthogonal complement: 90°', () => {
    for (const deg of [0, 10, 45, 80]) {
      const t = (deg * Math.PI) / 180;
      expect(principalAngles(new Matrix([[1], [0], [0]]), new Matrix([[Math.cos(t)], [Math.sin(t)], [0]]))[0]).toBeCloseTo(deg, 6);
    }
    expect(principalAngles(new Matrix([[1, 0], [0, 1], [0, 0]]), new Matrix([[0], [0], [1]]))).toEqual([90]);
  });
});

/** Rows with a known spectrum: standard deviations 3, 2, 1, 0.3, 0.2, 0.1 along a random rotation, plus an offset. */
const spectrumData = (n: number): Dataset => {
  const rng = Rng.seeded(5);
  const D = 6;
  const q = new Matrix(matrix(D, D, rng).to2DArray());
  const { Q } = { Q: q.clone() };
  // Orthonormalise by Gram–Schmidt.
  for (let c = 0; c < D; c++) {
    let v = Q.getColumnVector(c);
    for (let p = 0; p < c; p++) v = v.sub(Q.getColumnVector(p).mul(Q.getColumnVector(p).dot(v)));
    Q.setColumn(c, v.div(v.norm()));
  }
  const sd = [3, 2, 1, 0.3, 0.2, 0.1];
  const images = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const s = sd.map((x) => x * rng.normal());
    for (let j = 0; j < D; j++) images[i * D + j] = 0.5 + s.reduce((a, si, k) => a + Q.get(j, k) * si, 0);
  }
  return { name: 'spectrum', images, n, shape: [D], dim: D };
};

describe('PCA against a linear autoencoder', () => {
  const data = spectrumData(2000);
  const r = 2;
  const fit = pcaFit(data.images, data.n, data.dim, r);

  test('the fit finds the spectrum', () => {
    expect(fit.variances.slice(0, 3).map((v) => Math.sqrt(v))).toEqual([expect.closeTo(3, 1), expect.closeTo(2, 1), expect.closeTo(1, 1)]);
  });

  const weights = (enc: Matrix, dec: Matrix) => {
    const mean = Matrix.rowVector(Array.from(fit.mean));
    return {
      'encoder.dense0.W': Float64Array.from(enc.to1DArray()),
      'encoder.dense0.b': Float64Array.from(mean.mmul(enc).mul(-1).to1DArray()),
      'decoder.dense0.W': Float64Array.from(dec.to1DArray()),
      'decoder.dense0.b': Float64Array.from(fit.mean),
    };
  };

  test('decoder = the PCA basis (any basis of it): angles ≈ 0°, error ratio ≈ 1', async () => {
    const mix = new Matrix([[2, 1], [-1, 1]]); // another basis of the same subspace
    const dec = fit.basis.mmul(mix).transpose(); // [r, D]
    const enc = fit.basis.mmul(inverse(mix).transpose()); // so that decode(encode(x)) projects
    const model = await evalModelWith(linearAutoencoder(r, data.dim).def, weights(enc, dec));
    expect(await affineDecoder(model)).not.toBeNull();
    const c = (await comparePca(model, data, data))!;
    for (const a of c.anglesDegrees) expect(a).toBeLessThan(1e-3);
    expect(c.errorRatio).toBeCloseTo(1, 4);
    expect(c.pcaError).toBeCloseTo(fit.variances.slice(r).reduce((a, b) => a + b, 0), 4);
  });

  test('a random decoder: large angles, error ratio > 1', async () => {
    const rng = Rng.seeded(9);
    const model = await evalModelWith(linearAutoencoder(r, data.dim).def, weights(matrix(data.dim, r, rng), matrix(r, data.dim, rng)));
    const c = (await comparePca(model, data, data))!;
    expect(Math.max(...c.anglesDegrees)).toBeGreaterThan(20);
    expect(c.errorRatio).toBeGreaterThan(1.5);
  });
});
