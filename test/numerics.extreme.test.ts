// Extreme inputs stay finite: Bernoulli NLL and softplus at logits ±80 (f32 and f64), all-zero
// and zero-variance data through every family, and the optional clamp of log σ².
import * as E from 'fp-ts/Either';
import { describe, expect, test } from 'vitest';
import { compileModel, type Artifacts } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import { autoencoder, bernoulli, dense, flow, gaussianHead, kl, linear, relu, reparameterise, softplus, standardNormal } from '../dsl';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { deepAutoencoder } from '../examples/deep-ae';
import { kSparse } from '../examples/k-sparse';
import { mmdVae } from '../examples/mmd-vae';
import { vae } from '../examples/vae';

const compile = (def: ModelDef, dtype: 'f32' | 'f64' = 'f32'): Artifacts => {
  const r = compileModel(def, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} }, dtype });
  if (E.isLeft(r)) throw new Error(showError(r.left));
  return r.right;
};

const allFinite = (xs: Record<string, ArrayLike<number>>) => Object.entries(xs).every(([, v]) => Array.from(v).every(Number.isFinite));

/** Set the named parameters (others keep their initial values) and take one step. */
const stepWith = async (art: Artifacts, x: Float32Array | Float64Array, batch: number, set: Record<string, number> = {}) => {
  const t = await openTrainer(art, { seed: 1, threads: 1 });
  const snap = t.snapshot();
  for (const [name, value] of Object.entries(set)) snap[name] = snap[name].map(() => value) as typeof snap[string];
  t.restore(snap, t.noiseState());
  const losses = await t.step(x, batch);
  return { losses, params: t.snapshot() };
};

/** A decoder whose logits are exactly its bias (zero weights): logits = ±80 on demand. */
const logitModel = () =>
  autoencoder({ name: 'logits', input: [6], encoder: linear(2), decoder: dense(6), likelihood: bernoulli }).objective(({ x, code, decoder }) => ({
    reconstruction: bernoulli(decoder(code), x),
  })).def;

// The stable reference: softplus(l) − x·l with softplus(l) = max(l, 0) + log1p(e^−|l|).
const nll = (l: number, x: number) => Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))) - x * l;

describe('Bernoulli NLL and softplus at logits ±80', () => {
  for (const dtype of ['f32', 'f64'] as const)
    for (const logit of [80, -80])
      test(`${dtype}, logits ${logit}: the loss matches the stable formula and the step is finite`, async () => {
        const art = compile(logitModel(), dtype);
        const pixels = [0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1];
        const x = dtype === 'f64' ? Float64Array.from(pixels) : Float32Array.from(pixels);
        const { losses, params } = await stepWith(art, x, 2, { 'decoder.dense0.W': 0, 'decoder.dense0.b': logit });
        const expected = pixels.reduce((s, p) => s + nll(logit, p), 0) / 2;
        expect(Math.abs(losses.reconstruction - expected) / expected).toBeLessThan(dtype === 'f64' ? 1e-12 : 1e-6);
        expect(allFinite(params)).toBe(true);
      });

  test('softplus as an activation at ±80 and beyond stays finite in f32', async () => {
    const def = autoencoder({ name: 'sp', input: [4], encoder: flow(dense(3), softplus), decoder: dense(4), likelihood: bernoulli })
      .objective(({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) })).def;
    for (const b of [80, -80, 1e4, -1e4]) {
      const { losses, params } = await stepWith(compile(def), new Float32Array(8).fill(0.5), 2, { 'encoder.dense0.b': b });
      expect(Number.isFinite(losses.loss), `bias ${b}`).toBe(true);
      expect(allFinite(params), `bias ${b}`).toBe(true);
    }
  });
});

describe('degenerate data', () => {
  const families: Record<string, () => ModelDef> = {
    vae: () => vae(4).def,
    mmdVae: () => mmdVae(2, 1000).def,
    kSparse: () => kSparse(25, 3, 200, 50).def,
    deep: () => deepAutoencoder().def,
  };
  const digit = loadMnistDigits().images.subarray(0, 784);
  const sets: Record<string, Float32Array> = {
    'all-zero images': new Float32Array(16 * 784),
    'all-one images': new Float32Array(16 * 784).fill(1),
    'zero variance (one digit repeated)': new Float32Array(16 * 784).map((_, i) => digit[i % 784]),
  };
  for (const [family, def] of Object.entries(families))
    for (const [what, x] of Object.entries(sets))
      test(`${family} on ${what}: three steps, every loss term and parameter finite`, async () => {
        const t = await openTrainer(compile(def()), { seed: 2, threads: 1 });
        for (let i = 0; i < 3; i++) {
          const losses = await t.step(x, 16);
          for (const [k, v] of Object.entries(losses)) expect(Number.isFinite(v), `${k} at step ${i}`).toBe(true);
        }
        expect(allFinite(t.snapshot())).toBe(true);
      });
});

describe('log σ² clamping (an option of gaussianHead)', () => {
  const def = (clampLogVar?: readonly [number, number]) =>
    autoencoder({ name: 'cv', input: [8], encoder: flow(dense(6), relu, gaussianHead(2, { clampLogVar })), decoder: dense(8), likelihood: bernoulli })
      .objective(({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(2)) })).def;
  const x = new Float32Array(4 * 8).fill(0.25);

  test('an encoder whose log σ² drifts to 200 overflows in f32 without the clamp, and stays finite with it', async () => {
    const blown = await stepWith(compile(def()), x, 4, { 'encoder.gaussian0.logVar.W': 0, 'encoder.gaussian0.logVar.b': 200 });
    expect(Number.isFinite(blown.losses.kl)).toBe(false);
    const kept = await stepWith(compile(def([-20, 20])), x, 4, { 'encoder.gaussian0.logVar.W': 0, 'encoder.gaussian0.logVar.b': 200 });
    // KL per dimension at log σ² = 20, μ = b_mean·…: ½(μ² + e²⁰ − 1 − 20) ≥ ½(e²⁰ − 21).
    expect(kept.losses.kl).toBeGreaterThanOrEqual(2 * 0.5 * (Math.exp(20) - 21) * (1 - 1e-6));
    expect(Number.isFinite(kept.losses.loss)).toBe(true);
    // Outside the range the clamp passes no gradient: the log σ² bias does not move.
    expect(Array.from(kept.params['encoder.gaussian0.logVar.b'])).toEqual([200, 200]);
  });

  test('inside the range the clamp is the identity: same loss as no clamp', async () => {
    const a = await stepWith(compile(def(), 'f64'), Float64Array.from(x), 4);
    const b = await stepWith(compile(def([-50, 50]), 'f64'), Float64Array.from(x), 4);
    expect(b.losses.loss).toBe(a.losses.loss);
    for (const k of Object.keys(a.params)) expect(Array.from(b.params[k])).toEqual(Array.from(a.params[k]));
  });

  test('a bad range is a Left naming the path', () => {
    const r = compileModel(def([1, -1]), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
    expect(E.isLeft(r) && showError(r.left)).toBe('cv.encoder.gaussian0.clampLogVar: needs finite lo < hi, got [1, -1]');
  });
});
