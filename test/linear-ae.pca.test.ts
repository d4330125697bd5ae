// A linear autoencoder trained to its optimum is PCA (Baldi & Hornik 1989): the decoder's column
// space is the top-r principal subspace of the centred data and the reconstruction error is the
// sum of the discarded squared singular values. The family of examples/linear-ae.ts is trained
// through the public path — DSL, compileModel (f64 graphs), the runtime Trainer — on a seeded
// synthetic data set with a known spectrum, and compared with a plain-JS f64 eigendecomposition
// (cyclic Jacobi) of the centred data's scatter matrix, which knows nothing of the model.
import * as E from 'fp-ts/Either';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import { linearAutoencoder } from '../examples/linear-ae';
import { Rng } from '../runtime/core/random';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';

// ---------------------------------------------------------------- f64 linear algebra (row-major)

/**
 * Eigen-decomposition of a symmetric n×n matrix by cyclic Jacobi rotations: eigenvalues in
 * decreasing order and the matching unit eigenvectors as the columns of an n×n row-major matrix.
 * Accurate to a few ulps of the largest eigenvalue, which is all the tests below need.
 */
const symmetricEigen = (a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } => {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        // The rotation that zeroes A[p][q] (Golub & Van Loan, Algorithm 8.4.1).
        const tau = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // A ← A·J (columns p and q) …
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // … then A ← Jᵀ·A (rows p and q), and V ← V·J.
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j * n + j] - A[i * n + i]);
  const values = Float64Array.from(order, (i) => A[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = V[k * n + src];
  });
  return { values, vectors };
};

/** Mᵀ·M for a row-major rows×cols matrix: cols×cols. */
const gram = (m: Float64Array, rows: number, cols: number): Float64Array => {
  const g = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < cols; i++) {
      const mi = m[r * cols + i];
      if (mi === 0) continue;
      for (let j = 0; j < cols; j++) g[i * cols + j] += mi * m[r * cols + j];
    }
  return g;
};

/** An orthonormal basis (d×r, row-major) of the span of the columns of a d×r matrix: modified Gram–Schmidt, twice. */
const orthonormalColumns = (a: Float64Array, d: number, r: number): Float64Array => {
  const q = Float64Array.from(a);
  for (let j = 0; j < r; j++) {
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += q[k * r + i] * q[k * r + j];
        for (let k = 0; k < d; k++) q[k * r + j] -= dot * q[k * r + i];
      }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[k * r + j] ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12)) throw new Error(`rank-deficient basis (column ${j})`);
    for (let k = 0; k < d; k++) q[k * r + j] /= norm;
  }
  return q;
};

/**
 * Principal angles (radians, largest first) between the column spaces of orthonormal d×r bases
 * A and B, from their sines: the singular values of (I − BBᵀ)A. (Sines, not arccos of the
 * cosines, so that angles near 0 keep their precision.)
 */
const principalAngles = (A: Float64Array, B: Float64Array, d: number, r: number): number[] => {
  const btA = new Float64Array(r * r); // Bᵀ A
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) for (let k = 0; k < d; k++) btA[i * r + j] += B[k * r + i] * A[k * r + j];
  const resid = Float64Array.from(A); // A − B (Bᵀ A)
  for (let k = 0; k < d; k++) for (let j = 0; j < r; j++) for (let i = 0; i < r; i++) resid[k * r + j] -= B[k * r + i] * btA[i * r + j];
  const { values } = symmetricEigen(gram(resid, d, r), r);
  return Array.from(values, (v) => Math.asin(Math.min(1, Math.sqrt(Math.max(0, v)))));
};

// ---------------------------------------------------------------- the data set

interface Synthetic {
  readonly x: Float64Array;
  readonly n: number;
  readonly d: number;
  /** The planted principal directions (d×r, orthonormal) and their per-example standard deviations. */
  readonly basis: Float64Array;
  readonly scales: readonly number[];
  readonly noise: number;
}

/**
 * x = m + Σ_i s_i z_i u_i + σ ε: a mean m, a rank-r signal along orthonormal u_1..u_r with
 * standard deviations s_i, and isotropic noise σ. The centred data's squared singular values are
 * ≈ n(s_i² + σ²) for i ≤ r and ≈ nσ² for the rest: the gap is what makes the subspace sharp.
 */
