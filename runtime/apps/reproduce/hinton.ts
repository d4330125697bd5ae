// Hinton & Salakhutdinov 2006: deep autoencoder (30-D code) vs PCA-30, and the 2-D codes, on the
// digits and on Fashion-MNIST, with the PyTorch peer's number on the same split where it was run.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import type { Dataset } from '../../core/dataset';
import { saveNpy } from '../../host/data/npy';
import { covariance, topEigen } from '../../analysis/pca';
import { pcaProjectionError, squaredErrorPerImage } from './measure';
import { PAPERS } from './papers';
import type { Table } from './table';
import { exampleSpec, loadData, type Trained } from './train';
import { reconstructAll, splitOf, train, type Context, type Result } from './experiment';

const pcaError = async (tr: Dataset, te: Dataset, r: number, quick: boolean) => {
  const d = tr.dim;
  const { mean, cov } = covariance(tr.images, tr.n, d);
  const eig = topEigen(cov, d, r);
  return pcaProjectionError(mean, eig.vectors, r, te.images, te.n, d);
};

/**
 * The budget. The issue's plain recipe (Adam 1e-3 constant, 30 epochs) leaves the held-out error
 * still falling (docs/reproductions.md has every recipe tried, with its number); a longer run with
 * a cosine decay is what took the 30-D code to about 2× below PCA on 8,000 digits.
 */
const RECIPE = { epochs: 50, batch: 128, lr: 1e-3, lrSchedule: 'cosine' } as const;
/**
 * Fashion-MNIST trains on 60,000 images: each epoch is 7.5 digit-epochs, so fewer of them. Five
 * epochs (2,340 steps) left the held-out loss falling with the rate already at its floor (30-D
 * code 1.24× below PCA-30); fifteen give the schedule room (docs/reproductions.md).
 */
const FASHION_RECIPE = { epochs: 15, batch: 128, lr: 1e-3, lrSchedule: 'cosine' } as const;
const QUICK = { epochs: 1, batch: 128, lr: 1e-3 } as const;

/** What `bench/peer_torch_hinton.py … > <out>/pytorch/<data>-<code>.json` printed, if it was run. */
const peerNumber = (out: string, dataName: string, code: number): number | undefined => {
  const file = join(out, 'pytorch', `${dataName}-${code}.json`);
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  const got = (JSON.parse(line) as { heldout?: unknown }).heldout;
  return typeof got === 'number' ? got : undefined;
};

/** The split as .npy, for the PyTorch peer to read the very same rows (written once). */
const writeSplit = (out: string, dataName: string, tr: Dataset, te: Dataset): { train: string; heldOut: string } => {
  const files = { train: join(out, 'split', `${dataName}-train.npy`), heldOut: join(out, 'split', `${dataName}-heldout.npy`) };
  mkdirSync(join(out, 'split'), { recursive: true });
  if (!existsSync(files.train)) saveNpy(files.train, tr.images, [tr.n, tr.dim]);
  if (!existsSync(files.heldOut)) saveNpy(files.heldOut, te.images, [te.n, te.dim]);
  return files;
};

interface DataPlan {
  readonly name: string;
  /** A separate held-out set (all of `name` trains), else the 80/20 split of `name`. */
  readonly heldOutData?: string;
  readonly budget: Readonly<Record<string, number | string>>;
}

