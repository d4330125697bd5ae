// The six reproductions: which models to train, on what budget (--quick or full), what to
// measure, and the table beside the paper's numbers.
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { compileModel, type Artifacts } from '../../../compiler/compile';
import { showError } from '../../../compiler/ir/types';
import { readCheckpoint } from '../../host/checkpoint';
import { loadSpecWithParams } from '../../host/spec/loadSpec';
import { splitHeldOut, type Dataset } from '../../core/dataset';
import { saveNpy } from '../../host/data/npy';
import { FACTORS } from '../../host/data/shapes';
import { higginsMetric, renderFactors, type CodesOfFactors, type DisentanglementOptions } from '../../analysis/eval/disentanglement';
import { openEvalModel } from '../../analysis/eval/model';
import type { FloatArray } from '../../core/init';
import type { Figure } from '../../analysis/figures/build';
import { toyDensities } from '../../analysis/figures/build';
import { densityPanels, lineChart, renderSvg, type Series } from '../../analysis/figures/plots';
import { openRun, type OpenRun } from '../../analysis/figures/run';
import { Rng } from '../../core/random';
import { Trainer } from '../../core/trainer';
import { openTrainer } from '../../host/trainer';
import { covariance, principalAnglesOfColumns, topEigen } from '../../analysis/pca';
import { deadUnits, gaussianEncoder, iwaeBound, mmdRbf, pcaProjectionError, probeError, sampleCodes, squaredErrorPerImage } from './measure';
import { PAPERS } from './papers';
import { pct, type Table } from './table';
import { exampleSpec, loadData, trainPlan, type Plan, type Trained } from './train';

