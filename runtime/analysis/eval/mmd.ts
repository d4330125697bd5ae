// MMD between the aggregate posterior and the prior N(0, I): codes of the data (posterior samples
// for Gaussian encoders) against as many prior draws, with the RBF kernel exp(−‖a − b‖²/d) that
// the DSL's mmd term uses. The unbiased estimate (Gretton et al. 2012): it is 0 in expectation
// when the two distributions agree and can then be slightly negative.
import { Rng } from '../../core/random';
import type { EvalModel } from './model';

/** Unbiased MMD² between the rows of a (m × d) and b (m' × d), RBF kernel with bandwidth² d. */
export const mmdRbf = (a: ArrayLike<number>, m: number, b: ArrayLike<number>, mb: number, d: number): number => {
  const k = (x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += (x[i * d + c] - y[j * d + c]) ** 2;
    return Math.exp(-s / d);
  };
  let aa = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) aa += k(a, i, a, j);
  let bb = 0;
  for (let i = 0; i < mb; i++) for (let j = i + 1; j < mb; j++) bb += k(b, i, b, j);
  let ab = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < mb; j++) ab += k(a, i, b, j);
  return (2 * aa) / (m * (m - 1)) + (2 * bb) / (mb * (mb - 1)) - (2 * ab) / (m * mb);
};

export interface MmdResult {
  readonly mmd2: number;
  readonly m: number;
  readonly protocol: string;
}

export const aggregatePosteriorMmd = async (model: EvalModel, x: Float32Array, n: number, opts: { seed?: number; limit?: number } = {}): Promise<MmdResult> => {
  const m = Math.min(n, opts.limit ?? 2000);
  const d = model.codeDim;
  const rng = Rng.seeded(opts.seed ?? 1);
  let codes: ArrayLike<number>;
  let what: string;
  if (model.hasPosterior) {
    const { mean, logVar } = await model.posterior(x, m);
    const z = new Float64Array(m * d);
    for (let i = 0; i < z.length; i++) z[i] = mean[i] + Math.exp(0.5 * logVar[i]) * rng.normal();
    codes = z;
    what = 'one sample z ~ q(z|x) per row';
  } else {
    codes = await model.encode(x, m);
    what = "the encoder's codes";
  }
  const prior = new Float64Array(m * d);
  rng.fillNormal(prior);
  const protocol = `unbiased MMD² (Gretton et al. 2012) between ${what} for the first ${m} rows and ${m} draws from N(0, I); RBF kernel exp(−‖a − b‖²/${d}) (bandwidth² = code dimension, as the DSL's mmd term); 0 in expectation when the aggregate posterior equals the prior`;
  return { mmd2: mmdRbf(codes, m, prior, m, d), m, protocol };
};
