// reproduce's measurements go through runtime/analysis/eval and the exported graphs: on a trained dense VAE
// the encoder read through encode.onnx equals a dense ReLU forward pass over the checkpoint, and
// the IWAE bound through the spec's graphs equals the JavaScript computation reproduce used
// before (clamped decoder means, the same noise stream) for any K and seed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openFigureRun, type OpenRun } from '../runtime/analysis/figures/run';
import { Rng } from '../runtime/core/random';
import { orthonormalColumns, principalAnglesOfColumns as principalAngles } from '../runtime/analysis/pca';
import { disentanglement, gaussianEncoder, iwaeBound, mmdRbf, pcaProjectionError, probeError, type GaussianCodes } from '../runtime/apps/reproduce/measure';
import { hourglass, repo, smallValues, writeSmallData, writeVaeSpec } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-measure-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let run: OpenRun;
const x = smallValues(24);
const n = 24;

beforeAll(async () => {
  const spec = writeVaeSpec(tmp, 'dense', 12);
  const r = hourglass(['train', spec, '--data', writeSmallData(tmp), '--epochs', '2', '--batch', '32', '--out', join(tmp, 'run')]);
  expect(r.code, r.err).toBe(0);
  const opened = await openFigureRun(join(tmp, 'run'));
  if (E.isLeft(opened)) throw new Error(opened.left.message);
  run = opened.right;
}, 120_000);

/** μ and log σ² of the dense ReLU encoder, from the checkpoint in f64 (what reproduce used to do). */
const denseEncoder = (x: Float32Array, n: number): GaussianCodes => {
  const t = run.tensors;
  const h = 12;
  const hidden = new Float64Array(n * h);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < h; j++) {
      let s = t['encoder.dense0.b'][j];
      for (let p = 0; p < 784; p++) s += x[i * 784 + p] * t['encoder.dense0.W'][p * h + j];
      hidden[i * h + j] = Math.max(0, s);
    }
  const head = (k: string) =>
    Float64Array.from({ length: n * 2 }, (_, q) => {
      const i = Math.floor(q / 2);
      let s = t[`encoder.gaussian0.${k}.b`][q % 2];
      for (let j = 0; j < h; j++) s += hidden[i * h + j] * t[`encoder.gaussian0.${k}.W`][j * 2 + (q % 2)];
      return s;
    });
  return { mean: head('mean'), logVar: head('logVar') };
};

/** The old reproduce IWAE: clamped Bernoulli means from decode.onnx, noise drawn per example, sample, latent. */
const oldIwae = async (K: number, seed: number): Promise<number> => {
  const q = denseEncoder(x, n);
  const rng = Rng.seeded(seed);
  const z = new Float32Array(n * K * 2);
  const logw = new Float64Array(n * K);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < K; k++)
      for (let j = 0; j < 2; j++) {
        const e = rng.normal();
        const lv = q.logVar[i * 2 + j];
        const v = q.mean[i * 2 + j] + Math.exp(0.5 * lv) * e;
        z[(i * K + k) * 2 + j] = v;
        logw[i * K + k] += -0.5 * v * v + 0.5 * (lv + e * e);
      }
  const xhat = await (await run.graph('decode'))(z, n * K);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = Array.from({ length: K }, (_, k) => {
      let ll = 0;
      for (let p = 0; p < 784; p++) {
        const m = Math.min(1 - 1e-7, Math.max(1e-7, xhat[(i * K + k) * 784 + p]));
        const v = x[i * 784 + p];
        ll += v * Math.log(m) + (1 - v) * Math.log(1 - m);
      }
      return logw[i * K + k] + ll;
    });
    const mx = Math.max(...w);
    total += mx + Math.log(w.reduce((a, v) => a + Math.exp(v - mx), 0) / K);
  }
  return total / n;
};

