// The fused multi-step graph (an ONNX Loop over S train steps) against S single steps with the
// same noise: equal to f32 rounding in f32 and to 1e-12 in f64, for any S, for models with and
// without noise; it passes the onnx checker; the training loop's chunks give the same run.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect } from 'vitest';
import { compileModel, type Artifacts } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import { splitHeldOut, type Split } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { trainEpochs } from '../runtime/core/loop';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { checkerUnavailable, checkModels } from './support/onnxChecker';
import { denseAutoencoder } from '../examples/dense-ae';
import { kSparse } from '../examples/k-sparse';
import { vae } from '../examples/vae';
import { mmdVae } from '../examples/mmd-vae';

const MODELS: Record<string, () => ModelDef> = {
  vae: () => vae(4).def,
  mmdVae: () => mmdVae(3, 1000).def,
  kSparse: () => kSparse(10, 2, 64, 40).def,
  dense: () => denseAutoencoder('bernoulli'),
};

const compiled = new Map<string, Artifacts>();
const compile = (name: string, dtype: 'f32' | 'f64'): Artifacts => {
  const key = `${name}/${dtype}`;
  if (!compiled.has(key)) {
    const r = compileModel(MODELS[name](), { optimizer: { kind: 'adam', lr: 2e-3, hyper: {} }, dtype });
    if (E.isLeft(r)) throw new Error(showError(r.left));
    compiled.set(key, r.right);
  }
  return compiled.get(key)!;
};

let digits: Float32Array;
beforeAll(() => {
  digits = loadMnistDigits().images.subarray(0, 1000 * 784);
});

const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1e-3, Math.abs(a[i])));
  return worst;
};

const checkerMissing = checkerUnavailable();

describe('fused multi-step graph', () => {
  test.prop([fc.constantFrom(...Object.keys(MODELS)), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 24 }), fc.constantFrom<'f32' | 'f64'>('f32', 'f64'), fc.integer({ min: 0, max: 1000 })], { numRuns: 24 })(
    'S fused steps equal S single steps with the same noise',
    async (name, steps, batch, dtype, seed) => {
      const art = compile(name, dtype);
      const single = await openTrainer(art, { seed, threads: 1 });
      const fused = await openTrainer(art, { seed, threads: 1 });
      const raw = digits.subarray(0, steps * batch * 784);
      const xs = dtype === 'f64' ? Float64Array.from(raw) : raw;
      const one: Record<string, number>[] = [];
      for (let s = 0; s < steps; s++) one.push(await single.step(xs.subarray(s * batch * 784, (s + 1) * batch * 784), batch));
      const many = await fused.stepMany(xs, batch, steps);
      const tol = dtype === 'f64' ? 1e-12 : 1e-5;
      expect(many).toHaveLength(steps);
      many.forEach((l, s) => {
        for (const k of Object.keys(one[s])) expect(relDiff([one[s][k]], [l[k]]), `${k} at step ${s}`).toBeLessThanOrEqual(tol);
      });
      const a = single.snapshot();
      const b = fused.snapshot();
      for (const k of Object.keys(a)) expect(relDiff(a[k], b[k]), k).toBeLessThanOrEqual(tol);
      expect(fused.noiseState()).toEqual(single.noiseState());
    },
  );

  test.skipIf(checkerMissing !== null && !process.env.CI)('passes onnx.checker full_check for every model and dtype', () => {
    if (checkerMissing) throw new Error(checkerMissing);
    const files: Record<string, Uint8Array> = {};
    for (const name of Object.keys(MODELS)) for (const dtype of ['f32', 'f64'] as const) files[`${name}-${dtype}.onnx`] = compile(name, dtype).files[compile(name, dtype).manifest.multiStep.file];
    expect(checkModels(files)).toBeNull();
  });

  test('a training loop with fused chunks ends where single steps end, also when S does not divide the epoch', async () => {
    const data: Split = splitHeldOut({ name: 'slice', images: digits.slice(0, 500 * 784), n: 500, shape: [784], dim: 784 });
    const art = compile('vae', 'f32');
    const run = async (fuse: number) => {
      const t = await openTrainer(art, { seed: 3, threads: 1 });
      const reports = await trainEpochs(t, data.train, data.heldOut, { epochs: 2, batch: 16, seed: 3, fuse, checkpointEvery: 7, onCheckpoint: () => {} });
      return { weights: t.snapshot(), reports };
    };
    const [plain, fused] = [await run(1), await run(6)];
    for (const k of Object.keys(plain.weights)) expect(relDiff(plain.weights[k], fused.weights[k]), k).toBeLessThanOrEqual(1e-4);
    expect(fused.reports.map((r) => r.steps)).toEqual(plain.reports.map((r) => r.steps));
    fused.reports.forEach((r, i) => expect(relDiff([plain.reports[i].train.loss], [r.train.loss])).toBeLessThanOrEqual(1e-5));
  });
});
