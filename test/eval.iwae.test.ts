// IWAE (Burda et al. 2015): ≥ the ELBO on the same samples (a property of log-mean-exp), equal to
// log p(x) for every K when q is the exact posterior, and rising to log p(x) as K grows when it
// is not — on a linear-Gaussian VAE, whose log p(x) = log N(x; b, WᵀW + I) is known exactly.
import fc from 'fast-check';
import { Matrix, determinant, inverse } from 'ml-matrix';
import { describe, expect, test } from 'vitest';
import { iwaeBound, logLikelihood, logMeanExp } from '../runtime/analysis/eval/iwae';
import { Rng } from '../runtime/core/random';
import { evalModelWith, linearGaussianVae } from './support/evalModels';

const D = 3;
const d = 2;

describe('logMeanExp', () => {
  test('≥ the mean (Jensen), equal for constant weights, shift-equivariant', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -500, max: 500, noNaN: true }), { minLength: 1, maxLength: 64 }), fc.double({ min: -100, max: 100, noNaN: true }), (w, c) => {
        const mean = w.reduce((a, b) => a + b, 0) / w.length;
        expect(logMeanExp(w)).toBeGreaterThanOrEqual(mean - 1e-9 * (1 + Math.abs(mean)));
        expect(logMeanExp(w.map((v) => v + c))).toBeCloseTo(logMeanExp(w) + c, 6);
        expect(logMeanExp(w.map(() => w[0]))).toBeCloseTo(w[0], 9);
      }),
    );
  });

  test('Bernoulli log-likelihood from logits is stable and matches the direct form', () => {
    const x = [1, 0, 1, 0.3];
    const l = [80, -80, -2, 0.5];
    const direct = x.reduce((s, xi, j) => s + xi * Math.log(1 / (1 + Math.exp(-l[j]))) + (1 - xi) * Math.log(1 - 1 / (1 + Math.exp(-l[j]))), 0);
    const got = logLikelihood('bernoulli', l, x, 0, 0, 4);
    expect(Number.isFinite(got)).toBe(true);
    expect(got).toBeCloseTo(-2 - Math.log1p(Math.exp(-2)) + 0.3 * 0.5 - Math.log1p(Math.exp(0.5)), 9);
    expect(Number.isFinite(direct)).toBe(false); // the sigmoid saturates: why logits are used
  });
});

/** Decoder W (d×D) with orthogonal rows, so the exact posterior covariance is diagonal. */
const setup = (exactPosterior: boolean) => {
  const W = new Matrix([
    [1.2, -0.4, 0.5],
    [0.4, 1.1, 0.0],
  ]);
  // Orthogonalise the second row against the first.
  const r0 = W.getRowVector(0);
  const r1 = W.getRowVector(1);
  W.setRow(1, r1.sub(r0.clone().mul(r1.dot(r0) / r0.dot(r0))));
  const b = [0.3, -0.2, 0.1];
  const post = inverse(Matrix.eye(d).add(W.mmul(W.transpose()))); // Σ = (I + WWᵀ)⁻¹, diagonal
  // The poor encoder: half the right mean map, three times the right variance (a broad
  // proposal, so importance sampling converges at moderate K).
  const A = W.transpose().mmul(post).mul(exactPosterior ? 1 : 0.5);
  const a = new Matrix([b]).mmul(A).mul(-1).getRow(0);
  const v = [0, 1].map((j) => Math.log(post.get(j, j) * (exactPosterior ? 1 : 3)));
  const weights = {
    'encoder.gaussian0.mean.W': Float64Array.from(A.to1DArray()),
    'encoder.gaussian0.mean.b': Float64Array.from(a),
    'encoder.gaussian0.logVar.W': new Float64Array(D * d),
    'encoder.gaussian0.logVar.b': Float64Array.from(v),
    'decoder.dense0.W': Float64Array.from(W.to1DArray()),
    'decoder.dense0.b': Float64Array.from(b),
  };
  const cov = W.transpose().mmul(W).add(Matrix.eye(D));
  const covInv = inverse(cov);
  const logDet = Math.log(determinant(cov));
  const logP = (x: number[]) => {
    const c = new Matrix([x.map((xi, j) => xi - b[j])]);
    return -0.5 * c.mmul(covInv).mmul(c.transpose()).get(0, 0) - 0.5 * logDet - 0.5 * D * Math.log(2 * Math.PI);
  };
  return { weights, logP };
};

const data = (n: number) => {
  const rng = Rng.seeded(7);
  const x = new Float32Array(n * D);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * rng.normal();
  return x;
};

describe('IWAE on a model with a known likelihood', () => {
  const n = 200;
  const x = data(n);
  const meanLogP = (logP: (x: number[]) => number) => Array.from({ length: n }, (_, i) => logP(Array.from(x.subarray(i * D, (i + 1) * D)))).reduce((a, b) => a + b, 0) / n;

  test('with the exact posterior every weight is p(x): IWAE_K = ELBO = log p(x) for all K', async () => {
    const { weights, logP } = setup(true);
    const model = await evalModelWith(linearGaussianVae(D, d), weights);
    const truth = meanLogP(logP);
    for (const k of [1, 7, 100]) {
      const r = await iwaeBound(model, x, n, k, { seed: k });
      expect(r.iwae).toBeCloseTo(truth, 8);
      expect(r.elbo).toBeCloseTo(truth, 8);
    }
  });

  test('with a poor encoder: ELBO ≤ IWAE_K, rising with K to log p(x)', async () => {
    const { weights, logP } = setup(false);
    const model = await evalModelWith(linearGaussianVae(D, d), weights);
    const truth = meanLogP(logP);
    const bounds: number[] = [];
    for (const k of [1, 10, 100, 2000]) {
      const r = await iwaeBound(model, x, n, k, { seed: 3 });
      expect(r.iwae).toBeGreaterThanOrEqual(r.elbo);
      if (k === 1) expect(r.iwae).toBeCloseTo(r.elbo, 10);
      bounds.push(r.iwae);
    }
    // Up to K = 10 the gain dwarfs the sampling noise; by K = 100 the bound sits at log p(x)
    // within that noise (about ±0.005 nats on 200 examples).
    expect(bounds[1]).toBeGreaterThan(bounds[0] + 1);
    expect(bounds[2]).toBeGreaterThan(bounds[1]);
    expect(truth - bounds[0]).toBeGreaterThan(1); // the ELBO's gap is real …
    expect(Math.abs(truth - bounds[2])).toBeLessThan(0.02); // … K = 100 closes it
    expect(Math.abs(truth - bounds[3])).toBeLessThan(0.02);
  });
});
