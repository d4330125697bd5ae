// Small models with chosen weights, opened for evaluation without a run directory.
import * as E from 'fp-ts/Either';
import { compileModel } from '../../compiler/compile';
import { compileEvalGraphs } from '../../compiler/evalGraphs';
import { showError } from '../../compiler/ir/types';
import type { ModelDef } from '../../compiler/model';
import { autoencoder, dense, gaussian, gaussianHead, input, kl, reparameterise, standardNormal } from '../../dsl';
import type { FloatArray } from '../../runtime/core/init';
import { openEvalModel } from '../../runtime/analysis/eval/model';

/** The linear-Gaussian VAE: q(z|x) = N(xA + a, diag e^v), p(x|z) = N(zW + b, I). Its log p(x) is known in closed form. */
export const linearGaussianVae = (D: number, d: number) =>
  autoencoder({ name: 'lin_gauss', input: input([D]), encoder: gaussianHead(d), decoder: dense(D), likelihood: gaussian }).objective(({ x, code: q, decoder }) => ({
    reconstruction: gaussian(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(d)),
  })).def;

export const compileOrThrow = (model: ModelDef, dtype: 'f32' | 'f64' = 'f64') => {
  const c = compileModel(model, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} }, dtype });
  if (E.isLeft(c)) throw new Error(showError(c.left));
  return c.right;
};

export const evalModelWith = async (model: ModelDef, weights: Record<string, FloatArray>, dtype: 'f32' | 'f64' = 'f64') => {
  const art = compileOrThrow(model, dtype);
  const extra = compileEvalGraphs(model, dtype);
  if (E.isLeft(extra)) throw new Error(showError(extra.left));
  return openEvalModel(art, weights, extra.right, { threads: 1 });
};
