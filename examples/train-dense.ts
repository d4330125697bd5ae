// Quick start: compile the dense autoencoder and train it on the embedded MNIST digits.
//   npm start            (5 epochs, batch 128, Adam lr 1e-3)
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import { splitHeldOut } from '../runtime/data/dataset';
import { loadMnistDigits } from '../runtime/data/mnist';
import { trainEpochs } from '../runtime/loop';
import { Trainer } from '../runtime/trainer';
import { denseAutoencoder } from './dense-ae';

const epochs = Number(process.env.EPOCHS ?? 5);
const compiled = compileModel(denseAutoencoder(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(compiled)) {
  console.error(`hourglass: ${showError(compiled.left)}`);
  process.exit(1);
}
const { train, heldOut } = splitHeldOut(loadMnistDigits());
const trainer = await Trainer.create(compiled.right, { seed: 1 });
console.log(`dense_ae 784-256-32-256-784 on mnist: ${train.n} train / ${heldOut.n} held-out, provider ${trainer.provider}`);
await trainEpochs(trainer, train, heldOut, {
  epochs,
  batch: 128,
  seed: 1,
  onEpoch: (r) =>
    console.log(
      `epoch ${r.epoch}: train ${r.train.loss.toFixed(2)}  held-out ${r.heldOut.loss.toFixed(2)}  (${r.steps} steps, ${(r.steps * 128 / r.seconds).toFixed(0)} examples/s)`,
    ),
});
