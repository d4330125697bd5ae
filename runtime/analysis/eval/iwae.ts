// The importance-weighted bound on log p(x) (Burda, Grosse & Salakhutdinov 2015) for models with a
// Gaussian encoder q(z|x) and prior N(0, I):
//   log p(x) ≥ IWAE_K = E[ log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x) ],  z_k ~ q(z|x),
// which grows with K towards log p(x); K = 1 is the ELBO. Computed in f64 from the encoder's
// μ, log σ² and the decoder's raw output, in nats per example.
import type { LikelihoodKind } from '../../../compiler/model';
import { Rng } from '../../core/random';
import type { EvalModel } from './model';

const LOG_2PI = Math.log(2 * Math.PI);

/** log((1/K) Σ exp(w_k)), stable. */
export const logMeanExp = (w: ArrayLike<number>): number => {
  let max = -Infinity;
  for (let i = 0; i < w.length; i++) max = Math.max(max, w[i]);
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.exp(w[i] - max);
  return max + Math.log(s / w.length);
};

const softplus = (l: number) => (l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l)));

/** log p(x | decoder output), summed over the row's values. */
export const logLikelihood = (kind: LikelihoodKind, out: ArrayLike<number>, x: ArrayLike<number>, from: number, xFrom: number, dim: number): number => {
  let s = 0;
  if (kind === 'bernoulli') {
    for (let j = 0; j < dim; j++) {
      const l = out[from + j];
      s += x[xFrom + j] * l - softplus(l);
    }
    return s;
  }
  for (let j = 0; j < dim; j++) s += (x[xFrom + j] - out[from + j]) ** 2;
  // gaussian: unit variance, the term ½Σ(x − x̂)²; mse: the term Σ(x − x̂)², i.e. variance ½.
  return kind === 'gaussian' ? -0.5 * s - 0.5 * dim * LOG_2PI : -s - 0.5 * dim * Math.log(Math.PI);
};

export interface IwaeResult {
  /** Mean over examples of IWAE_K: a lower bound on log p(x), nats. */
  readonly iwae: number;
  /** Mean over examples and samples of log w: the ELBO estimated from the same samples, nats. */
  readonly elbo: number;
  readonly k: number;
  readonly n: number;
  readonly likelihood: LikelihoodKind;
}

/**
 * IWAE_K and the ELBO on n rows, K posterior samples each, decoded in batches of about
 * `rowsPerCall` codes. Per example IWAE ≥ ELBO exactly (Jensen on the same samples).
 */
export const iwaeBound = async (model: EvalModel, x: Float32Array, n: number, k: number, opts: { seed?: number; rowsPerCall?: number } = {}): Promise<IwaeResult> => {
  const kind = model.likelihood;
  if (!kind || !model.hasPosterior) throw new RangeError('IWAE needs a Gaussian encoder and the decoder-output graph');
  const d = model.codeDim;
  const D = model.inputDim;
  const rng = Rng.seeded(opts.seed ?? 1);
  const per = Math.max(1, Math.floor((opts.rowsPerCall ?? 8192) / k));
  let iwae = 0;
  let elbo = 0;
  for (let start = 0; start < n; start += per) {
    const b = Math.min(per, n - start);
    const xs = x.subarray(start * D, (start + b) * D);
    const { mean, logVar } = await model.posterior(xs, b);
    const z = new Float64Array(b * k * d);
    const logPzMinusLogQ = new Float64Array(b * k);
    for (let i = 0; i < b; i++)
      for (let s = 0; s < k; s++) {
        let acc = 0;
        const row = (i * k + s) * d;
        for (let j = 0; j < d; j++) {
          const eps = rng.normal();
          const lv = logVar[i * d + j];
          const zj = mean[i * d + j] + Math.exp(0.5 * lv) * eps;
          z[row + j] = zj;
          // log N(z; 0, I) − log N(z; μ, σ²) per coordinate (the 2π terms cancel).
          acc += -0.5 * zj * zj + 0.5 * (eps * eps + lv);
        }
        logPzMinusLogQ[i * k + s] = acc;
      }
    const out = await model.decoderOutput(z, b * k);
    const w = new Float64Array(k);
    for (let i = 0; i < b; i++) {
      for (let s = 0; s < k; s++) w[s] = logLikelihood(kind, out, xs, (i * k + s) * D, i * D, D) + logPzMinusLogQ[i * k + s];
      iwae += logMeanExp(w);
      elbo += w.reduce((a, v) => a + v, 0) / k;
    }
  }
  return { iwae: iwae / n, elbo: elbo / n, k, n, likelihood: kind };
};