const synthetic = (seed: number, n: number, d: number, scales: readonly number[], noise: number): Synthetic => {
  const rng = Rng.seeded(seed);
  const r = scales.length;
  const raw = new Float64Array(d * r);
  rng.fillNormal(raw);
  const basis = orthonormalColumns(raw, d, r);
  const mean = Float64Array.from({ length: d }, () => 2 * rng.normal());
  const x = new Float64Array(n * d);
  for (let e = 0; e < n; e++) {
    const z = scales.map((s) => s * rng.normal());
    for (let k = 0; k < d; k++) {
      let v = mean[k] + noise * rng.normal();
      for (let i = 0; i < r; i++) v += z[i] * basis[k * r + i];
      x[e * d + k] = v;
    }
  }
  return { x, n, d, basis, scales, noise };
};

/**
 * PCA of the centred data, independent of the model: the eigenpairs of X_cᵀX_c, i.e. the squared
 * singular values of X_c and its right singular vectors.
 */
const pca = (x: Float64Array, n: number, d: number) => {
  const mean = new Float64Array(d);
  for (let e = 0; e < n; e++) for (let k = 0; k < d; k++) mean[k] += x[e * d + k] / n;
  const centred = Float64Array.from(x, (v, i) => v - mean[i % d]);
  return symmetricEigen(gram(centred, n, d), d);
};

/** Columns 0..r−1 of a d×d row-major matrix, as a d×r one. */
const leadingColumns = (m: Float64Array, d: number, r: number) => Float64Array.from({ length: d * r }, (_, i) => m[Math.floor(i / r) * d + (i % r)]);

// ---------------------------------------------------------------- the support code checks itself

describe('the test’s own linear algebra', () => {
  test('Jacobi recovers a matrix built from a known eigenbasis; principal angles of known subspaces', () => {
    const d = 7;
    const rng = Rng.seeded(3);
    const raw = new Float64Array(d * d);
    rng.fillNormal(raw);
    const Q = orthonormalColumns(raw, d, d);
    const lambda = [9, 5, 4, 1, 0.5, 0.25, 1e-3];
    const M = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) M[i * d + j] += Q[i * d + k] * lambda[k] * Q[j * d + k];
    const { values, vectors } = symmetricEigen(M, d);
    lambda.forEach((l, i) => expect(values[i]).toBeCloseTo(l, 12));
    // Each eigenvector is ± the planted one: the angle between the spans is 0.
    const column = (m: Float64Array, i: number) => m.filter((_, k) => k % d === i);
    for (let i = 0; i < d; i++) expect(principalAngles(column(vectors, i), column(Q, i), d, 1)[0]).toBeLessThan(1e-7);
    // span(e1, e2) against span(e1, cos θ e2 + sin θ e3): angles θ and 0.
    const theta = 0.3;
    const A = Float64Array.from([1, 0, 0, 1, 0, 0]); // 3×2, row-major: e1, e2
    const B = Float64Array.from([1, 0, 0, Math.cos(theta), 0, Math.sin(theta)]);
    const angles = principalAngles(A, B, 3, 2);
    expect(angles[0]).toBeCloseTo(theta, 14);
    expect(angles[1]).toBeCloseTo(0, 14);
  });
});

// ---------------------------------------------------------------- the property

const deg = (rad: number) => (rad * 180) / Math.PI;