export const EXPERIMENTS = ['pca', 'hinton', 'makhzani', 'kingma', 'higgins', 'zhao'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

export interface Context {
  readonly out: string;
  readonly quick: boolean;
  /** Data set override (where the experiment takes one). */
  readonly data?: string;
  /** Keep finished runs in `out` whose settings match (resuming shorter ones) instead of retraining. */
  readonly reuse?: boolean;
  readonly log: (line: string) => void;
}

export interface Outcome {
  readonly title: string;
  readonly tables: readonly Table[];
  readonly notes: readonly string[];
  /** Figures of the whole experiment (beyond each run's own). */
  readonly figures: readonly Figure[];
  readonly runs: readonly Trained[];
}

type Result = E.Either<string, Outcome>;

const train = async (ctx: Context, p: Plan): Promise<E.Either<string, { t: Trained; run: OpenRun }>> => {
  const t = await trainPlan(p, join(ctx.out, p.name), ctx.log, ctx.reuse);
  if (E.isLeft(t)) return t;
  const run = await openRun(t.right.dir);
  if (E.isLeft(run)) return run;
  return E.right({ t: t.right, run: run.right });
};

const splitOf = (d: Dataset) => splitHeldOut(d);

const take = (d: Dataset, n: number): Dataset => (n >= d.n ? d : { ...d, n, images: d.images.subarray(0, n * d.dim), labels: d.labels?.subarray(0, n) });

const reconstructAll = async (run: OpenRun, x: Float32Array, n: number) => (await run.graph('reconstruct'))(x, n);

// ---------------------------------------------------------------------------------------------
// PCA: linear autoencoders at r = 2, 16, 32 against the top-r principal subspace.

const pcaExperiment = async (ctx: Context): Promise<Result> => {
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

// ---------------------------------------------------------------------------------------------
// Hinton & Salakhutdinov: deep autoencoder (30-D code) vs PCA-30, and the 2-D codes.

const pcaError = async (tr: Dataset, te: Dataset, r: number, quick: boolean) => {
  const d = tr.dim;
  const { mean, cov } = covariance(tr.images, tr.n, d);
  const eig = topEigen(cov, d, r);
  return pcaProjectionError(mean, eig.vectors, r, te.images, te.n, d);
};

const hintonExperiment = async (ctx: Context): Promise<Result> => {
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

// ---------------------------------------------------------------------------------------------
// Makhzani & Frey Table 1: linear probe on raw pixels vs k-sparse codes.

const makhzaniOn = async (ctx: Context, dataName: string, rows: (string | number)[][], runs: Trained[]): Promise<E.Either<string, string>> => {
  const data = loadData(dataName);
  if (E.isLeft(data)) return data;
  const whole = data.right;
  const { train: tr0, heldOut: te0 } = splitOf(whole);
  const tr = ctx.quick ? take(tr0, 3000) : tr0;
  const te = ctx.quick ? take(te0, 1000) : te0;
  const probeEpochs = ctx.quick ? 3 : 20;
  const budget = ctx.quick ? { epochs: 2, batch: 128, lr: 1e-3 } : { epochs: 30, batch: 128, lr: 1e-3 };
  if (!tr.labels || !te.labels) return E.left(`${dataName}: has no labels for a probe`);
  const raw = await probeError({ x: tr.images, y: tr.labels, n: tr.n }, { x: te.images, y: te.labels, n: te.n }, tr.dim, probeEpochs);
  rows.push([dataName, 'raw pixels', pct(raw.error), dataName === 'mnist' ? pct(PAPERS.makhzani.raw) : '—', '—', '—']);
  for (const k of [10, 25, 40]) {
    const got = await train(ctx, { name: `k-sparse-${dataName}-k${k}`, spec: exampleSpec('k-sparse.ts'), set: { k }, data: dataName, settings: budget });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const enc = await got.right.run.graph('encode');
    const h = got.right.run.codeDim;
    const ctr = await enc(tr.images, tr.n);
    const cte = await enc(te.images, te.n);
    const probe = await probeError({ x: ctr, y: tr.labels, n: tr.n }, { x: cte, y: te.labels, n: te.n }, h, probeEpochs);
    rows.push([dataName, `k-sparse, k = ${k}`, pct(probe.error), dataName === 'mnist' ? pct(PAPERS.makhzani.k[k]) : '—', `${deadUnits(cte, te.n, h)} / ${h}`, got.right.t.seconds.toFixed(1)]);
  }
  return E.right(`${raw.protocol}; ${budget.epochs} training epochs per autoencoder (Adam lr ${budget.lr}, k-annealing from 100 over the first half, encoding keeps α·k = 3k).`);
};

const makhzaniExperiment = async (ctx: Context): Promise<Result> => {
  const rows: (string | number)[][] = [];
  const runs: Trained[] = [];
  const notes: string[] = [];
  const sets = ctx.data ? [ctx.data] : ctx.quick ? ['mnist'] : ['mnist', 'fashion-mnist'];
  for (const name of sets) {
    const r = await makhzaniOn(ctx, name, rows, runs);
    if (E.isLeft(r)) return r;
    notes.push(`${name}: ${r.right}`);
  }
  notes.push('The paper trains on 60,000 MNIST digits and tests on 10,000; the digits here are the split of the data set named. Dead units: codes that are zero for every held-out example.');
  return E.right({
    title: 'Makhzani & Frey 2013, Table 1: linear probe error',
    tables: [{ title: 'Classification error of a linear probe (held-out)', head: ['data', 'features', 'error (ours)', 'error (paper)', 'dead units', 'train s'], rows }],
    notes,
    figures: [],
    runs,
  });
};

// ---------------------------------------------------------------------------------------------
// Kingma & Welling: test ELBO and IWAE per latent size.

const kingmaExperiment = async (ctx: Context): Promise<Result> => {
  const dataName = ctx.data ?? 'mnist';
  const data = loadData(dataName);
  if (E.isLeft(data)) return data;
  const { heldOut } = splitOf(data.right);
  const te = ctx.quick ? take(heldOut, 200) : heldOut;
  const K = ctx.quick ? 5 : 50;
  const budget = ctx.quick ? { epochs: 2, batch: 100, lr: 1e-3 } : { epochs: 20, batch: 100, lr: 1e-3 };
  const rows: (string | number)[][] = [];
  const runs: Trained[] = [];
  for (const latent of [2, 5, 10, 20]) {
    const got = await train(ctx, { name: `vae-z${latent}`, spec: exampleSpec('vae.ts'), set: { latent }, data: dataName, settings: budget });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const last = got.right.t.reports[got.right.t.reports.length - 1];
    const enc = await gaussianEncoder(got.right.run);
    const iwae = E.isRight(enc) ? await iwaeBound(got.right.run, enc.right, te.images, te.n, K) : NaN;
    const iwae1 = E.isRight(enc) ? await iwaeBound(got.right.run, enc.right, te.images, te.n, 1) : NaN;
    rows.push([latent, -last.heldOut.loss, iwae1, iwae, got.right.t.seconds.toFixed(1)]);
  }
  return E.right({
    title: `Kingma & Welling 2013: VAE bounds per latent size (${dataName})`,
    tables: [{ title: `Held-out bounds on log p(x), nats (higher is better)`, head: ['N_z', 'ELBO (held-out, from training)', 'IWAE K = 1', `IWAE K = ${K} (${te.n} images)`, 'train s'], rows }],
    notes: [
      `Budget: ${budget.epochs} epochs, batch ${budget.batch}, Adam lr ${budget.lr}; encoder and decoder 400 ReLU units. The ELBO column is the held-out loss of the last epoch (one noise sample per image); IWAE K = 1 is the same bound re-estimated here, and K = ${K} (Burda et al. 2015) must lie above it.`,
      `Paper: ${PAPERS.kingma.source}; it trains on 50,000 binarised digits for up to 10⁸ examples seen, ours on the non-binarised split here, so the numbers are not the paper's. The manifold and samples are each run's figures (manifold.png only for N_z = 2).`,
    ],
    figures: [],
    runs,
  });
};

// ---------------------------------------------------------------------------------------------
// Higgins et al.: β-VAE vs VAE on shapes, the disentanglement metric with sanity rows.

/** The shapes β-VAE compiled once, so its encoder can be opened on any weights (initial, or after an epoch). */
const compiledShapesVae = async (set: Record<string, number>) => {
  const loaded = await loadSpecWithParams(exampleSpec('shapes-vae.ts'), { typecheck: false, set: Object.entries(set).map(([k, v]) => `${k}=${v}`) });
  if (E.isLeft(loaded)) return E.left(loaded.left.message);
  const compiled = compileModel(loaded.right.model, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} }, dtype: 'f32' });
  return E.isLeft(compiled) ? E.left(showError(compiled.left)) : E.right(compiled.right);
};

