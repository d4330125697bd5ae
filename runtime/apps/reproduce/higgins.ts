// Higgins et al. 2017: β-VAE vs VAE on shapes, the disentanglement metric with sanity rows.
import * as E from 'fp-ts/Either';
import { compileModel, type Artifacts } from '../../../compiler/compile';
import { showError } from '../../../compiler/ir/types';
import { loadSpecWithParams } from '../../host/spec/loadSpec';
import { FACTORS } from '../../host/data/shapes';
import { higginsMetric, renderFactors, type CodesOfFactors, type DisentanglementOptions } from '../../analysis/eval/disentanglement';
import { openEvalModel } from '../../analysis/eval/model';
import type { FloatArray } from '../../core/init';
import type { Figure } from '../../analysis/figures/build';
import { lineChart, renderSvg, type Series } from '../../analysis/figures/plots';
import { Rng } from '../../core/random';
import { openTrainer } from '../../host/trainer';
import { gaussianEncoder } from './measure';
import { PAPERS } from './papers';
import { pct, type Table } from './table';
import { exampleSpec, loadData, type Trained } from './train';
import { splitOf, train, type Context, type Result } from './experiment';


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

/** Mean KL(q(z_j|x) ‖ N(0, 1)) per latent over the first 500 held-out images; null without a Gaussian encoder. */
const klPerLatent = async (run: Parameters<typeof gaussianEncoder>[0], heldOut: { images: Float32Array; dim: number; n: number }): Promise<number[] | null> => {
  const g = await gaussianEncoder(run);
  if (E.isLeft(g)) return null;
  const q = await g.right(heldOut.images.subarray(0, 500 * heldOut.dim), Math.min(500, heldOut.n));
  const cnt = q.mean.length / run.codeDim;
  return Array.from({ length: run.codeDim }, (_, j) => {
    let s = 0;
    for (let i = 0; i < cnt; i++) {
      const mu = q.mean[i * run.codeDim + j];
      const lv = q.logVar[i * run.codeDim + j];
      s += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
    }
    return s / cnt;
  });
};

/** The metric's sanity rows: the true factors (≈ 100%), random codes and an untrained encoder (chance). */
const sanityRows = async (hidden: number, metric: DisentanglementOptions): Promise<(string | number)[][]> => {
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
  const rows: (string | number)[][] = [];
  for (const [name, codes] of sanity) {
    const m = await higginsMetric(codes, metric);
    rows.push([name, pct(m.accuracy), pct(m.trainAccuracy), name.startsWith('true') ? '≈ 100%' : '—', '—']);
  }
  return rows;
};

export const higginsExperiment = async (ctx: Context): Promise<Result> => {
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
    const kl = await klPerLatent(run, heldOut);
    if (kl) klRows.push([label, ...kl.map((v) => v.toFixed(2))]);
  }
  rows.push(...(await sanityRows(hidden, metric)));
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
