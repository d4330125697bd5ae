// Radford et al. 2015 (DCGAN), on the digits: examples/digits-gan.ts trained on the training split,
// its samples and a latent interpolation (the paper's Fig. 4), and the sample-quality metric
// (confident share, class entropy, Fréchet distance through one digit classifier) beside the
// PyTorch DCGAN of the same architecture, data, optimizer and rounds (bench/peer_torch_dcgan.py,
// read from the .npy of samples it writes) and beside a VAE's samples.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import type { GanDef } from '../../../compiler/gan';
import type { Dataset } from '../../core/dataset';
import { digitGeneratorQuality, digitSampleQuality, qualityCodes, QUALITY_SAMPLES, type GeneratorQualityOptions } from '../../analysis/eval/generatorQuality';
import type { SampleQuality } from '../../analysis/eval/sampleQuality';
import type { Figure } from '../../analysis/figures/build';
import { encodePng } from '../../analysis/figures/png';
import { tileGrid } from '../../analysis/figures/raster';
import { ganFiles, ganRun, type GanSettings } from '../gan/run';
import { readCheckpoint } from '../../host/checkpoint';
import { loadNpy, saveNpy } from '../../host/data/npy';
import { showDataError } from '../../host/data/errors';
import { asGan, importSpec } from '../../host/spec/loadSpec';
import { PAPERS } from './papers';
import { QUALITY_HEAD, qualityCells, qualityOptions, realCells } from './quality';
import { exampleSpec, loadData, type Trained } from './train';
import { splitOf, train, type Context, type Result } from './experiment';

/** Why the share goal is out of reach at this budget: measured with the PyTorch peer (docs/reproductions.md, "More levers and four times the budget"). */
export const SHARE_SHORTFALL =
  'Share goal not met: measured with the PyTorch peer of this recipe (docs/reproductions.md), the share grows 3–5 points per doubling of the rounds (59.40% at 3,000, 67.75% at 12,000), and neither a deeper generator, dropout in the discriminator nor label smoothing moves it by more than two standard deviations, nor do truncated codes lift it past 71%; both frameworks draw a third of their samples between two classes.';
/** 24 passes over the 8,000 training digits at batch 64 (125 rounds a pass); the VAE as Kingma's reproduction trains it. */
export const DCGAN_FULL = { rounds: 3000, batch: 64, vaeEpochs: 20 } as const;
const QUICK = { rounds: 20, batch: 32, vaeEpochs: 1 } as const;

/** Radford et al.'s recipe, as `hourglass gan` runs it: Adam 2e-4, β₁ 0.5, one D step per G step. */
const ganSettings = (rounds: number, batch: number): GanSettings => ({
  rounds,
  batch,
  k: 1,
  lr: 2e-4,
  beta1: 0.5,
  optimizer: 'adam',
  seed: 1,
  provider: 'cpu',
  dtype: 'f32',
  data: 'mnist (training split)',
  checkpointEvery: 500,
  samples: 64,
});

/** The recipe's settings: a run in `dir` is continued (--reuse) only when these match and it is not longer than `s.rounds`. */
const RECIPE = ['batch', 'k', 'lr', 'beta1', 'optimizer', 'seed', 'dtype'] as const;

const reusableGan = (dir: string, s: GanSettings): boolean => {
  const f = ganFiles(dir);
  if (!existsSync(f.checkpoint) || !existsSync(f.settings)) return false;
  const was = (JSON.parse(readFileSync(f.settings, 'utf8')) as { settings?: Partial<GanSettings> }).settings ?? {};
  const ck = readCheckpoint(f.checkpoint);
  return E.isRight(ck) && ck.right.meta.step <= s.rounds && RECIPE.every((k) => was[k] === s[k]);
};

const loadGan = async (file: string): Promise<E.Either<string, GanDef>> => {
  const mod = (await importSpec(file)) as { default?: unknown };
  const inner = typeof mod.default === 'object' && mod.default !== null ? (mod.default as { default?: unknown }).default : undefined;
  const def = asGan(mod.default) ?? asGan(inner);
  return def ? E.right(def) : E.left(`${file}: the default export is not a GAN`);
};

const grid = (images: ArrayLike<number>, count: number, perRow: number) => encodePng(tileGrid(images, { count, perRow, tileRows: 28, tileCols: 28, scale: 2, sep: 1 }));

/** Rows of `steps` codes on the straight line between two random codes (Radford et al., Fig. 4). */
export const interpolationCodes = (rows: number, steps: number, latent: number, seed = 7): Float32Array => {
  const ends = qualityCodes(2 * rows, latent, seed);
  const out = new Float32Array(rows * steps * latent);
  for (let r = 0; r < rows; r++)
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      for (let j = 0; j < latent; j++) out[(r * steps + s) * latent + j] = (1 - t) * ends[2 * r * latent + j] + t * ends[(2 * r + 1) * latent + j];
    }
  return out;
};