/** The metric's codes: the encoder's deterministic output μ(x) on rendered factor rows. */
const codesOfWeights = async (art: Artifacts, weights: Readonly<Record<string, FloatArray>>): Promise<CodesOfFactors> => {
  const model = await openEvalModel(art, weights, undefined);
  const dim = art.manifest.codeShape.reduce((a, b) => a * b, 1);
  return async (factors, count) => ({ codes: await model.encode(renderFactors(factors, count), count), dim });
};

const higginsExperiment = async (ctx: Context): Promise<Result> => {
  const n = ctx.quick ? 2000 : 20000;
  const dataName = ctx.data ?? `shapes:${n}`;
  const hidden = ctx.quick ? 128 : 1200;
  // Adagrad lr 1e-2 as in the paper, its accumulator starting at 0.1 as TensorFlow's does: from 0
  // (PyTorch's and our default) the first step moves every weight by ±lr, and the 1200-unit model
  // overflows exp(log σ²) at step 2.
  const budget = {
    epochs: ctx.quick ? 1 : 32,
    batch: 64,
    lr: 1e-2,
    optimizer: 'adagrad' as const,
    optimizerHyper: { initialAccumulator: 0.1 },
  };
  // Higgins et al.: L = 64 pairs per vote; the classifier is scored on fresh votes.
  const metric: DisentanglementOptions = ctx.quick
    ? { L: 8, trainPoints: 120, testPoints: 80, seed: 11, probe: { epochs: 100, batch: 40 } }
    : { L: 64, trainPoints: 400, testPoints: 300, seed: 11, probe: { epochs: 200, batch: 100 } };
  const curveAt = new Set(ctx.quick ? [1] : [1, 2, 4, 7, 10, 13, 16, 20, 24, 28, 32]);
  const rows: (string | number)[][] = [];
  const klRows: (string | number)[][] = [];
  const curve: Series[] = [];
  const curveRows = new Map<number, (string | number)[]>();
  const runs: Trained[] = [];
  const data = loadData(dataName);
  if (E.isLeft(data)) return data;
  const { train: tr, heldOut } = splitOf(data.right);
  const steps = (epoch: number) => epoch * Math.floor(tr.n / budget.batch);
  let protocol = '';
  for (const beta of [1, 4]) {
    const art = await compiledShapesVae({ beta, hidden });
    if (E.isLeft(art)) return art;
    const label = `β = ${beta}`;
    const got = await train(ctx, {
      name: `shapes-beta${beta}`,
      spec: exampleSpec('shapes-vae.ts'),
      set: { beta, hidden },
      data: dataName,
      settings: budget,
      // The metric over training (recorded in metrics.jsonl as eval.disentanglement).
      evalAtEpoch: async (epoch, weights) => {
        if (!curveAt.has(epoch)) return undefined;
        const m = await higginsMetric(await codesOfWeights(art.right, weights), metric);
        ctx.log(`${label}, epoch ${epoch}: disentanglement metric ${pct(m.accuracy)}`);
        return { disentanglement: m.accuracy };
      },
    });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    // The curve from metrics.jsonl, so a reused or continued run contributes its earlier epochs.
    for (const [epoch, ev] of got.right.t.evals) {
      if (typeof ev.disentanglement !== 'number') continue;
      curve.push({ x: steps(epoch), y: 100 * ev.disentanglement, series: label });
      const row = curveRows.get(epoch) ?? [epoch, steps(epoch), '—', '—'];
      row[beta === 1 ? 2 : 3] = pct(ev.disentanglement);
      curveRows.set(epoch, row);
    }
    const run = got.right.run;
    const m = await higginsMetric(await codesOfWeights(art.right, run.tensors), metric);
    protocol = m.protocol;
    rows.push([beta === 1 ? 'VAE (β = 1)' : 'β-VAE (β = 4)', pct(m.accuracy), pct(m.trainAccuracy), pct(beta === 1 ? PAPERS.higgins.vae : PAPERS.higgins.betaVae), got.right.t.seconds.toFixed(1)]);
    const g = await gaussianEncoder(run);
    if (E.isRight(g)) {
      const q = await g.right(heldOut.images.subarray(0, 500 * heldOut.dim), Math.min(500, heldOut.n));
      const cnt = q.mean.length / run.codeDim;
      const kl = Array.from({ length: run.codeDim }, (_, j) => {
        let s = 0;
        for (let i = 0; i < cnt; i++) {
          const mu = q.mean[i * run.codeDim + j];
          const lv = q.logVar[i * run.codeDim + j];
          s += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
        }
        return s / cnt;
      });
      klRows.push([label, ...kl.map((v) => v.toFixed(2))]);
    }
  }
  const rng = Rng.seeded(5);
  const sanity: [string, CodesOfFactors][] = [
    // factorValues rows: the fixed factor's coordinate differs by exactly 0 within every pair.
    ['true factors as codes', async (f) => ({ codes: f, dim: FACTORS.length })],
    ['random codes (independent of the image)', async (_f, k) => ({ codes: Float32Array.from({ length: k * 10 }, () => rng.normal()), dim: 10 })],
  ];
  const initial = await compiledShapesVae({ beta: 4, hidden });
  if (E.isRight(initial)) {
    const trainer = await openTrainer(initial.right, { seed: 1, lr: 1e-3 });
    sanity.push(['untrained encoder (initial weights)', await codesOfWeights(initial.right, trainer.snapshot())]);
  }
  for (const [name, codes] of sanity) {
    const m = await higginsMetric(codes, metric);
    rows.push([name, pct(m.accuracy), pct(m.trainAccuracy), name.startsWith('true') ? '≈ 100%' : '—', '—']);
  }
  const tables: Table[] = [
    { title: 'Disentanglement metric accuracy on fresh votes (chance: 20%)', head: ['codes', 'accuracy (ours)', 'classifier train accuracy', 'accuracy (paper)', 'train s'], rows },
    { title: 'KL per latent on 500 held-out images (nats): informative latents have large KL', head: ['model', ...Array.from({ length: 10 }, (_, j) => `z${j}`)], rows: klRows },
  ];
  const figures: Figure[] = [];
  if (curveRows.size) {
    tables.push({ title: 'The metric over training', head: ['epoch', 'steps (batch 64)', 'β = 1', 'β = 4'], rows: [...curveRows.values()].sort((a, b) => Number(a[0]) - Number(b[0])) });
    figures.push({
      file: 'higgins-metric.svg',
      title: 'Disentanglement metric over training',
      caption: 'The disentanglement metric (Higgins et al. 2017) of the β = 1 and β = 4 shapes VAEs after each evaluated epoch, on fresh votes with the final table’s protocol.',
      paper: 'Higgins et al. 2017, §4.2',
      bytes: await renderSvg(lineChart(curve, 'Disentanglement metric over training', 'steps (batch 64)', 'accuracy (%)')),
    });
  }
  return E.right({
    title: `Higgins et al. 2017: disentanglement metric (${dataName})`,
    tables,
    notes: [
      `Budget: ${budget.epochs} epochs (${steps(budget.epochs)} steps) of Adagrad lr ${budget.lr} (accumulator from 0.1, TensorFlow's start), batch ${budget.batch}, on ${dataName} (${tr.n} training images; dSprites has 737,280), hidden width ${hidden}.`,
      `Protocol: ${protocol}.`,
      `Paper: ${PAPERS.higgins.source}. Traversals (Higgins Fig. 7) are each run's figures/traversals.png.`,
    ],
    figures,
    runs,
  });
};

