// Makhzani & Frey 2013, Table 1: linear probe on raw pixels vs k-sparse codes.
import * as E from 'fp-ts/Either';
import { showL2 } from '../../analysis/eval/probe';
import { deadUnits, probeError } from './measure';
import { PAPERS } from './papers';
import { pct } from './table';
import { exampleSpec, loadData, type Trained } from './train';
import { splitOf, take, train, type Context, type Result } from './experiment';


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
  rows.push([dataName, 'raw pixels', pct(raw.error), showL2(raw.l2), dataName === 'mnist' ? pct(PAPERS.makhzani.raw) : '—', '—', '—']);
  for (const k of [10, 25, 40]) {
    const got = await train(ctx, { name: `k-sparse-${dataName}-k${k}`, spec: exampleSpec('k-sparse.ts'), set: { k }, data: dataName, settings: budget });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const enc = await got.right.run.graph('encode');
    const h = got.right.run.codeDim;
    const ctr = await enc(tr.images, tr.n);
    const cte = await enc(te.images, te.n);
    const probe = await probeError({ x: ctr, y: tr.labels, n: tr.n }, { x: cte, y: te.labels, n: te.n }, h, probeEpochs);
    rows.push([dataName, `k-sparse, k = ${k}`, pct(probe.error), showL2(probe.l2), dataName === 'mnist' ? pct(PAPERS.makhzani.k[k]) : '—', `${deadUnits(cte, te.n, h)} / ${h}`, got.right.t.seconds.toFixed(1)]);
  }
  return E.right(`${raw.protocol} (the raw pixels' choice; each row's λ is in the table); ${budget.epochs} training epochs per autoencoder (Adam lr ${budget.lr}, k-annealing from 100 over the first half, encoding keeps α·k = 3k).`);
};

export const makhzaniExperiment = async (ctx: Context): Promise<Result> => {
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
    tables: [{ title: 'Classification error of a linear probe (held-out)', head: ['data', 'features', 'error (ours)', 'probe λ (chosen on validation)', 'error (paper)', 'dead units', 'train s'], rows }],
    notes,
    figures: [],
    runs,
  });
};