/** What the PyTorch peer wrote, scored by the same metric; or how to run it. */
const pytorchRow = async (out: string, rounds: number, batch: number, o: GeneratorQualityOptions): Promise<{ row: (string | number)[]; q?: SampleQuality; images?: Float32Array; note: string }> => {
  const file = join(out, 'pytorch', 'dcgan-samples.npy');
  const command = `bench/peer_torch_dcgan.py ${join(out, 'split', 'mnist-train.npy')} ${rounds} ${file} --batch ${batch} --threads 1`;
  if (!existsSync(file)) return { row: ['PyTorch DCGAN (same recipe)', `${rounds} × ${batch}`, 'not run', '', '', ''], note: `PyTorch DCGAN: not run here; \`${command}\` (the bench venv's python) writes ${file}, which the next \`reproduce dcgan --reuse\` scores.` };
  const npy = loadNpy(file);
  if (E.isLeft(npy)) return { row: ['PyTorch DCGAN (same recipe)', `${rounds} × ${batch}`, 'unreadable', '', '', ''], note: showDataError(npy.left) };
  const n = npy.right.shape[0];
  const q = await digitSampleQuality(npy.right.values, n, o);
  if (E.isLeft(q)) return { row: ['PyTorch DCGAN (same recipe)', `${rounds} × ${batch}`, q.left, '', '', ''], note: q.left };
  return { row: ['PyTorch DCGAN (same recipe)', `${rounds} × ${batch}`, ...qualityCells(q.right), ''], q: q.right, images: npy.right.values, note: `PyTorch DCGAN: ${n} samples read from ${file} (\`${command}\`).` };
};

