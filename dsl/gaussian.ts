// Gaussian heads, the reparameterisation trick, priors and the analytic KL term.
import { dense, type DenseOptions } from './layers';
import { batchMeanOfSums } from './reduce';
import { apply, autoName, failed, inScope, tensor, type Shape, type T, type Term } from './tensor';
import * as E from 'fp-ts/Either';

/** A diagonal Gaussian q(z|x) = N(mean, exp(logVar)). */
export interface Gaussian<S extends Shape> {
  readonly kind: 'gaussian';
  readonly mean: T<S>;
  readonly logVar: T<S>;
}

/** The prior N(0, I) over codes of shape S. */
export interface Prior<S extends Shape> {
  readonly kind: 'standardNormal';
  readonly shape: S;
}

export const standardNormal = <const D extends number>(d: D): Prior<readonly [D]> => ({ kind: 'standardNormal', shape: [d] as const });

export const isGaussian = (c: unknown): c is Gaussian<Shape> => typeof c === 'object' && c !== null && (c as { kind?: string }).kind === 'gaussian';

export interface GaussianHeadOptions {
  /**
   * Clamp log σ² to [lo, hi] (gradient zero outside): keeps exp(log σ²) finite when an encoder
   * drifts, e.g. [-20, 20]. Off by default, as in Kingma & Welling.
   */
  readonly clampLogVar?: readonly [number, number];
  /** Initialisation of both heads' weights and biases, as for `dense`. */
  readonly init?: DenseOptions['init'];
  readonly bias?: DenseOptions['bias'];
}

/** Clamp to [lo, hi] by two comparisons: the primitives' VJPs pass the gradient inside only. */
const clamp = <S extends Shape>(x: T<S>, lo: number, hi: number): T<S> => {
  const s = x.session;
  const c = (v: number) => tensor(s, [] as const, E.right(s.ctx.g.scalar(v)));
  const below = apply('greater', [c(lo), x], {}, x.shape, 'clampLogVar');
  const above = apply('greater', [x, c(hi)], {}, x.shape, 'clampLogVar');
  return apply('where', [above, c(hi), apply('where', [below, c(lo), x], {}, x.shape, 'clampLogVar')], {}, x.shape, 'clampLogVar');
};

/** Two dense maps to μ and log σ² (named `mean` and `logVar` under `gaussian0`). */
export const gaussianHead = <const D extends number>(d: D, opts: GaussianHeadOptions = {}) => {
  const mean = dense(d, { name: 'mean', init: opts.init, bias: opts.bias });
  const logVar = dense(d, { name: 'logVar', init: opts.init, bias: opts.bias });
  return <I extends number>(x: T<readonly [I]>): Gaussian<readonly [D]> => {
    const s = x.session;
    const name = autoName(s, 'gaussian').split('.').pop()!;
    return inScope(s, name, () => {
      const lv = logVar(x);
      const range = opts.clampLogVar;
      if (!range) return { kind: 'gaussian', mean: mean(x), logVar: lv };
      const [lo, hi] = range;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
        return { kind: 'gaussian', mean: mean(x), logVar: failed(s, lv.shape, 'clampLogVar', `needs finite lo < hi, got [${lo}, ${hi}]`) };
      return { kind: 'gaussian', mean: mean(x), logVar: clamp(lv, lo, hi) };
    });
  };
};

/** z = μ + σ ⊙ ε with ε ~ N(0, I) a graph input, so a run replays exactly from its seed. */
export const reparameterise = <S extends Shape>(q: Gaussian<S>): T<S> => {
  const s = q.mean.session;
  const name = autoName(s, 'eps');
  const eps = tensor(s, q.mean.shape, s.ctx.noise(name, q.mean.shape));
  const halfLogVar = apply('mul', [q.logVar, tensor(s, [] as const, E.right(s.ctx.g.scalar(0.5)))], {}, q.mean.shape, 'reparameterise');
  const sigma = apply('exp', [halfLogVar], {}, q.mean.shape, 'reparameterise');
  return apply('add', [q.mean, apply('mul', [sigma, eps], {}, q.mean.shape, 'reparameterise')], {}, q.mean.shape, 'reparameterise');
};

/** A batch of samples from the prior (a noise input), shaped like the codes. */
export const samplePrior = <S extends Shape>(p: Prior<S>, like: T<S>): T<S> => {
  const s = like.session;
  return tensor(s, p.shape, s.ctx.noise(autoName(s, 'prior'), p.shape));
};

export interface WeightOption {
  readonly weight?: number;
}

export const checkWeight = <S extends Shape>(like: T<S>, leaf: string, name: string, w: number): T<readonly []> | null =>
  Number.isFinite(w) && w >= 0 ? null : failed(like.session, [] as const, leaf, `${name} must be a finite number ≥ 0, got ${w}`);

/**
 * KL(q ‖ N(0, I)) in closed form, ½ Σ (μ² + σ² − 1 − log σ²), averaged over the batch;
 * `beta` weights it (β-VAE, Higgins et al. 2017).
 */
export const kl = <S extends Shape>(q: Gaussian<S>, p: Prior<NoInfer<S>>, opts: { readonly beta?: number } = {}): Term => {
  const beta = opts.beta ?? 1;
  const bad = checkWeight(q.mean, 'kl', 'beta', beta);
  if (bad) return { value: bad, weight: 0 };
  if (p.shape.length !== q.mean.shape.length || p.shape.some((d, i) => d !== q.mean.shape[i]))
    return { value: failed(q.mean.session, [] as const, 'kl', `prior of shape [${p.shape.join(', ')}] against codes of shape [${q.mean.shape.join(', ')}]`), weight: 0 };
  const s = q.mean.session;
  const c = (x: number) => tensor(s, [] as const, E.right(s.ctx.g.scalar(x)));
  const sh = q.mean.shape;
  const mu2 = apply('mul', [q.mean, q.mean], {}, sh, 'kl');
  const variance = apply('exp', [q.logVar], {}, sh, 'kl');
  const inner = apply('sub', [apply('sub', [apply('add', [mu2, variance], {}, sh, 'kl'), c(1)], {}, sh, 'kl'), q.logVar], {}, sh, 'kl');
  return { value: apply('mul', [batchMeanOfSums(inner, 'kl'), c(0.5)], {}, [] as const, 'kl'), weight: beta };
};

