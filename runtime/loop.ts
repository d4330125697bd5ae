// Epochs of seeded, shuffled mini-batches. Each epoch permutes the training set once into a
// reused buffer; the batches are then views into it.
import type { Dataset } from './data/dataset';
import { Rng } from './random';
import type { Losses, Trainer } from './trainer';

export interface EpochReport {
  readonly epoch: number;
  readonly steps: number;
  readonly train: Losses;
  readonly heldOut: Losses;
  readonly seconds: number;
}

export interface LoopOptions {
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  readonly onEpoch?: (r: EpochReport) => void;
  readonly onStep?: (step: number, losses: Losses) => void;
}

export const trainEpochs = async (trainer: Trainer, train: Dataset, heldOut: Dataset, opts: LoopOptions): Promise<EpochReport[]> => {
  const rng = Rng.seeded(opts.seed);
  const buffer = new Float32Array(train.images.length);
  const stepsPerEpoch = Math.floor(train.n / opts.batch);
  if (stepsPerEpoch === 0) throw new RangeError(`batch ${opts.batch} is larger than the ${train.n} training examples`);
  const reports: EpochReport[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const started = performance.now();
    const order = rng.permutation(train.n);
    for (let i = 0; i < train.n; i++) buffer.set(train.images.subarray(order[i] * train.dim, (order[i] + 1) * train.dim), i * train.dim);
    const sums: Losses = {};
    for (let s = 0; s < stepsPerEpoch; s++) {
      const x = buffer.subarray(s * opts.batch * train.dim, (s + 1) * opts.batch * train.dim);
      const losses = await trainer.step(x, opts.batch);
      for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v / stepsPerEpoch;
      opts.onStep?.(++step, losses);
    }
    const held = await trainer.evaluate(heldOut.images, heldOut.n, 1000);
    const report = { epoch, steps: stepsPerEpoch, train: sums, heldOut: held, seconds: (performance.now() - started) / 1000 };
    reports.push(report);
    opts.onEpoch?.(report);
  }
  return reports;
};
