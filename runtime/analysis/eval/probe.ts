// Linear probe: how well a linear classifier reads the labels off a representation (codes, or raw
// pixels as the baseline). Features are standardised with the training rows' statistics, then a
// multinomial logistic regression is compiled and trained by Hourglass itself.
import * as E from 'fp-ts/Either';
import { compileModel } from '../../../compiler/compile';
import { showError } from '../../../compiler/ir/types';
import type { Dataset } from '../../core/dataset';
import { trainEpochs } from '../../core/loop';
import { Trainer } from '../../core/trainer';
import { openTrainer } from '../../host/trainer';
import { logisticRegression } from './logisticRegression';
import { openEvalModel } from './model';

export interface Labelled {
  /** Row-major [n, dim]. */
  readonly x: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly n: number;
  readonly dim: number;
}

export interface ProbeOptions {
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  readonly seed?: number;
  readonly threads?: number;
}

export interface ProbeResult {
  /** Classification error (fraction wrong) on the probe's training rows and on the test rows. */
  readonly trainError: number;
  readonly testError: number;
  readonly classes: number;
  readonly features: number;
  readonly protocol: string;
}

export const PROBE_DEFAULTS = { epochs: 20, batch: 256, lr: 0.01, seed: 1 } as const;

/** Per-column mean and standard deviation (1 where a column is constant). */
const standardiser = (d: Labelled) => {
  const mean = new Float64Array(d.dim);
  const sd = new Float64Array(d.dim);
  for (let i = 0; i < d.n; i++) for (let j = 0; j < d.dim; j++) mean[j] += d.x[i * d.dim + j];
  for (let j = 0; j < d.dim; j++) mean[j] /= d.n;
  for (let i = 0; i < d.n; i++) for (let j = 0; j < d.dim; j++) sd[j] += (d.x[i * d.dim + j] - mean[j]) ** 2;
  for (let j = 0; j < d.dim; j++) sd[j] = Math.sqrt(sd[j] / d.n) || 1;
  return { mean, sd };
};

/** Standardised features followed by one-hot label columns. */
const packed = (d: Labelled, s: ReturnType<typeof standardiser>, classes: number): Float32Array => {
  const w = d.dim + classes;
  const out = new Float32Array(d.n * w);
  for (let i = 0; i < d.n; i++) {
    for (let j = 0; j < d.dim; j++) out[i * w + j] = (d.x[i * d.dim + j] - s.mean[j]) / s.sd[j];
    out[i * w + d.dim + d.labels[i]] = 1;
  }
  return out;
};

const errorRate = (logits: Float32Array, labels: ArrayLike<number>, n: number, classes: number) => {
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best !== labels[i]) wrong++;
  }
  return wrong / n;
};

export const linearProbe = async (train: Labelled, test: Labelled, o: ProbeOptions = {}): Promise<ProbeResult> => {
  if (train.dim !== test.dim) throw new RangeError(`probe: training features have ${train.dim} columns, test features ${test.dim}`);
  const { epochs, batch: wantBatch, lr, seed } = { ...PROBE_DEFAULTS, ...o };
  let classes = 0;
  for (const l of [train.labels, test.labels]) for (let i = 0; i < l.length; i++) classes = Math.max(classes, l[i] + 1);
  const batch = Math.min(wantBatch, train.n);
  const stats = standardiser(train);
  const model = logisticRegression(train.dim, classes);
  const art = compileModel(model, { optimizer: { kind: 'adam', lr, hyper: {} }, dtype: 'f64' });
  if (E.isLeft(art)) throw new Error(`probe: ${showError(art.left)}`);
  const trainer = await openTrainer(art.right, { seed, threads: o.threads, lr });
  const rows = (d: Labelled, name: string): Dataset => ({ name, images: packed(d, stats, classes), n: d.n, shape: [d.dim + classes], dim: d.dim + classes });
  const trainRows = rows(train, 'probe/train');
  const testRows = rows(test, 'probe/test');
  const none: Dataset = { name: 'none', images: new Float32Array(0), n: 0, shape: trainRows.shape, dim: trainRows.dim };
  await trainEpochs(trainer, trainRows, none, { epochs, batch, seed, fuse: 16 });
  const fitted = await openEvalModel(art.right, trainer.snapshot(), undefined, { threads: o.threads });
  const trainError = errorRate(await fitted.encode(trainRows.images, train.n), train.labels, train.n, classes);
  const testError = errorRate(await fitted.encode(testRows.images, test.n), test.labels, test.n, classes);
  const protocol = `multinomial logistic regression (${train.dim} features → ${classes} classes, weights from 0), compiled by Hourglass in f64 and trained with Adam (lr ${lr}, batch ${batch}, ${epochs} epochs, seed ${seed}) on ${train.n} rows; features standardised with those rows' mean and sd; error = fraction misclassified by argmax on ${test.n} test rows`;
  return { trainError, testError, classes, features: train.dim, protocol };
};