const onData = async (ctx: Context, p: DataPlan, rows: (string | number)[][], runs: Trained[], notes: string[]): Promise<E.Either<string, void>> => {
  const data = loadData(p.name);
  if (E.isLeft(data)) return data;
  const held = p.heldOutData ? loadData(p.heldOutData) : undefined;
  if (held && E.isLeft(held)) return held;
  const { train: tr, heldOut } = held?._tag === 'Right' ? { train: data.right, heldOut: held.right } : splitOf(data.right);
  const files = ctx.quick ? undefined : writeSplit(ctx.out, p.name, tr, heldOut);
  const settings = { ...p.budget, ...(p.heldOutData ? { heldOutData: p.heldOutData } : {}) };
  const paper = p.name === 'mnist';
  for (const code of [30, 2]) {
    const suffix = p.name === 'mnist' ? '' : `-${p.name}`;
    const got = await train(ctx, { name: `deep-ae-${code}${suffix}`, spec: exampleSpec('deep-ae.ts'), set: { code }, data: p.name, settings });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const xhat = await reconstructAll(got.right.run, heldOut.images, heldOut.n);
    const ours = squaredErrorPerImage(heldOut.images, xhat, heldOut.n, tr.dim);
    const pca = await pcaError(tr, heldOut, code, ctx.quick);
    const peer = peerNumber(ctx.out, p.name, code);
    rows.push([
      p.name,
      `784-1000-500-250-${code}`,
      ours,
      pca,
      (pca / ours).toFixed(2),
      peer ?? '—',
      peer === undefined ? '—' : (pca / peer).toFixed(2),
      paper && code === 30 ? PAPERS.hinton.deepAe.toFixed(2) : '—',
      paper && code === 30 ? PAPERS.hinton.pca30.toFixed(2) : '—',
      got.right.t.seconds.toFixed(1),
    ]);
  }
  const b = p.budget;
  notes.push(
    `${p.name}: ${tr.n} training images, ${heldOut.n} held out${p.heldOutData ? ` (${p.heldOutData})` : ''}; ${b.epochs} epochs of Adam (lr ${b.lr}${b.lrSchedule ? `, ${b.lrSchedule} decay to 1% over the run` : ', constant'}), batch ${b.batch}.`,
  );
  if (files)
    notes.push(
      `${p.name}, PyTorch column: \`python bench/peer_torch_hinton.py ${files.train} ${files.heldOut} --code <30|2> > ${join(ctx.out, 'pytorch', `${p.name}-<code>.json`)}\` (the issue's plain recipe: Adam 1e-3 constant, 30 epochs, batch 128), then rerun with --reuse.`,
    );
  return E.right(undefined);
};

export const hintonExperiment = async (ctx: Context): Promise<Result> => {
  const budget = ctx.quick ? QUICK : RECIPE;
  const sets: DataPlan[] = ctx.data
    ? [{ name: ctx.data, budget: ctx.data.startsWith('fashion') && !ctx.quick ? FASHION_RECIPE : budget, heldOutData: ctx.data === 'fashion-mnist' ? 'fashion-mnist-test' : undefined }]
    : ctx.quick
      ? [{ name: 'mnist', budget }]
      : [
          { name: 'mnist', budget },
          { name: 'fashion-mnist', heldOutData: 'fashion-mnist-test', budget: FASHION_RECIPE },
        ];
  const rows: (string | number)[][] = [];
  const runs: Trained[] = [];
  const notes: string[] = [];
  for (const p of sets) {
    const r = await onData(ctx, p, rows, runs, notes);
    if (E.isLeft(r)) return r;
  }
  const table: Table = {
    title: 'Squared error per image on the held-out images (Σ over pixels of (x − x̂)², mean over images)',
    head: ['data', 'autoencoder', 'deep AE (ours)', 'PCA, as many components (ours)', 'PCA / deep AE', 'deep AE (PyTorch, same split)', 'PCA / PyTorch', 'deep AE (paper)', 'PCA-30 (paper)', 'train s'],
    rows,
  };
  return E.right({
    title: `Hinton & Salakhutdinov 2006: deep autoencoder vs PCA (${sets.map((s) => s.name).join(', ')})`,
    tables: [table],
    notes: [
      ...notes,
      'ReLU layers, linear code, logistic output, Bernoulli loss, Glorot-uniform weights; no RBM pretraining. The paper trained on 60,000 digits with pretraining and reports the 10,000-image test set; the digits here are the 8,000/2,000 split of the 10,000 shipped with Hourglass.',
      'The 2-D codes beside PCA are in deep-ae-2/figures/codes.svg (Hinton Fig. 3).',
    ],
    figures: [],
    runs,
  });
};
