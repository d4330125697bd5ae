// PCA: linear autoencoders at r = 2, 16, 32 against the top-r principal subspace.
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { readCheckpoint } from '../../host/checkpoint';
import type { Figure } from '../../analysis/figures/build';
import { lineChart, renderSvg, type Series } from '../../analysis/figures/plots';
import { covariance, principalAnglesOfColumns, topEigen } from '../../analysis/pca';
import { pcaProjectionError, squaredErrorPerImage } from './measure';
import { exampleSpec, loadData, type Plan, type Trained } from './train';
import { reconstructAll, splitOf, train, type Context, type Result } from './experiment';


export const pcaExperiment = async (ctx: Context): Promise<Result> => {
  const dataName = ctx.data ?? 'mnist';
  const data = loadData(dataName);
  if (E.isLeft(data)) return data;
  const { train: tr, heldOut } = splitOf(data.right);
  const d = tr.dim;
  const ranks = [2, 16, 32];
  ctx.log('PCA: covariance and top eigenpairs of the training split');
  const { mean, cov } = covariance(tr.images, tr.n, d);
  const eig = topEigen(cov, d, 33);
  const budget = ctx.quick
    ? { epochs: 4, batch: 128, lr: 3e-3, lrSchedule: 'cosine' }
    : { epochs: 100, batch: 128, lr: 3e-3, lrSchedule: 'cosine' };
  const rows: (string | number)[][] = [];
  const curve: Series[] = [];
  const runs: Trained[] = [];
  for (const r of ranks) {
    const pcaBasis = Float64Array.from({ length: d * r }, (_, i) => eig.vectors[Math.floor(i / r) * eig.k + (i % r)]);
    const anglesOf = (W: ArrayLike<number>) => principalAnglesOfColumns(Float64Array.from({ length: d * r }, (_, i) => W[(i % r) * d + Math.floor(i / r)]), r, pcaBasis, r, d);
    const plan: Plan = {
      name: `linear-r${r}`,
      spec: exampleSpec('linear-ae.ts'),
      set: { r },
      data: dataName,
      settings: budget,
      // The checkpoint at the start of epoch e holds the weights after epoch e − 1.
      onEpoch: (rep, dir) => {
        if (rep.epoch < 2) return;
        const ck = readCheckpoint(join(dir, 'checkpoint.hgck'));
        if (E.isRight(ck)) curve.push({ x: rep.epoch - 1, y: Math.max(anglesOf(ck.right.tensors['decoder.dense0.W'])[r - 1], 1e-4), series: `r = ${r}` });
      },
    };
    const got = await train(ctx, plan);
    if (E.isLeft(got)) return got;
    const { t, run } = got.right;
    runs.push(t);
    const angles = anglesOf(run.tensors['decoder.dense0.W']);
    curve.push({ x: budget.epochs, y: Math.max(angles[r - 1], 1e-4), series: `r = ${r}` });
    const xhat = await reconstructAll(run, heldOut.images, heldOut.n);
    const ours = squaredErrorPerImage(heldOut.images, xhat, heldOut.n, d);
    // PCA's reconstruction of the held-out set from the training split's top-r subspace.
    const pcaErr = pcaProjectionError(mean, pcaBasis, r, heldOut.images, heldOut.n, d);
    const gap = eig.values[r - 1] / eig.values[r];
    rows.push([r, ours, pcaErr, (ours / pcaErr).toFixed(4), '≤ 1.001', gap.toFixed(3), angles[r - 1].toFixed(3), angles.reduce((a, b) => a + b, 0) / r, gap >= 1.1 ? (angles[r - 1] < 1 ? 'yes' : 'no') : 'n/a (gap < 1.1)', t.seconds.toFixed(1)]);
  }
  const figure: Figure = {
    file: 'pca-angles.svg',
    title: 'Largest principal angle over epochs',
    caption: 'The largest principal angle (degrees, log scale) between each linear autoencoder’s decoder subspace and the top-r PCA subspace of the training split, after each epoch. Its convergence rate depends on the eigengap λ_r / λ_{r+1}.',
    bytes: await renderSvg(lineChart(curve, 'Largest principal angle to the PCA subspace', 'epoch', 'largest angle (°)', true)),
  };
  return E.right({
    title: `PCA ≡ linear autoencoder (${dataName})`,
    tables: [
      {
        title: `Linear autoencoders vs PCA on the held-out ${heldOut.n} of ${dataName}`,
        head: ['r', 'AE squared error / image', 'PCA squared error / image', 'ratio', 'claim', 'eigengap λ_r/λ_{r+1}', 'largest angle (°)', 'mean angle (°)', 'largest < 1° where gap ≥ 1.1', 'train s'],
        rows,
      },
    ],
    notes: [
      `Budget: ${budget.epochs} epochs, batch ${budget.batch === tr.n ? `${tr.n} (full-batch steps)` : budget.batch}, Adam lr ${budget.lr} with a cosine schedule. PCA: eigenvectors of the training split's covariance (its eigendecomposition by ml-matrix, f64).`,
      'Theory (Baldi & Hornik 1989): the optimum spans the top-r principal subspace, so the ratio tends to 1 and the angles to 0; the angles converge at a rate set by the eigengap.',
    ],
    figures: [figure],
    runs,
  });
};
