// Fused steps in training: on the CPU provider S fused steps are bit-identical to S single steps
// (S = 1, S not dividing the batches, models with and without noise); the training loop's
// checkpoints land at the same steps with the same bytes whatever the chunk size; a divergence
// inside a fused chunk is replayed step by step and reported where single steps report it, with
// the trainer left exactly where single steps leave it.
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, test } from 'vitest';
import { compileModel, type Artifacts } from '../compiler/compile';
import { buildArtifacts, bytes, sameTensors } from './support/tensors';
import type { ModelDef } from '../compiler/model';
import type { OptimizerKind } from '../compiler/optim/optimizer';
import { splitHeldOut, type Split } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { DivergedError, trainEpochs, type LoopPosition } from '../runtime/core/loop';
import { Trainer, type Losses } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import type { FloatArray } from '../runtime/core/init';
import { denseAutoencoder } from '../examples/dense-ae';
import { kSparse } from '../examples/k-sparse';
import { vae } from '../examples/vae';

const MODELS: Record<string, () => ModelDef> = {
  vae: () => vae(4).def,
  kSparse: () => kSparse(10, 2, 64, 40).def,
  dense: () => denseAutoencoder('bernoulli'),
};

const build = buildArtifacts;

let digits: Float32Array;
let data: Split;
beforeAll(() => {
  digits = loadMnistDigits().images.subarray(0, 1000 * 784);
  data = splitHeldOut({ name: 'slice', images: digits.slice(0, 500 * 784), n: 500, shape: [784], dim: 784 });
});

describe('fused steps are bit-identical to single steps (cpu)', () => {
  for (const name of Object.keys(MODELS))
    test.each([1, 5])(`${name}, S = %i, in two calls of 3 then S`, async (S) => {
      const art = build(MODELS[name]());
      const batch = 12;
      const single = await openTrainer(art, { seed: 7, threads: 1 });
      const fused = await openTrainer(art, { seed: 7, threads: 1 });
      const at = (i: number) => digits.subarray(i * batch * 784, (i + 1) * batch * 784);
      const one: Losses[] = [];
      for (let i = 0; i < 3 + S; i++) one.push(await single.step(at(i), batch));
      // Two calls: the step counter and the noise stream carry over from one call to the next.
      const many = [...(await fused.stepMany(digits.subarray(0, 3 * batch * 784), batch, 3)), ...(await fused.stepMany(digits.subarray(3 * batch * 784, (3 + S) * batch * 784), batch, S))];
      expect(many).toEqual(one);
      sameTensors(single.snapshot(), fused.snapshot(), 'after the steps');
      expect(fused.snapshot()['opt.t'][0]).toBe(3 + S);
      expect(fused.noiseState()).toEqual(single.noiseState());
    });

  test('f64: equal to 1e-12', async () => {
    const art = build(MODELS.kSparse(), 'adam', 'f64');
    const xs = Float64Array.from(digits.subarray(0, 4 * 10 * 784));
    const single = await openTrainer(art, { seed: 3, threads: 1 });
    const fused = await openTrainer(art, { seed: 3, threads: 1 });
    const one: Losses[] = [];
    for (let i = 0; i < 4; i++) one.push(await single.step(xs.subarray(i * 7840, (i + 1) * 7840), 10));
    const many = await fused.stepMany(xs, 10, 4);
    many.forEach((l, i) => Object.keys(l).forEach((k) => expect(Math.abs(l[k] - one[i][k])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(one[i][k])))));
    const [a, b] = [single.snapshot(), fused.snapshot()];
    for (const k of Object.keys(a)) a[k].forEach((v, i) => expect(Math.abs(v - b[k][i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
  });
});

describe('the training loop with fused chunks', () => {
  test('checkpoints land at multiples of the interval with the bytes of single steps, also when S does not divide the epoch', async () => {
    const art = build(MODELS.vae());
    // 400 examples / 16 = 25 steps per epoch; checkpoints every 7 steps; chunks of 6 or 16.
    const run = async (fuse: number) => {
      const t = await openTrainer(art, { seed: 4, threads: 1 });
      const saved: { p: LoopPosition; tensors: Record<string, FloatArray>; noise: number[] }[] = [];
      const steps: number[] = [];
      const reports = await trainEpochs(t, data.train, data.heldOut, {
        epochs: 2, batch: 16, seed: 4, fuse, checkpointEvery: 7, lrAt: (e) => (e === 1 ? 2e-3 : 1e-3),
        onCheckpoint: (p) => void saved.push({ p, tensors: structuredClone(t.snapshot()), noise: t.noiseState() }),
        onStep: (step) => void steps.push(step),
      });
      return { saved, steps, reports, final: t.snapshot() };
    };
    const plain = await run(1);
    expect(plain.saved.map((c) => c.p.step)).toEqual([7, 14, 21, 25, 28, 35, 42, 49, 50]);
    for (const fuse of [6, 16]) {
      const fused = await run(fuse);
      expect(fused.steps).toEqual(plain.steps);
      expect(fused.saved.map((c) => c.p)).toEqual(plain.saved.map((c) => c.p));
      fused.saved.forEach((c, i) => {
        sameTensors(plain.saved[i].tensors, c.tensors, `at checkpoint ${c.p.step}, S = ${fuse}`);
        expect(c.noise).toEqual(plain.saved[i].noise);
      });
      sameTensors(plain.final, fused.final, `at the end, S = ${fuse}`);
      expect(fused.reports.map((r) => r.train)).toEqual(plain.reports.map((r) => r.train));
    }
  });

  test('a divergence inside a fused chunk names the step and term single steps name, and leaves the same state', async () => {
    const art = build(MODELS.vae(), 'sgd');
    // A sane first epoch (25 steps), then a learning rate that blows up in epoch 2's first chunk.
    const run = async (fuse: number) => {
      const t = await openTrainer(art, { seed: 2, threads: 1 });
      const checkpoints: number[] = [];
      const seen: number[] = [];
      const err = await trainEpochs(t, data.train, data.heldOut, {
        epochs: 2, batch: 16, seed: 2, fuse, checkpointEvery: 5, lrAt: (e) => (e === 1 ? 1e-3 : 10),
        onCheckpoint: (p) => void checkpoints.push(p.step),
        onStep: (step) => void seen.push(step),
      }).then(() => null, (e: unknown) => e);
      if (!(err instanceof DivergedError)) throw new Error(`expected a divergence, got ${String(err)}`);
      return { err, checkpoints, seen, state: t.snapshot(), noise: t.noiseState() };
    };
    const [plain, fused] = [await run(1), await run(16)];
    expect(plain.err.step % 5).not.toBe(1); // inside a chunk, not at its first step
    expect({ step: fused.err.step, term: fused.err.term, value: fused.err.value }).toEqual({ step: plain.err.step, term: plain.err.term, value: plain.err.value });
    expect(fused.checkpoints).toEqual(plain.checkpoints);
    expect(fused.seen).toEqual(plain.seen);
    sameTensors(plain.state, fused.state, 'after the divergence');
    expect(fused.noise).toEqual(plain.noise);
  });
});
