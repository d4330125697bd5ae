// Hourglass as a library: compile a model, train it into a run directory, encode and decode
// through the run's exported graphs, read its checkpoint. (Tested by test/package.test.ts in a
// fresh project that installs the packed package.)
import * as E from 'fp-ts/Either';
import { compileModel, loadMnistDigits, openRun, readCheckpoint, showError, train, vae } from 'hourglass';

const model = vae(2);
const compiled = compileModel(model.def, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(compiled)) throw new Error(showError(compiled.left));
console.log(`compiled ${compiled.right.manifest.model}: ${Object.keys(compiled.right.files).join(', ')}`);

const digits = loadMnistDigits();
const run = await train(model, { data: digits, out: 'runs/library-vae', epochs: 1, batch: 100, threads: 1 });
if (E.isLeft(run)) throw new Error(run.left.message);
console.log(`held-out loss ${run.right.reports[0].heldOut.loss.toFixed(2)}`);

const opened = await openRun('runs/library-vae');
if (E.isLeft(opened)) throw new Error(opened.left.message);
const codes = await opened.right.encode(digits.images, 10); // 10 × 2 codes (μ of the encoder)
const images = await opened.right.decode(codes, 10); // 10 × 784 mean reconstructions
const checkpoint = readCheckpoint('runs/library-vae/checkpoint.hgck');
if (E.isLeft(checkpoint)) throw new Error(checkpoint.left);
console.log(`codes ${codes.length}, images ${images.length}, checkpoint at step ${checkpoint.right.meta.step}`);
