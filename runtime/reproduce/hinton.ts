// Hinton & Salakhutdinov 2006: deep autoencoder (30-D code) vs PCA-30, and the 2-D codes.
import * as E from 'fp-ts/Either';
import { type Dataset } from '../data/dataset';
import { covariance, topEigen } from './linalg';
import { pcaProjectionError, squaredErrorPerImage } from './measure';
import { PAPERS } from './papers';
import { exampleSpec, loadData, type Trained } from './train';
import { reconstructAll, splitOf, train, type Context, type Result } from './experiment';


const pcaError = async (tr: Dataset, te: Dataset, r: number, quick: boolean) => {
  const d = tr.dim;
  const { mean, cov } = await covariance(tr.images, tr.n, d);
  const eig = await topEigen(cov, d, r, quick ? 30 : 60);
  return pcaProjectionError(mean, eig.vectors, r, te.images, te.n, d);
};

export const hintonExperiment = async (ctx: Context): Promise<Result> => {
  const dataName = ctx.data ?? 'mnist';
  const data = loadData(dataName);
  if (E.isLeft(data)) return data;
  const { train: tr, heldOut } = splitOf(data.right);
  const budget = ctx.quick ? { epochs: 1, batch: 128, lr: 1e-3 } : { epochs: 10, batch: 128, lr: 1e-3, lrSchedule: 'cosine' };
  const runs: Trained[] = [];
  const rows: (string | number)[][] = [];
  for (const code of [30, 2]) {
    const got = await train(ctx, { name: `deep-ae-${code}`, spec: exampleSpec('deep-ae.ts'), set: { code }, data: dataName, settings: budget });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const xhat = await reconstructAll(got.right.run, heldOut.images, heldOut.n);
    const ours = squaredErrorPerImage(heldOut.images, xhat, heldOut.n, tr.dim);
    const pca = await pcaError(tr, heldOut, code, ctx.quick);
    rows.push([`784-1000-500-250-${code}`, ours, pca, code === 30 ? PAPERS.hinton.deepAe.toFixed(2) : '—', code === 30 ? PAPERS.hinton.pca30.toFixed(2) : '—', got.right.t.seconds.toFixed(1)]);
  }
  return E.right({
    title: `Hinton & Salakhutdinov 2006: deep autoencoder vs PCA (${dataName})`,
    tables: [{ title: `Squared error per image on the held-out ${heldOut.n}`, head: ['autoencoder', 'deep AE (ours)', 'PCA with as many components (ours)', 'deep AE (paper)', 'PCA-30 (paper)', 'train s'], rows }],
    notes: [
      `Budget: ${budget.epochs} epochs of Adam (lr ${budget.lr}${'lrSchedule' in budget ? ', cosine' : ''}), batch ${budget.batch}, ReLU layers, Bernoulli loss; no RBM pretraining. The paper trained on 60,000 digits with pretraining and reports the 10,000-image test set; we train on ${tr.n} and test on ${heldOut.n}.`,
      'The 2-D codes beside PCA are in deep-ae-2/figures/codes.svg (Hinton Fig. 3).',
    ],
    figures: [],
    runs,
  });
};