// ---------------------------------------------------------------------------------------------
// Zhao et al.: the toy figure, and MMD(q(z), p(z)) for the ELBO-VAE vs InfoVAE (λ = 1000).

const zhaoExperiment = async (ctx: Context): Promise<Result> => {
  const runs: Trained[] = [];
  const toyN = 1000;
  const toyPath = join(ctx.out, 'toy-data.npy');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(ctx.out, { recursive: true });
  saveNpy(toyPath, Float32Array.from({ length: toyN }, (_, i) => (i % 2 ? 1 : -1)), [toyN, 1]);
  const toyBudget = ctx.quick ? { epochs: 10, batch: 100, lr: 1e-2 } : { epochs: 100, batch: 100, lr: 1e-2 };
  const densities = [];
  const toyRows: (string | number)[][] = [];
  for (const [name, lambda] of [['toy-elbo', 0], ['toy-infovae', 1000]] as const) {
    const got = await train(ctx, { name, spec: exampleSpec('toy-vae.ts'), set: { lambda }, data: toyPath, settings: toyBudget });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const label = lambda ? 'InfoVAE (λ = 1000)' : 'ELBO-VAE';
    const dens = toyDensities(got.right.run, label);
    if (dens) {
      densities.push(...dens);
      toyRows.push([label, ...dens.flatMap((q) => [q.mean.toFixed(3), q.sd.toFixed(3)])]);
    }
  }
  const toyFigure: Figure = {
    file: 'zhao-toy.svg',
    title: 'q(z | x) on the two-point data set',
    caption: 'Data {−1, +1}; the encoder’s Gaussian q(z | x) for each point after training with the ELBO (left) and with InfoVAE’s MMD objective, λ = 1000 (right).',
    paper: 'Zhao et al. 2017, Fig. 1',
    bytes: await renderSvg(densityPanels(densities, 'q(z | x) for x = −1 and x = +1')),
  };
  const dataName = ctx.data ?? 'mnist';
  const data = loadData(dataName);
  if (E.isLeft(data)) return data;
  const { heldOut } = splitOf(data.right);
  const m = ctx.quick ? 300 : 2000;
  const budget = ctx.quick ? { epochs: 1, batch: 128, lr: 1e-3 } : { epochs: 30, batch: 128, lr: 1e-3 };
  const rows: (string | number)[][] = [];
  for (const [name, spec, set] of [
    ['vae-elbo-z2', 'vae.ts', { latent: 2 }],
    ['infovae-z2', 'mmd-vae.ts', { latent: 2, lambda: 1000 }],
  ] as const) {
    const got = await train(ctx, { name, spec: exampleSpec(spec), set, data: dataName, settings: budget });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const enc = await gaussianEncoder(got.right.run);
    if (E.isLeft(enc)) return enc;
    const q = await enc.right(heldOut.images.subarray(0, m * heldOut.dim), m);
    const rng = Rng.seeded(9);
    const z = sampleCodes(q, rng);
    const prior = Float64Array.from({ length: z.length }, () => rng.normal());
    const prior2 = Float64Array.from({ length: z.length }, () => rng.normal());
    const last = got.right.t.reports[got.right.t.reports.length - 1];
    rows.push([name.startsWith('vae') ? 'ELBO-VAE' : 'InfoVAE (λ = 1000)', mmdRbf(z, prior, m, 2), mmdRbf(prior2, prior, m, 2), last.heldOut.reconstruction, got.right.t.seconds.toFixed(1)]);
  }
  return E.right({
    title: 'Zhao et al. 2017 (InfoVAE): the toy and MMD(q(z), p(z))',
    tables: [
      { title: 'q(z | x) on the toy data', head: ['objective', 'μ(−1)', 'σ(−1)', 'μ(+1)', 'σ(+1)'], rows: toyRows },
      { title: `MMD² (RBF) between ${m} samples of the aggregate posterior q(z) and of p(z) = N(0, I), 2-D latents, ${dataName} held-out`, head: ['model', 'MMD²(q(z), p(z))', 'MMD² of two prior samples (noise floor)', 'held-out reconstruction (nats)', 'train s'], rows },
    ],
    notes: [
      `Toy: ${toyN} points, ${toyBudget.epochs} epochs, Adam lr ${toyBudget.lr}; a sharp decoder (σ² = 0.01). MNIST: ${budget.epochs} epochs, Adam lr ${budget.lr}.`,
      'Zhao et al. argue the ELBO lets q(z | x) for different x drift apart and away from the prior, while the MMD term matches the aggregate posterior to the prior; a smaller MMD² for InfoVAE is the expected outcome.',
    ],
    figures: [toyFigure],
    runs,
  });
};

export const runExperiment = (name: ExperimentName, ctx: Context): Promise<Result> =>
  ({ pca: pcaExperiment, hinton: hintonExperiment, makhzani: makhzaniExperiment, kingma: kingmaExperiment, higgins: higginsExperiment, zhao: zhaoExperiment })[name](ctx);