describe('reproduce measurements through runtime/analysis/eval', () => {
  test('the Gaussian encoder through encode.onnx equals the dense forward pass over the checkpoint', async () => {
    const enc = await gaussianEncoder(run);
    if (E.isLeft(enc)) throw new Error(enc.left);
    const got = await enc.right(x, n);
    const want = denseEncoder(x, n);
    for (let i = 0; i < 2 * n; i++) {
      expect(got.mean[i]).toBeCloseTo(want.mean[i], 4);
      expect(got.logVar[i]).toBeCloseTo(want.logVar[i], 4);
    }
  });

  test('a deterministic encoder is no Gaussian: gaussianEncoder says so, and IWAE is NaN rather than invented', async () => {
    const spec = join(tmp, 'ae.ts');
    writeFileSync(
      spec,
      `import { autoencoder, bernoulli, dense, flow, relu } from '${join(repo, 'dsl')}';
export default autoencoder({ name: 'ae', input: [784], encoder: flow(dense(8), relu, dense(2)), decoder: flow(dense(8), relu, dense(784)), likelihood: bernoulli })
  .objective(({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) }));
`,
    );
    const r = hourglass(['train', spec, '--data', join(tmp, 'small.npy'), '--epochs', '1', '--batch', '32', '--out', join(tmp, 'ae-run')]);
    expect(r.code, r.err).toBe(0);
    const ae = await openFigureRun(join(tmp, 'ae-run'));
    if (E.isLeft(ae)) throw new Error(ae.left.message);
    const enc = await gaussianEncoder(ae.right);
    expect(E.isLeft(enc) && enc.left).toMatch(/no logVar output/);
    expect(await iwaeBound(ae.right, undefined, x, n, 2)).toBeNaN();
  }, 120_000);

  fcTest.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1000 })], { numRuns: 6 })(
    'IWAE_K through the graphs equals the old JavaScript path for any K and seed',
    async (K, seed) => {
      const ours = await iwaeBound(run, undefined, x, n, K, seed);
      const old = await oldIwae(K, seed);
      expect(Number.isFinite(ours)).toBe(true);
      expect(Math.abs(ours - old)).toBeLessThan(1e-5 * Math.abs(old));
    },
    120_000,
  );

  test('IWAE grows with K on the same model (Burda et al.: IWAE_1 = ELBO ≤ IWAE_K, on average)', async () => {
    const k1 = await iwaeBound(run, undefined, x, n, 1, 5);
    const k8 = await iwaeBound(run, undefined, x, n, 8, 5);
    expect(k8).toBeGreaterThan(k1);
  });

  fcTest.prop([fc.integer({ min: 1, max: 1000 })], { numRuns: 10 })('MMD² is runtime/analysis/eval’s unbiased estimate: symmetric, and ≈ 0 between two samples of N(0, I)', (seed) => {
    const rng = Rng.seeded(seed);
    const a = new Float64Array(200 * 2);
    const b = new Float64Array(200 * 2);
    rng.fillNormal(a);
    rng.fillNormal(b);
    expect(mmdRbf(a, b, 200, 2)).toBeCloseTo(mmdRbf(b, a, 200, 2), 12);
    expect(Math.abs(mmdRbf(a, b, 200, 2))).toBeLessThan(0.02);
    const shifted = a.map((v) => v + 2);
    expect(mmdRbf(shifted, b, 200, 2)).toBeGreaterThan(0.3);
  });

  fcTest.prop([fc.double({ min: 0, max: Math.PI / 2, noNaN: true })], { numRuns: 20 })('principal angles of a plane turned by θ about an axis in it are 0 and θ', (theta) => {
    // span(e1, e2) against span(e1, cos θ e2 + sin θ e3) in R⁴.
    const a = Float64Array.from([1, 0, 0, 1, 0, 0, 0, 0]);
    const b = Float64Array.from([1, 0, 0, Math.cos(theta), 0, Math.sin(theta), 0, 0]);
    const angles = principalAngles(a, 2, b, 2, 4);
    expect(angles[0]).toBeCloseTo(0, 5);
    expect(angles[1]).toBeCloseTo((theta * 180) / Math.PI, 5);
  });

  fcTest.prop([fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1000 })], { numRuns: 20 })(
    'PCA’s projection error (runtime/analysis/eval’s) equals the projection loop reproduce ran',
    (d, r, seed) => {
      const rng = Rng.seeded(seed);
      const n = 7;
      const xs = Float32Array.from({ length: n * d }, () => rng.normal());
      const mean = Float64Array.from({ length: d }, () => rng.normal());
      const basis = orthonormalColumns(Float64Array.from({ length: d * r }, () => rng.normal()), d, r);
      let want = 0;
      for (let i = 0; i < n; i++) {
        const c = new Float64Array(r);
        for (let j = 0; j < d; j++) for (let a = 0; a < r; a++) c[a] += (xs[i * d + j] - mean[j]) * basis[j * r + a];
        for (let j = 0; j < d; j++) {
          let rec = mean[j];
          for (let a = 0; a < r; a++) rec += c[a] * basis[j * r + a];
          want += (rec - xs[i * d + j]) ** 2;
        }
      }
      expect(pcaProjectionError(mean, basis, r, xs, n, d)).toBeCloseTo(want / n, 9);
    },
  );

  test('the probe (runtime/analysis/eval’s, compiled by Hourglass) reads a linearly separable label', async () => {
    const rows = (count: number, seed: number) => {
      const rng = Rng.seeded(seed);
      const xs = new Float32Array(count * 3);
      const y = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        y[i] = i % 3;
        for (let j = 0; j < 3; j++) xs[i * 3 + j] = (j === y[i] ? 3 : 0) + rng.normal();
      }
      return { x: xs, y, n: count };
    };
    const r = await probeError(rows(300, 1), rows(150, 2), 3, 10);
    expect(r.error).toBeLessThan(0.1);
    expect(r.protocol).toMatch(/logistic regression/);
  });

  test('disentanglement: codes = the true factors score high, random codes near chance', async () => {
    const o = { L: 8, train: 120, test: 80 };
    const truth = await disentanglement(async (_i, f) => f, 5, o);
    const rng = Rng.seeded(4);
    const noise = await disentanglement(async (_i, _f, k) => Float32Array.from({ length: k * 6 }, () => rng.normal()), 6, o);
    expect(truth.accuracy).toBeGreaterThan(0.9);
    expect(noise.accuracy).toBeLessThan(0.5);
    expect(truth.protocol).toMatch(/L = 8 pairs/);
  }, 120_000);
});