describe('linear autoencoder ≡ PCA', () => {
  const n = 2000;
  const d = 20;
  // Two planted spectra (per-example standard deviations of the signal, then the noise floor).
  const cases = [
    { seed: 0x9ca, scales: [3, 2.4, 1.8, 1.3], noise: 0.2 },
    { seed: 0x2b1, scales: [5, 1], noise: 0.15 },
  ];

  test.each(cases)(`n = ${n}, d = ${d}, planted scales $scales, noise $noise: every principal angle < 1°, error within 1% of the PCA optimum`, async ({ seed, scales, noise }) => {
    const r = scales.length;
    const data = synthetic(seed, n, d, scales, noise);
    const { values, vectors } = pca(data.x, n, d);

    // The spectrum is the planted one: a gap of > 30× between the r-th and (r+1)-th eigenvalue.
    expect(values[r - 1] / values[r]).toBeGreaterThan(30);
    // The PCA optimum in the model's normalisation: mse sums over the d coordinates of an example
    // and averages over examples, so the optimum is Σ_{i>r} s_i² / n (s_i the centred data's singular values).
    const pcaError = values.slice(r).reduce((a, v) => a + v, 0) / n;
    // ≈ (d − r) σ² by construction.
    expect(pcaError).toBeGreaterThan(0.8 * (d - r) * noise ** 2);
    expect(pcaError).toBeLessThan(1.2 * (d - r) * noise ** 2);

    // Centring: examples/linear-ae.ts uses dense layers, which have biases, so the model can
    // absorb the data's mean (the offset W₂b₁ + b₂ learns m − W₂W₁m) and the data is fed as it
    // is, mean and all; the reference is PCA of the *centred* data, which is the optimum of an
    // affine rank-r reconstruction.
    const model = linearAutoencoder(r, d);
    const compiled = compileModel(model.def, { optimizer: { kind: 'adam', lr: 5e-2, hyper: {} }, dtype: 'f64' });
    if (E.isLeft(compiled)) throw new Error(showError(compiled.left));
    expect(compiled.right.manifest.dtype).toBe('f64');
    const trainer = await openTrainer(compiled.right, { seed: 7, threads: 1 });

    // Full-batch Adam with an exponentially falling rate: the gradient is exact, so the iterates
    // settle at the optimum instead of jittering around it as mini-batch noise would make them.
    const steps = 12_000;
    const [lr0, lr1] = [5e-2, 1e-4];
    const began = performance.now();
    let last = Infinity;
    for (let t = 0; t < steps; t++) {
      trainer.setLearningRate(lr0 * (lr1 / lr0) ** (t / (steps - 1)));
      last = (await trainer.step(data.x, n)).loss;
      if (!Number.isFinite(last)) throw new Error(`diverged at step ${t}: loss ${last}`);
    }
    const seconds = (performance.now() - began) / 1000;

    const modelError = (await trainer.evaluate(data.x, n, n)).reconstruction;
    const ratio = modelError / pcaError;

    // decoder.dense0.W is [r, d]: x̂ = code·W + b, so the decoder's column space (as a map on
    // codes) is the span of W's rows. Transposed, it is a d×r matrix whose columns span it.
    const W = trainer.snapshot()['decoder.dense0.W'];
    expect(W.length).toBe(r * d);
    const Wt = Float64Array.from({ length: d * r }, (_, i) => W[(i % r) * d + Math.floor(i / r)]);
    const angles = principalAngles(orthonormalColumns(Wt, d, r), leadingColumns(vectors, d, r), d, r);
    const maxAngle = deg(Math.max(...angles));
    // And the planted basis, for scale: the sample's own principal subspace is this far from it
    // (sampling error), which is why the model is compared with the sample's PCA, not the plant.
    const planted = deg(Math.max(...principalAngles(data.basis, leadingColumns(vectors, d, r), d, r)));

    console.log(
      `linear AE vs PCA, rank ${r} (f64, ${steps} full-batch Adam steps, ${seconds.toFixed(1)} s): max principal angle ${maxAngle.toExponential(3)}° ` +
        `[${angles.map((a) => deg(a).toExponential(2)).join(', ')}]; error ${modelError.toFixed(6)} / PCA optimum ${pcaError.toFixed(6)} = ${ratio.toFixed(8)} ` +
        `(sample PCA vs planted basis: ${planted.toFixed(3)}°)`,
    );

    expect(planted).toBeLessThan(3);
    expect(angles).toHaveLength(r);
    for (const a of angles) expect(deg(a)).toBeLessThan(1);
    // Eckart–Young: no rank-r affine map reconstructs better than PCA, so the ratio is ≥ 1 (up to rounding) …
    expect(ratio).toBeGreaterThanOrEqual(1 - 1e-9);
    // … and training gets within 1% of it.
    expect(ratio).toBeLessThan(1.01);
  });
});
