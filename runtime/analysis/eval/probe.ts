// Linear probe: how well a linear classifier reads the labels off a representation (codes, or raw
// pixels as the baseline). Features are standardised with the training rows' statistics, then a
// multinomial logistic regression is compiled and trained by Hourglass itself. Its L2 weight is
// chosen on a validation part of the training rows (as scikit-learn's LogisticRegressionCV does):
// unregularised, 784 raw pixels overfit 8,000 digits.
import * as E from 'fp-ts/Either';
import { compileModel } from '../../../compiler/compile';
import { showError } from '../../../compiler/ir/types';
import { splitIndices, subsetRows, type Dataset } from '../../core/dataset';
import { trainEpochs } from '../../core/loop';
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
  /** The L2 weight λ on ‖W‖², or candidates to choose from on a validation part (default L2_GRID). */
  readonly l2?: number | readonly number[];
  /** Fraction of the training rows held out to choose λ (default 0.2). */
  readonly validation?: number;
}

/** One candidate λ and its error on the validation rows. */
export interface L2Candidate {
  readonly l2: number;
  readonly validationError: number;
}

export interface ProbeResult {
  /** Classification error (fraction wrong) on the probe's training rows and on the test rows. */
  readonly trainError: number;
  readonly testError: number;
  readonly classes: number;
  readonly features: number;
  /** The L2 weight used for the final fit. */
  readonly l2: number;
  /** The candidates tried on the validation rows (empty where λ was given). */
  readonly selection: readonly L2Candidate[];
  readonly protocol: string;
}

export const PROBE_DEFAULTS = { epochs: 20, batch: 256, lr: 0.01, seed: 1 } as const;
/** λ candidates: none, then decades (the loss is the mean cross-entropy, so λ is per-row scale). */
export const L2_GRID: readonly number[] = [0, 1e-4, 1e-3, 1e-2, 1e-1];

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

const fit = async (trainRows: Dataset, features: number, classes: number, l2: number, o: Required<Pick<ProbeOptions, 'epochs' | 'batch' | 'lr' | 'seed'>> & { threads?: number }) => {
  const art = compileModel(logisticRegression(features, classes, l2), { optimizer: { kind: 'adam', lr: o.lr, hyper: {} }, dtype: 'f64' });
  if (E.isLeft(art)) throw new Error(`probe: ${showError(art.left)}`);
  const trainer = await openTrainer(art.right, { seed: o.seed, threads: o.threads, lr: o.lr });
  const none: Dataset = { name: 'none', images: new Float32Array(0), n: 0, shape: trainRows.shape, dim: trainRows.dim };
  await trainEpochs(trainer, trainRows, none, { epochs: o.epochs, batch: Math.min(o.batch, trainRows.n), seed: o.seed, fuse: 16 });
  const fitted = await openEvalModel(art.right, trainer.snapshot(), undefined, { threads: o.threads });
  return (rows: Dataset, labels: ArrayLike<number>) => fitted.encode(rows.images, rows.n).then((l) => errorRate(l, labels, rows.n, classes));
};

/** λ as the protocol line writes it (0, or one significant digit: 1e-3). */
export const showL2 = (l2: number): string => (l2 === 0 ? '0' : l2.toExponential(0));

export const linearProbe = async (train: Labelled, test: Labelled, o: ProbeOptions = {}): Promise<ProbeResult> => {
  if (train.dim !== test.dim) throw new RangeError(`probe: training features have ${train.dim} columns, test features ${test.dim}`);
  const { epochs, batch: wantBatch, lr, seed } = { ...PROBE_DEFAULTS, ...o };
  let classes = 0;
  for (const l of [train.labels, test.labels]) for (let i = 0; i < l.length; i++) classes = Math.max(classes, l[i] + 1);
  const batch = Math.min(wantBatch, train.n);
  const hyper = { epochs, batch, lr, seed, threads: o.threads };
  const stats = standardiser(train);
  const rows = (d: Labelled, name: string): Dataset => ({ name, images: packed(d, stats, classes), n: d.n, shape: [d.dim + classes], dim: d.dim + classes });
  const trainRows = rows(train, 'probe/train');
  const testRows = rows(test, 'probe/test');
  const candidates = typeof o.l2 === 'number' ? [o.l2] : (o.l2 ?? L2_GRID);
  const fraction = o.validation ?? 0.2;
  const selection: L2Candidate[] = [];
  let l2 = candidates[0];
  if (candidates.length > 1) {
    // Fit on the rest, score on the validation part; the smallest λ wins ties (fewer assumptions).
    const part = splitIndices(train.n, fraction, seed);
    const fitRows = subsetRows(trainRows, part.train, 'fit');
    const valRows = subsetRows(trainRows, part.heldOut, 'validation');
    const valLabels = Array.from(part.heldOut, (i) => train.labels[i]);
    for (const c of [...candidates].sort((a, b) => a - b)) selection.push({ l2: c, validationError: await (await fit(fitRows, train.dim, classes, c, hyper))(valRows, valLabels) });
    l2 = selection.reduce((best, c) => (c.validationError < best.validationError ? c : best)).l2;
  }
  const errorOf = await fit(trainRows, train.dim, classes, l2, hyper);
  const trainError = await errorOf(trainRows, train.labels);
  const testError = await errorOf(testRows, test.labels);
  const chosen = selection.length
    ? `L2 weight λ = ${showL2(l2)} on ‖W‖², chosen from {${selection.map((c) => `${showL2(c.l2)}: ${(100 * c.validationError).toFixed(2)}%`).join(', ')}} (validation error on ${Math.round(100 * fraction)}% of the training rows, then refitted on all)`
    : `L2 weight λ = ${showL2(l2)} on ‖W‖²`;
  const protocol = `multinomial logistic regression (${train.dim} features → ${classes} classes, weights from 0), compiled by Hourglass in f64 and trained with Adam (lr ${lr}, batch ${batch}, ${epochs} epochs, seed ${seed}) on ${train.n} rows; ${chosen}; features standardised with those rows' mean and sd; error = fraction misclassified by argmax on ${test.n} test rows`;
  return { trainError, testError, classes, features: train.dim, l2, selection, protocol };
};
