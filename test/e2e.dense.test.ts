// End to end: the dense autoencoder (784-256-32-256-784, sigmoid output, squared error, Adam)
// trains on the embedded MNIST digits and its held-out loss falls by half within 5 epochs.
import * as E from 'fp-ts/Either';
import { expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { splitHeldOut } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { trainEpochs } from '../runtime/core/loop';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { denseAutoencoder } from '../examples/dense-ae';

test('dense autoencoder: held-out reconstruction loss falls ≥ 50% from epoch 1 within 5 epochs', async () => {
  const compiled = compileModel(denseAutoencoder('mse'), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
  if (E.isLeft(compiled)) throw new Error(compiled.left.message);
  const { train, heldOut } = splitHeldOut(loadMnistDigits());
  expect(train.n + heldOut.n).toBe(10_000);
  const trainer = await openTrainer(compiled.right, { seed: 7, threads: 1 });
  const reports = await trainEpochs(trainer, train, heldOut, { epochs: 5, batch: 128, seed: 7 });
  const first = reports[0].heldOut.reconstruction;
  const last = reports[4].heldOut.reconstruction;
  const drop = 1 - last / first;
  console.log(`held-out reconstruction: epoch 1 ${first.toFixed(3)} → epoch 5 ${last.toFixed(3)} (drop ${(100 * drop).toFixed(1)}%)`);
  reports.forEach((r) => expect(Number.isFinite(r.heldOut.loss)).toBe(true));
  expect(drop).toBeGreaterThanOrEqual(0.5);
});

test('training is deterministic for a seed: two runs give identical weights', async () => {
  const compiled = compileModel(denseAutoencoder('bernoulli'), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
  if (E.isLeft(compiled)) throw new Error(compiled.left.message);
  const { train, heldOut } = splitHeldOut(loadMnistDigits());
  const small = { ...train, n: 512, images: train.images.subarray(0, 512 * 784) };
  const runOnce = async () => {
    const t = await openTrainer(compiled.right, { seed: 3, threads: 1 });
    await trainEpochs(t, small, { ...heldOut, n: 100, images: heldOut.images.subarray(0, 100 * 784) }, { epochs: 1, batch: 64, seed: 3 });
    return t.snapshot();
  };
  const [a, b] = [await runOnce(), await runOnce()];
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) expect(Buffer.from(a[k].buffer).equals(Buffer.from(b[k].buffer))).toBe(true);
  expect(a['opt.t'][0]).toBe(8);
});
