// Likelihoods (reconstruction terms) and the MMD divergence, each a weighted scalar term.
import * as E from 'fp-ts/Either';
import type { LikelihoodKind } from '../compiler/model';
import { checkWeight, samplePrior, type Prior } from './gaussian';
import { sigmoid } from './layers';
import { batchMeanOfSums } from './reduce';
import { apply, failed, tensor, type Shape, type T, type Term } from './tensor';

const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

const shapeCheck = (a: T<Shape>, b: T<Shape>, leaf: string): T<readonly []> | null =>
  sameShape(a.shape, b.shape) ? null : failed(a.session, [] as const, leaf, `shapes differ: [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);

const scalar = (like: T<Shape>, x: number) => tensor(like.session, [] as const, E.right(like.session.ctx.g.scalar(x)));

export interface Likelihood {
  <S extends Shape>(output: T<S>, x: T<NoInfer<S>>, opts?: { readonly weight?: number }): Term;
  /** The mean of the likelihood given the decoder's output: what `decode` returns. */
  readonly mean: <S extends Shape>(output: T<S>) => T<S>;
  /** Which density it is, for evaluation (log-likelihoods, IWAE). */
  readonly kind?: LikelihoodKind;
}

/**
 * −log p(x | logits) for Bernoulli pixels, from logits in the stable form softplus(l) − x·l,
 * summed over pixels and averaged over the batch.
 */
export const bernoulli: Likelihood = Object.assign(
  <S extends Shape>(logits: T<S>, x: T<NoInfer<S>>, opts: { readonly weight?: number } = {}): Term => {
    const bad = shapeCheck(logits, x, 'bernoulli') ?? checkWeight(x, 'bernoulli', 'weight', opts.weight ?? 1);
    if (bad) return { value: bad, weight: 0 };
    const sp = apply('softplus', [logits], {}, logits.shape, 'bernoulli');
    const nll = apply('sub', [sp, apply('mul', [x, logits], {}, logits.shape, 'bernoulli')], {}, logits.shape, 'bernoulli');
    return { value: batchMeanOfSums(nll, 'bernoulli'), weight: opts.weight ?? 1 };
  },
  { mean: sigmoid, kind: 'bernoulli' as const },
);

/** Squared error Σ (x̂ − x)², averaged over the batch (a unit-variance Gaussian, up to ½ and a constant). */
export const mse: Likelihood = Object.assign(
  <S extends Shape>(mean: T<S>, x: T<NoInfer<S>>, opts: { readonly weight?: number } = {}): Term => {
    const bad = shapeCheck(mean, x, 'mse') ?? checkWeight(x, 'mse', 'weight', opts.weight ?? 1);
    if (bad) return { value: bad, weight: 0 };
    const d = apply('sub', [mean, x], {}, mean.shape, 'mse');
    return { value: batchMeanOfSums(apply('mul', [d, d], {}, mean.shape, 'mse'), 'mse'), weight: opts.weight ?? 1 };
  },
  { mean: <S extends Shape>(y: T<S>) => y, kind: 'mse' as const },
);

/** A Gaussian likelihood with unit variance: ½ Σ (x̂ − x)² (constants dropped). */
export const gaussian: Likelihood = Object.assign(
  <S extends Shape>(mean: T<S>, x: T<NoInfer<S>>, opts: { readonly weight?: number } = {}): Term => {
    const t = mse(mean, x, opts);
    return { value: apply('mul', [t.value, scalar(x, 0.5)], {}, [] as const, 'gaussian'), weight: t.weight };
  },
  { mean: <S extends Shape>(y: T<S>) => y, kind: 'gaussian' as const },
);

export type Kernel = 'rbf' | 'imq';

/** Pairwise squared distances between the rows of a [B, d] and b [B, d]: a [B, B] matrix. */
const sqDistances = (a: T<Shape>, b: T<Shape>, leaf: string): T<Shape> => {
  const rowNorms = (v: T<Shape>) => apply('reduceSum', [apply('mul', [v, v], {}, v.shape, leaf)], { axes: [1], keepdims: true }, [1], leaf);
  const bt = apply('transpose', [b], { perm: [1, 0] }, b.shape, leaf);
  const ab = apply('matmul', [a, bt], {}, [], leaf);
  const bnT = apply('transpose', [rowNorms(b)], { perm: [1, 0] }, [], leaf);
  const sum = apply('add', [rowNorms(a), bnT], {}, [], leaf);
  return apply('sub', [sum, apply('mul', [ab, scalar(a, 2)], {}, [], leaf)], {}, [], leaf);
};

/** Mean kernel value over all pairs: RBF exp(−‖a−b‖²/d) or inverse multiquadric C/(C + ‖a−b‖²), C = 2d. */
const meanKernel = (a: T<Shape>, b: T<Shape>, kernel: Kernel, d: number, leaf: string): T<readonly []> => {
  const d2 = sqDistances(a, b, leaf);
  const k =
    kernel === 'rbf'
      ? apply('exp', [apply('mul', [d2, scalar(a, -1 / d)], {}, [], leaf)], {}, [], leaf)
      : apply('div', [scalar(a, 2 * d), apply('add', [d2, scalar(a, 2 * d)], {}, [], leaf)], {}, [], leaf);
  return apply('reduceMean', [k], { axes: [0, 1], keepdims: false }, [] as const, leaf);
};

/**
 * Maximum mean discrepancy between two samples (rows of a and b), the biased V-statistic
 * mean k(a,a') + mean k(b,b') − 2 mean k(a,b). Symmetric, ≥ 0, and 0 when a = b.
 */
export const mmdBetween = <S extends Shape>(a: T<S>, b: T<NoInfer<S>>, kernel: Kernel = 'rbf'): T<readonly []> => {
  const bad = shapeCheck(a, b, 'mmd');
  if (bad) return bad;
  if (a.shape.length !== 1) return failed(a.session, [] as const, 'mmd', `expects vector codes, got [${a.shape.join(', ')}]`);
  const d = a.shape[0];
  const kaa = meanKernel(a, a, kernel, d, 'mmd');
  const kbb = meanKernel(b, b, kernel, d, 'mmd');
  const kab = meanKernel(a, b, kernel, d, 'mmd');
  const two = apply('mul', [kab, scalar(a, 2)], {}, [] as const, 'mmd');
  return apply('sub', [apply('add', [kaa, kbb], {}, [] as const, 'mmd'), two], {}, [] as const, 'mmd');
};

/** MMD between the aggregate posterior's samples z and samples of the prior, weighted by λ (InfoVAE). */
export const mmd = <S extends Shape>(z: T<S>, p: Prior<NoInfer<S>>, opts: { readonly lambda?: number; readonly kernel?: Kernel } = {}): Term => {
  const lambda = opts.lambda ?? 1;
  const bad = checkWeight(z, 'mmd', 'lambda', lambda);
  if (bad) return { value: bad, weight: 0 };
  if (!sameShape(p.shape, z.shape)) return { value: failed(z.session, [] as const, 'mmd', `prior of shape [${p.shape.join(', ')}] against codes of shape [${z.shape.join(', ')}]`), weight: 0 };
  return { value: mmdBetween(z, samplePrior(p, z), opts.kernel ?? 'rbf'), weight: lambda };
};