export const dcganExperiment = async (ctx: Context): Promise<Result> => {
  if (ctx.data && ctx.data !== 'mnist') return E.left(`reproduce dcgan: the sample-quality metric reads the 28×28 digits; --data must be mnist, got ${ctx.data}`);
  const data = loadData('mnist');
  if (E.isLeft(data)) return data;
  const { train: tr, heldOut } = splitOf(data.right);
  const { rounds, batch } = ctx.quick ? QUICK : DCGAN_FULL;
  const metric = qualityOptions(ctx.quick, ctx.log);
  const samples = metric.samples ?? QUALITY_SAMPLES;
  if (!ctx.quick) {
    // The split as .npy, so the PyTorch peer trains on the very same rows.
    mkdirSync(join(ctx.out, 'split'), { recursive: true });
    const file = join(ctx.out, 'split', 'mnist-train.npy');
    if (!existsSync(file)) saveNpy(file, tr.images, [tr.n, 1, 28, 28]);
  }

  // Hourglass's DCGAN, through the GAN app; --reuse continues (or just reads) a run already there.
  const spec = exampleSpec('digits-gan.ts');
  const def = await loadGan(spec);
  if (E.isLeft(def)) return def;
  const dir = join(ctx.out, 'dcgan');
  const resume = !!ctx.reuse && reusableGan(dir, ganSettings(rounds, batch));
  const command = `hourglass gan examples/digits-gan.ts --data <mnist training split> --rounds ${rounds} --batch ${batch} --lr 0.0002 --beta1 0.5 --seed 1 --out ${dir}`;
  ctx.log(`${resume ? 'continuing' : 'training'} dcgan: ${command}`);
  const started = performance.now();
  const gan = await ganRun({ model: def.right, specPath: spec, dir, settings: ganSettings(rounds, batch), data: tr as Dataset, resume, force: !resume, log: ctx.log });
  if (E.isLeft(gan)) return gan;
  const ganSeconds = (performance.now() - started) / 1000;
  const g = gan.right;
  const ours = await digitGeneratorQuality(g.generate, g.latent, metric);
  if (E.isLeft(ours)) return ours;
  saveNpy(join(dir, 'quality-samples.npy'), ours.right.images, [samples, 1, 28, 28]);

  // The VAE's samples: decodings (Bernoulli means) of z ~ N(0, I), the same codes' seed.
  const vaeLatent = 20;
  const vae = await train(ctx, { name: `vae-z${vaeLatent}`, spec: exampleSpec('vae.ts'), set: { latent: vaeLatent }, data: 'mnist', settings: { epochs: ctx.quick ? QUICK.vaeEpochs : DCGAN_FULL.vaeEpochs, batch: 100, lr: 1e-3 } });
  if (E.isLeft(vae)) return vae;
  const vaeQ = await digitGeneratorQuality(await vae.right.run.graph('decode'), vaeLatent, metric);
  if (E.isLeft(vaeQ)) return vaeQ;

  const peer = await pytorchRow(ctx.out, rounds, batch, metric);
  const real = ours.right;
  const rows: (string | number)[][] = [
    ['real held-out digits', '', ...realCells(real), ''],
    // A run continued or read back (--reuse) did not train all its rounds in this call: no time to show.
    ['DCGAN (Hourglass, examples/digits-gan.ts)', `${rounds} × ${batch}`, ...qualityCells(ours.right), resume ? 'continued (see notes)' : ganSeconds.toFixed(1)],
    peer.row,
    [`VAE (examples/vae.ts, N_z = ${vaeLatent}; decoder means)`, `${vae.right.t.plan.settings?.epochs} epoch${vae.right.t.plan.settings?.epochs === 1 ? '' : 's'} × 100`, ...qualityCells(vaeQ.right), vae.right.t.seconds.toFixed(1)],
  ];
  const goal = (ok: boolean) => (ok ? 'met' : 'not met');
  const share = ours.right.confident / ours.right.confidentReal;
  const goals: (string | number)[][] = [
    ['confident share ≥ 90% of the real digits’ share', `${(100 * share).toFixed(1)}%`, goal(share >= 0.9)],
    ['class entropy ≥ 0.95 · log 10 = 2.187 nats', ours.right.classEntropy, goal(ours.right.classEntropy >= 0.95 * Math.log(10))],
    ['Fréchet distance ≤ 1.1 × the PyTorch DCGAN’s', peer.q ? `${(ours.right.frechet / peer.q.frechet).toFixed(2)}×` : 'no PyTorch samples', peer.q ? goal(ours.right.frechet <= 1.1 * peer.q.frechet) : 'not measured'],
  ];

  const latent = g.latent;
  const steps = 10;
  const lines = 8;
  const between = await g.generate(interpolationCodes(lines, steps, latent), lines * steps);
  const figures: Figure[] = [
    { file: 'dcgan-samples.png', title: 'DCGAN samples (Hourglass)', caption: `64 samples from fixed codes z ~ N(0, I) after ${rounds} rounds of batch ${batch}.`, paper: 'Radford et al. 2015, Fig. 3 (their bedrooms; our digits)', bytes: grid(g.images, 64, 8) },
    { file: 'dcgan-interpolation.png', title: 'Walking the latent space', caption: `Each row: the generator along the straight line between two random codes, ${steps} steps; smooth changes, no sharp jumps, mean the generator has not memorised.`, paper: 'Radford et al. 2015, Fig. 4', bytes: grid(between, lines * steps, steps) },
    ...(peer.images ? [{ file: 'dcgan-samples-pytorch.png', title: 'DCGAN samples (PyTorch, same recipe)', caption: 'The first 64 of the PyTorch peer’s samples.', bytes: grid(peer.images, 64, 8) }] : []),
  ];
  const runs: Trained[] = [vae.right.t];
  return E.right({
    title: `Radford et al. 2015: a DCGAN on the digits, its sample quality beside PyTorch's and a VAE's`,
    tables: [
      { title: `Sample quality: ${samples} samples against ${real.real} real held-out digits, through one digit classifier`, head: ['generator', 'budget (rounds × batch)', ...QUALITY_HEAD, 'train s'], rows },
      { title: 'The issue’s goals for the Hourglass DCGAN', head: ['goal', 'measured', ''], rows: goals },
    ],
    notes: [
      `Recipe (${PAPERS.dcgan.source}): generator dense → 128×7×7 → fractionally strided 4×4 convolutions (7 → 14 → 28, 64 maps at 14×14) with batch norm and ReLU, tanh output; discriminator strided 4×4 convolutions (64, 128 maps) with leaky ReLU 0.2, batch norm on all but the first; every weight from N(0, 0.02), biases zero; non-saturating loss; Adam lr 2e-4, β₁ 0.5 for both players, one discriminator step per generator step, batch ${batch}, ${rounds} rounds on the ${tr.n} training digits (mapped to tanh's [−1, 1] inside the discriminator's step); samples with the generator's running batch-norm statistics.`,
      `Metric: ${ours.right.protocol}.`,
      peer.note,
      `Training run: \`${command}\` (${ganSeconds.toFixed(1)} s${resume ? ', continued or read back from an earlier run' : ''}); the ${samples} scored samples are in ${join(dir, 'quality-samples.npy')}.`,
      ...(share >= 0.9 ? [] : [SHARE_SHORTFALL]),
      `The paper reports no number on the digits (its figures are LSUN bedrooms and faces; its tables are classification with the discriminator's features), so the table compares against real held-out digits and a PyTorch DCGAN of the same budget. ${heldOut.n} digits are held out from all training, classifier included.`,
    ],
    figures,
    runs,
  });
};
