// The figures of one finished run, chosen by what the model is: reconstructions for every image
// model, samples / manifold / traversals for models with a prior, 2-D codes beside PCA when the
// code is 2-D, decoder filters for single-layer decoders, the q(z|x) densities of the 1-D toy,
// and the loss curves. Returns the bytes; write.ts puts them on disk.
import * as E from 'fp-ts/Either';
import type { FloatArray } from '../../core/init';
import { Rng } from '../../core/random';
import { columnVariance, manifoldGrid, rankUnits, traversalCodes, unitUsage } from './codes';
import { pcaFit, project } from '../pca';
import { densityPanels, lossCurves, renderSvg, scatterPanels, type Density } from './plots';
import { encodePng } from './png';
import { defaultScale, interleaveRows, squareSide, tileGrid } from './raster';
import { heldOutOf, isGenerative, openFigureRun, type OpenRun } from './run';
import { acrossClasses, gatherRows } from './select';

export interface Figure {
  /** File name inside figures/. */
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  /** The paper figure it reproduces, if any. */
  readonly paper?: string;
  readonly bytes: Uint8Array | string;
}

export interface FigureOptions {
  /** Integer upscaling of image tiles (default: tiles of at least 84 px). */
  readonly scale?: number;
  /** Data set for the data-dependent figures (default: the run's). */
  readonly data?: string;
  /** Examples in the reconstruction figure (default 20, two rows of 10). */
  readonly n?: number;
}

/** Points per panel of the 2-D code scatter: enough to show the classes, an SVG under 300 kB. */
export const SCATTER_POINTS = 1000;

const png = (file: string, title: string, caption: string, bytes: Uint8Array, paper?: string): Figure => ({ file, title, caption, paper, bytes });

/** Decoder weights as image tiles: rows of a single decoder matrix [h, dim], or the columns of a tied encoder's [dim, h]. */
export const decoderFilters = (run: OpenRun): { values: Float32Array; count: number; source: string } | null => {
  const params = run.manifest.params;
  const decW = params.filter((p) => p.name.startsWith('decoder.') && p.name.endsWith('.W'));
  const dim = run.dim;
  const asF32 = (t: FloatArray) => Float32Array.from(t);
  if (decW.length === 1 && decW[0].shape.length === 2 && decW[0].shape[1] === dim)
    return { values: asF32(run.tensors[decW[0].name]), count: decW[0].shape[0], source: decW[0].name };
  const tiedBias = params.some((p) => p.name.startsWith('decoder.tied'));
  const encW = params.filter((p) => p.name.startsWith('encoder.') && p.name.endsWith('.W'));
  if (decW.length === 0 && tiedBias && encW.length === 1 && encW[0].shape[0] === dim) {
    const [d, h] = encW[0].shape;
    const W = run.tensors[encW[0].name];
    const values = new Float32Array(h * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < h; j++) values[j * d + i] = W[i * h + j];
    return { values, count: h, source: `${encW[0].name} (tied, transposed)` };
  }
  return null;
};

/** q(z | x) = N(μ, σ²) for 1-D inputs x when the encoder is a Gaussian head on the input itself (the InfoVAE toy). */
export const toyPosterior = (run: OpenRun, x: number): { mean: number; sd: number } | null => {
  const t = run.tensors;
  const need = ['encoder.gaussian0.mean.W', 'encoder.gaussian0.mean.b', 'encoder.gaussian0.logVar.W', 'encoder.gaussian0.logVar.b'];
  const hidden = run.manifest.params.some((p) => p.name.startsWith('encoder.') && !p.name.startsWith('encoder.gaussian0.'));
  if (run.dim !== 1 || run.codeDim !== 1 || hidden || !need.every((n) => t[n])) return null;
  const mean = t[need[0]][0] * x + t[need[1]][0];
  const logVar = t[need[2]][0] * x + t[need[3]][0];
  return { mean, sd: Math.exp(0.5 * logVar) };
};

