// Kingma & Welling 2013: test ELBO and IWAE per latent size.
import * as E from 'fp-ts/Either';
import { digitGeneratorQuality } from '../../analysis/eval/generatorQuality';
import type { SampleQuality } from '../../analysis/eval/sampleQuality';
import { gaussianEncoder, iwaeBound } from './measure';
import { QUALITY_HEAD, qualityCells, qualityOptions, realCells } from './quality';
import { PAPERS } from './papers';
import { exampleSpec, loadData, type Trained } from './train';
import { splitOf, take, train, type Context, type Result } from './experiment';


export const kingmaExperiment = async (ctx: Context): Promise<Result> => {
  const dataName = ctx.data ?? 'mnist';
  const data = loadData(dataName);
  if (E.isLeft(data)) return data;
  const { heldOut } = splitOf(data.right);
  const te = ctx.quick ? take(heldOut, 200) : heldOut;
  const K = ctx.quick ? 5 : 50;
  const budget = ctx.quick ? { epochs: 2, batch: 100, lr: 1e-3 } : { epochs: 20, batch: 100, lr: 1e-3 };
  const rows: (string | number)[][] = [];
  const runs: Trained[] = [];
  // The digits' sample-quality metric (its classifier reads 28×28 digits): decodings of z ~ N(0, I).
  const digits = dataName === 'mnist';
  const quality: (string | number)[][] = [];
  let lastQ: SampleQuality | undefined;
  for (const latent of [2, 5, 10, 20]) {
    const got = await train(ctx, { name: `vae-z${latent}`, spec: exampleSpec('vae.ts'), set: { latent }, data: dataName, settings: budget });
    if (E.isLeft(got)) return got;
    runs.push(got.right.t);
    const last = got.right.t.reports[got.right.t.reports.length - 1];
    const enc = await gaussianEncoder(got.right.run);
    const iwae = E.isRight(enc) ? await iwaeBound(got.right.run, enc.right, te.images, te.n, K) : NaN;
    const iwae1 = E.isRight(enc) ? await iwaeBound(got.right.run, enc.right, te.images, te.n, 1) : NaN;
    rows.push([latent, -last.heldOut.loss, iwae1, iwae, got.right.t.seconds.toFixed(1)]);
    if (digits) {
      const q = await digitGeneratorQuality(await got.right.run.graph('decode'), latent, qualityOptions(ctx.quick, ctx.log));
      if (E.isLeft(q)) return q;
      lastQ = q.right;
      quality.push([latent, ...qualityCells(q.right)]);
    }
  }
  if (lastQ) quality.unshift(['real held-out digits', ...realCells(lastQ)]);
  return E.right({
    title: `Kingma & Welling 2013: VAE bounds per latent size (${dataName})`,
    tables: [
      { title: `Held-out bounds on log p(x), nats (higher is better)`, head: ['N_z', 'ELBO (held-out, from training)', 'IWAE K = 1', `IWAE K = ${K} (${te.n} images)`, 'train s'], rows },
      ...(lastQ ? [{ title: `Sample quality of decodings of z ~ N(0, I) (the likelihood's mean), ${lastQ.samples} samples against ${lastQ.real} held-out digits`, head: ['N_z', ...QUALITY_HEAD], rows: quality }] : []),
    ],
    notes: [
      `Budget: ${budget.epochs} epochs, batch ${budget.batch}, Adam lr ${budget.lr}; encoder and decoder 400 ReLU units. The ELBO column is the held-out loss of the last epoch (one noise sample per image); IWAE K = 1 is the same bound re-estimated here, and K = ${K} (Burda et al. 2015) must lie above it.`,
      `Paper: ${PAPERS.kingma.source}; it trains on 50,000 binarised digits for up to 10⁸ examples seen, ours on the non-binarised split here, so the numbers are not the paper's. The manifold and samples are each run's figures (manifold.png only for N_z = 2).`,
      ...(lastQ ? [`Sample quality: ${lastQ.protocol}. \`hourglass reproduce dcgan\` puts a DCGAN's samples beside these.`] : []),
    ],
    figures: [],
    runs,
  });
};
