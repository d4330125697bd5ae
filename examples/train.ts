// Quick start: compile an example family and train it on the embedded MNIST digits.
//   npm start                      the VAE, 5 epochs
//   npm start -- k-sparse 3        another family, 3 epochs
// (The `hourglass` command line of a later milestone will supersede this script.)
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import { splitHeldOut } from '../runtime/data/dataset';
import { loadMnistDigits } from '../runtime/data/mnist';
import { trainEpochs } from '../runtime/loop';
import { Trainer } from '../runtime/trainer';
import { betaVae } from './beta-vae';
import { deepAutoencoder } from './deep-ae';
import { denseAutoencoder } from './dense-ae';
import { kSparse } from './k-sparse';
import { linearAutoencoder } from './linear-ae';
import { mmdVae } from './mmd-vae';
import { vae } from './vae';

const FAMILIES: Record<string, () => ModelDef> = {
  vae: () => vae().def,
  'beta-vae': () => betaVae().def,
  'mmd-vae': () => mmdVae().def,
  'k-sparse': () => kSparse().def,
  'deep-ae': () => deepAutoencoder().def,
  'linear-ae': () => linearAutoencoder().def,
  'dense-ae': () => denseAutoencoder(),
};

const [family = 'vae', epochsArg = '5'] = process.argv.slice(2);
const make = FAMILIES[family];
const epochs = Number(epochsArg);
if (!make || !(Number.isInteger(epochs) && epochs > 0)) {
  console.error(`usage: npm start -- [${Object.keys(FAMILIES).join('|')}] [epochs ≥ 1]`);
  process.exit(2);
}
const compiled = compileModel(make(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(compiled)) {
  console.error(`hourglass: ${showError(compiled.left)}`);
  process.exit(1);
}
const { train, heldOut } = splitHeldOut(loadMnistDigits());
const trainer = await Trainer.create(compiled.right, { seed: 1 });
const terms = compiled.right.manifest.terms.map((t) => t.name);
console.log(`${family} on mnist: ${train.n} train / ${heldOut.n} held-out digits, provider ${trainer.provider}`);
await trainEpochs(trainer, train, heldOut, {
  epochs,
  batch: 128,
  seed: 1,
  onEpoch: (r) => {
    const held = terms.map((t) => `${t} ${r.heldOut[t].toFixed(2)}`).join(', ');
    console.log(`epoch ${r.epoch}/${epochs}: train loss ${r.train.loss.toFixed(2)} | held-out loss ${r.heldOut.loss.toFixed(2)} (${held}) | ${((r.steps * 128) / r.seconds).toFixed(0)} examples/s`);
  },
});