export const toyDensities = (run: OpenRun, panel: string): Density[] | null => {
  const out: Density[] = [];
  for (const x of [-1, 1]) {
    const q = toyPosterior(run, x);
    if (!q) return null;
    out.push({ panel, curve: `q(z | x = ${x > 0 ? '+1' : '−1'})`, ...q });
  }
  return out;
};

export const TOY_CAPTION =
  'The InfoVAE toy: data {−1, +1}, a 1-D latent, and q(z | x) for each data point (Zhao et al. 2017, Fig. 1).';

/** Samples from the prior, the 2-D manifold, and traversals of the most active latents around held-out example `first`. */
const generativeFigures = async (run: OpenRun, codes: Float32Array, n: number, first: number, side: number, scale: number): Promise<Figure[]> => {
  const figures: Figure[] = [];
  const dec = await run.graph('decode');
  const count = 64;
  const z = new Float32Array(count * run.codeDim);
  Rng.seeded(1).fillNormal(z);
  const samples = await dec(z, count);
  figures.push(
    png('samples.png', 'Samples from the prior', `64 decodings of z ~ N(0, I) (seed 1): the likelihood's mean, not a sampled image.`, encodePng(tileGrid(samples, { count, perRow: 8, tileRows: side, tileCols: side, scale: Math.max(1, scale - 1), sep: 1 })), 'Kingma & Welling 2013, Fig. 5'),
  );
  if (run.codeDim === 2) {
    const g = 20;
    const grid2 = manifoldGrid(g);
    const images = await dec(grid2, g * g);
    figures.push(
      png('manifold.png', 'Learned 2-D manifold', `The decoder over a ${g}×${g} grid of codes at Φ⁻¹ of evenly spaced probabilities (z₁ left to right, z₂ bottom to top).`, encodePng(tileGrid(images, { count: g * g, perRow: g, tileRows: side, tileCols: side, scale: 1, sep: 0 })), 'Kingma & Welling 2013, Fig. 4'),
    );
  }
  // Traversals: the most active latents (largest variance of μ across the held-out set), each swept ±3.
  const variance = columnVariance(codes, n, run.codeDim);
  const dims = [...variance.keys()].sort((a, b) => variance[b] - variance[a]).slice(0, 10);
  const steps = 9;
  const base = codes.subarray(first * run.codeDim, (first + 1) * run.codeDim);
  const images = await dec(traversalCodes(base, dims, steps, 3), dims.length * steps);
  figures.push(
    png(
      'traversals.png',
      'Latent traversals',
      `Each row sweeps one latent from −3 to +3 around the code of a held-out example, the others fixed; rows are the ${dims.length} latents with the largest variance of μ over the held-out set (latents ${dims.join(', ')}).`,
      encodePng(tileGrid(images, { count: images.length / run.dim, perRow: steps, tileRows: side, tileCols: side, scale: Math.max(1, scale - 1), sep: 1 })),
      'Higgins et al. 2017, Fig. 7',
    ),
  );
  return figures;
};

/** The decoder's filters, the most used units first (null when the decoder has none to show). */
const filterFigure = (run: OpenRun, codes: Float32Array, n: number, side: number): Figure | null => {
  const filters = decoderFilters(run);
  if (!filters) return null;
  const count = Math.min(100, filters.count);
  // One filter per code unit: show the units the held-out set uses most (a k-sparse code
  // leaves some units dead, their filters still the initial noise), and say how many are dead.
  const perUnit = filters.count === run.codeDim;
  const use = perUnit ? unitUsage(codes, n, run.codeDim) : null;
  const order = use ? rankUnits(use) : [...Array(filters.count).keys()];
  const shown = gatherRows(filters.values, run.dim, order.slice(0, count));
  const dead = use ? use.active.filter((a) => a === 0).length : 0;
  return png(
    'filters.png',
    'Decoder filters',
    use
      ? `The ${count} of ${filters.count} decoder filters (${filters.source}) whose units are active most often on the held-out set, most used first, each scaled to its own ±max (grey = 0); ${dead} of ${filters.count} units are never active there.`
      : `The first ${count} of ${filters.count} decoder filters (${filters.source}), each scaled to its own ±max (grey = 0).`,
    encodePng(tileGrid(shown, { count, perRow: Math.min(10, count), tileRows: side, tileCols: side, scale: 2, sep: 1, signed: true })),
    'Makhzani & Frey 2013, Fig. 1',
  );
};

