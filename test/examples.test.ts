// Every example family compiles, passes the onnx checker, and trains one epoch on the embedded
// digits with a falling held-out loss.
import * as E from 'fp-ts/Either';
import { beforeAll, describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import { splitHeldOut, type Split } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { trainEpochs } from '../runtime/core/loop';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { checkerUnavailable, checkModels } from './support/onnxChecker';
import { betaVae } from '../examples/beta-vae';
import { deepAutoencoder } from '../examples/deep-ae';
import { kSparse } from '../examples/k-sparse';
import { linearAutoencoder } from '../examples/linear-ae';
import { mmdVae } from '../examples/mmd-vae';
import { vae } from '../examples/vae';

const families = {
  linear: () => linearAutoencoder(10),
  deep: deepAutoencoder,
  kSparse: () => kSparse(25, 3),
  vae: () => vae(20),
  betaVae: () => betaVae(10, 4),
  mmdVae: () => mmdVae(2, 1000),
};

let data: Split;
beforeAll(() => {
  data = splitHeldOut(loadMnistDigits());
});

const checkerMissing = checkerUnavailable();

describe.each(Object.entries(families))('%s', (name, make) => {
  const compiled = () => {
    const c = compileModel(make().def, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
    if (E.isLeft(c)) throw new Error(`${name}: ${showError(c.left)}`);
    return c.right;
  };

  test('compiles to train_step, train_steps (fused), evaluate, encode, decode and reconstruct artifacts', () => {
    expect(Object.keys(compiled().files).sort()).toEqual(['decode.onnx', 'encode.onnx', 'evaluate.onnx', 'reconstruct.onnx', 'train_step.onnx', 'train_steps.onnx']);
  });

  test('every artifact passes onnx.checker (full_check)', () => {
    if (checkerMissing) {
      if (process.env.CI) throw new Error(checkerMissing);
      console.warn(`skipping the onnx checker: ${checkerMissing}`);
      return;
    }
    expect(checkModels(compiled().files)).toBeNull();
  });

  test('one epoch on the digits lowers the held-out loss', async () => {
    const trainer = await openTrainer(compiled(), { seed: 11, threads: 1 });
    const before = await trainer.evaluate(data.heldOut.images, data.heldOut.n, 1000);
    const [epoch] = await trainEpochs(trainer, data.train, data.heldOut, { epochs: 1, batch: 128, seed: 11 });
    console.log(`${name}: held-out loss ${before.loss.toFixed(3)} → ${epoch.heldOut.loss.toFixed(3)} after one epoch`);
    expect(Number.isFinite(epoch.heldOut.loss)).toBe(true);
    expect(epoch.heldOut.loss).toBeLessThan(before.loss);
  });
});
