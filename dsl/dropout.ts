// Leaky ReLU and dropout, as compositions of primitives. Dropout's randomness is a noise input
// (standard normal, like the VAE's ε), so a run replays exactly from its seed.
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import type { Val } from '../compiler/ir/val';
import { apply, autoName, errorPath, failed, scopePath, tensor, type Shape, type T } from './tensor';

/** max(x, 0) + slope · min(x, 0) (Maas et al. 2013; DCGAN's discriminator uses slope 0.2). */
export const leakyRelu =
  (slope = 0.01) =>
  <S extends Shape>(x: T<S>): T<S> => {
    const s = x.session;
    if (!(Number.isFinite(slope) && slope >= 0 && slope < 1)) return failed(s, x.shape, 'leakyRelu', `slope must be in [0, 1), got ${slope}`);
    const c = (v: number) => tensor(s, [] as const, E.right(s.ctx.g.scalar(v)));
    const positive = apply('greater', [x, c(0)], {}, x.shape, 'leakyRelu');
    return apply('where', [positive, x, apply('mul', [x, c(slope)], {}, x.shape, 'leakyRelu')], {}, x.shape, 'leakyRelu');
  };

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export const normalQuantile = (p: number): number => {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
};

/**
 * Inverted dropout: in training each unit is kept with probability 1 − p and scaled by 1/(1 − p);
 * encode/decode pass x through. A unit is kept when its ε ~ N(0, 1) exceeds Φ⁻¹(p).
 */
export const dropout =
  (p: number, opts: { readonly name?: string } = {}) =>
  <S extends Shape>(x: T<S>): T<S> => {
    const s = x.session;
    const name = opts.name ? [scopePath(s), opts.name].filter(Boolean).join('.') : autoName(s, 'dropout');
    const leaf = name.split('.').pop()!;
    if (!(p >= 0 && p < 1)) return failed(s, x.shape, leaf, `p must be in [0, 1), got ${p}`);
    if (s.mode === 'eval' || p === 0) return x;
    const g = s.ctx.g;
    const where = errorPath(s, leaf);
    const out = pipe(
      E.Do,
      E.bind('x', () => x.val),
      E.bind('eps', () => s.ctx.noise(name, x.shape)),
      E.bind('keep', ({ eps }) => g.op('greater', [eps, g.scalar(normalQuantile(p))], {}, where)),
      E.bind('scaled', ({ x: xv }) => g.op('mul', [xv, g.scalar(1 / (1 - p))], {}, where)),
      E.chain(({ keep, scaled }: { keep: Val; scaled: Val }) => g.op('where', [keep, scaled, g.scalar(0)], {}, where)),
    );
    return tensor(s, x.shape, out);
  };