export const buildFigures = async (dir: string, o: FigureOptions = {}): Promise<E.Either<string, Figure[]>> => {
  const opened = await openFigureRun(dir);
  if (E.isLeft(opened)) return E.left(opened.left.message);
  const run = opened.right;
  const figures: Figure[] = [];
  // Image figures need images: at least 4×4 pixels (the 1-D toy has none).
  const side = run.dim >= 16 ? squareSide(run.dim) : null;
  const scale = o.scale ?? (side ? defaultScale(side) : 1);
  const generative = isGenerative(run);

  if (run.metrics.length > 0)
    figures.push({
      file: 'curves.svg',
      title: 'Loss curves',
      caption: `Every loss term per epoch of ${run.run.model}, on the training set (solid) and the held-out set (dashed), from metrics.jsonl.`,
      bytes: await renderSvg(lossCurves(run.metrics, `${run.run.model}: loss terms per epoch`)),
    });

  const toy = toyDensities(run, run.run.model);
  if (toy) figures.push({ file: 'toy.svg', title: 'q(z | x) on the toy data', caption: TOY_CAPTION, paper: 'Zhao et al. 2017, Fig. 1', bytes: await renderSvg(densityPanels(toy, 'q(z | x)')) });

  if (side) {
    const held = heldOutOf(run, o.data);
    if (E.isLeft(held)) return E.left(held.left.message);
    const h = held.right;
    const n = Math.min(o.n ?? 20, h.n);
    const perRow = Math.min(10, n);
    const idx = acrossClasses(h.labels, h.n, n);
    const inputs = gatherRows(h.images, run.dim, idx);
    const recon = await (await run.graph('reconstruct'))(inputs, n);
    const tiles = interleaveRows(inputs, recon, n, run.dim, perRow);
    const grid = { perRow, tileRows: side, tileCols: side, scale, sep: 2 };
    figures.push(
      png(
        'reconstructions.png',
        'Reconstructions',
        `Held-out examples (rows 1, 3, …; the first of each class in turn) above their reconstructions (rows 2, 4, …), ${scale}× upscaled.`,
        encodePng(tileGrid(tiles, { ...grid, count: 2 * Math.ceil(n / perRow) * perRow })),
        'Hinton & Salakhutdinov 2006, Fig. 2',
      ),
    );

    // Codes of the held-out set, for the 2-D pictures and for ranking latents by activity.
    const enc = await run.graph('encode');
    const codes = await enc(h.images, h.n);

    if (run.codeDim === 2 && h.labels) {
      // PCA fitted to all held-out rows; the first SCATTER_POINTS drawn (an SVG element each).
      const m = Math.min(h.n, SCATTER_POINTS);
      const p = pcaFit(h.images, h.n, run.dim, 2);
      const pcs = project(p, h.images, m, run.dim);
      const labels = h.labels.subarray(0, m);
      figures.push({
        file: 'codes.svg',
        title: '2-D codes',
        caption: `${m} held-out examples coloured by class: PCA's two leading components (left) beside ${run.run.model}'s 2-D code (right).`,
        paper: 'Hinton & Salakhutdinov 2006, Fig. 3',
        bytes: await renderSvg(
          scatterPanels(
            [
              { title: 'PCA (2 components)', points: pcs, labels, axes: ['principal component 1', 'principal component 2'] },
              { title: `${run.run.model} (2-D code)`, points: codes.subarray(0, 2 * m), labels },
            ],
            'Held-out data in two dimensions',
          ),
        ),
      });
    }

    if (generative) figures.push(...(await generativeFigures(run, codes, h.n, idx[0], side, scale)));
    const filters = filterFigure(run, codes, h.n, side);
    if (filters) figures.push(filters);
  }
  return E.right(figures);
};
