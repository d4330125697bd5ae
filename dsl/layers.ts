// Dense layers, activations and the k-sparse bottleneck, as typed functions between tensors.
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import type { Init } from '../compiler/model';
import { apply, autoName, errorPath, failed, scopePath, tensor, type Session, type Shape, type T } from './tensor';
import { kAnnealing } from './schedules';

type Vec<N extends number> = readonly [N];

/**
 * Weight initialisations by name (fan_in = input width, fan_out = output width):
 * - `glorot-uniform`: U(±√(6/(fan_in + fan_out))), Keras' Dense default (and Hourglass's);
 * - `glorot-normal`: N(0, 2/(fan_in + fan_out)), as JAX stax's Dense (untruncated);
 * - `he-normal`: N(0, 2/fan_in), torch.nn.init.kaiming_normal_ (fan_in, ReLU gain);
 * - `he-uniform`: U(±√(6/fan_in)), torch.nn.init.kaiming_uniform_ (ReLU gain);
 * - `lecun-normal`: N(0, 1/fan_in), Flax's Dense default (untruncated);
 * - `torch-default`: U(±1/√fan_in), what torch.nn.Linear draws (kaiming_uniform_ with a = √5);
 *   its bias defaults to `uniform`, as nn.Linear's does.
 */
export type InitName = 'glorot-uniform' | 'glorot-normal' | 'he-normal' | 'he-uniform' | 'lecun-normal' | 'torch-default';

/** Bias initialisation: `zeros` (Keras, Flax), or `uniform` U(±1/√fan_in) (torch.nn.Linear). */
export type BiasInit = 'zeros' | 'uniform';

export interface DenseOptions {
  /** Layer name inside its scope; default `dense0`, `dense1`, … */
  readonly name?: string;
  /** false: no bias; true or `zeros` (default): zeros; `uniform`: PyTorch's U(±1/√fan_in). */
  readonly bias?: boolean | BiasInit;
  /** A named initialisation (see InitName) or an explicit recipe; default `glorot-uniform`. */
  readonly init?: Init | InitName;
}

/** The weight recipe for a [fanIn, fanOut] matrix. */
export const weightInit = (init: Init | InitName | undefined, fanIn: number, fanOut: number): Init => {
  if (typeof init === 'object') return init;
  switch (init ?? 'glorot-uniform') {
    case 'glorot-uniform':
      return { kind: 'glorotUniform' };
    case 'glorot-normal':
      return { kind: 'normal', std: Math.sqrt(2 / (fanIn + fanOut)) };
    case 'he-normal':
      return { kind: 'heNormal' };
    case 'he-uniform':
      return { kind: 'uniform', limit: Math.sqrt(6 / fanIn) };
    case 'lecun-normal':
      return { kind: 'normal', std: Math.sqrt(1 / fanIn) };
    case 'torch-default':
      return { kind: 'uniform', limit: 1 / Math.sqrt(fanIn) };
  }
};

/** The bias recipe, or null for no bias; `uniform` is the default only beside `torch-default`. */
export const biasInit = (bias: DenseOptions['bias'], init: DenseOptions['init'], fanIn: number): Init | null => {
  if (bias === false) return null;
  const kind = bias === undefined || bias === true ? (init === 'torch-default' ? 'uniform' : 'zeros') : bias;
  return kind === 'uniform' ? { kind: 'uniform', limit: 1 / Math.sqrt(fanIn) } : { kind: 'constant', value: 0 };
};

interface DenseInfo {
  readonly path: string;
  readonly inWidth: number;
  readonly width: number;
}

/** A dense layer; it remembers its weight's name and shape so another layer can tie to it. */
export type DenseLayer<N extends number> = (<I extends number>(x: T<Vec<I>>) => T<Vec<N>>) & {
  readonly info: () => DenseInfo | undefined;
};

const isWidth = (n: number) => Number.isInteger(n) && n > 0;

const affine = <N extends number>(x: T<Shape>, W: E.Either<unknown, unknown>, path: string, width: N, bias: Init | null, transposed: boolean): T<Vec<N>> => {
  const s = x.session;
  const g = s.ctx.g;
  const where = errorPath(s, path.split('.').pop());
  const out = pipe(
    E.Do,
    E.bind('x', () => x.val),
    E.bind('W', () => W as ReturnType<typeof s.ctx.param>),
    E.bind('Wt', ({ W }) => (transposed ? g.op('transpose', [W], { perm: [1, 0] }, where) : E.right(W))),
    E.bind('h', ({ x, Wt }) => g.op('matmul', [x, Wt], {}, where)),
    E.chain(({ h }) => (bias ? pipe(s.ctx.param(`${path}.b`, [width], bias), E.chain((b) => g.op('add', [h, b], {}, where))) : E.right(h))),
  );
  return tensor(s, [width] as const, out);
};

/** x·W + b with W of shape [in, width]. */
export const dense = <const N extends number>(width: N, opts: DenseOptions = {}): DenseLayer<N> => {
  let info: DenseInfo | undefined;
  const layer = <I extends number>(x: T<Vec<I>>): T<Vec<N>> => {
    const s = x.session;
    // Always draw the automatic name, so fresh and reused layers keep one numbering per scope.
    const auto = opts.name ? [scopePath(s), opts.name].filter(Boolean).join('.') : autoName(s, 'dense');
    const name = info?.path ?? auto;
    const leaf = name.split('.').pop();
    if (!isWidth(width)) return failed(s, [width] as const, leaf!, `width must be a positive integer, got ${width}`);
    if (x.shape.length !== 1) return failed(s, [width] as const, leaf!, `expects a vector per example, got [${x.shape.join(', ')}]`);
    const inWidth = x.shape[0];
    if (info && info.inWidth !== inWidth) return failed(s, [width] as const, leaf!, `shared layer applied to width ${inWidth}, first applied to ${info.inWidth}`);
    info = { path: name, inWidth, width };
    const W = s.ctx.param(`${name}.W`, [inWidth, width], weightInit(opts.init, inWidth, width));
    return affine(x, W, name, width, biasInit(opts.bias, opts.init, inWidth), false);
  };
  return Object.assign(layer, { info: () => info });
};

/** x·W with no bias. */
export const linear = <const N extends number>(width: N, opts: Omit<DenseOptions, 'bias'> = {}): DenseLayer<N> => dense(width, { ...opts, bias: false });

/**
 * A dense layer whose weight is the transpose of `source`'s (tied weights), with its own bias.
 * `width` must equal the source's input width; `source` must be applied first.
 */
export const tied =
  <const O extends number>(source: DenseLayer<number>, width: O, opts: { readonly name?: string; readonly bias?: boolean } = {}) =>
  <I extends number>(x: T<Vec<I>>): T<Vec<O>> => {
    const s = x.session;
    const name = opts.name ? [scopePath(s), opts.name].filter(Boolean).join('.') : autoName(s, 'tied');
    const leaf = name.split('.').pop()!;
    const info = source.info();
    if (!info) return failed(s, [width] as const, leaf, 'tied to a layer that has not been applied yet (apply the encoder first)');
    if (info.inWidth !== width || info.width !== x.shape[0])
      return failed(s, [width] as const, leaf, `tied to ${info.path}.W of shape [${info.inWidth}, ${info.width}], but maps [${x.shape[0]}] to [${width}]`);
    const W = s.ctx.param(`${info.path}.W`, [info.inWidth, info.width], { kind: 'glorotUniform' });
    return affine(x, W, name, width, opts.bias === false ? null : { kind: 'constant', value: 0 }, true);
  };

const activation =
  (tag: 'relu' | 'sigmoid' | 'tanh' | 'softplus') =>
  <S extends Shape>(x: T<S>): T<S> =>
    apply(tag, [x], {}, x.shape, tag);

export const relu = activation('relu');
export const sigmoid = activation('sigmoid');
export const tanh = activation('tanh');
export const softplus = activation('softplus');

export interface SparsifyOptions {
  /** At encode time keep α·k codes (Makhzani & Frey use α = 3 for k = 25… tuned per task). */
  readonly alpha?: number;
  /**
   * The paper's k-annealing: train with k falling linearly from `from` to k over the first
   * `fraction` of the epochs (default ½), so early on every unit gets used. Encoding is unaffected.
   */
  readonly anneal?: { readonly from: number; readonly fraction?: number };
}

/** k for this build: the schedule's value at the context's epoch, recorded so the trainer recompiles per epoch. */
const annealedK = (s: Session, k: number, a: { from: number; fraction: number } | undefined): number => {
  if (!a || a.from === k) return k;
  const p = s.ctx.progress ?? { epoch: 1, epochs: 1 };
  const value = kAnnealing({ from: a.from, to: k, epochs: Math.max(1, Math.ceil(a.fraction * p.epochs)) })(p.epoch);
  s.ctx.scheduled.set(`${errorPath(s, 'sparsifyK')}.k`, value);
  return value;
};

/**
 * Keep the k largest activations of each example, zero the rest (Makhzani & Frey 2013).
 * The gradient flows through the kept support only; at encode time α·k are kept.
 */
export const sparsifyK =
  <const K extends number>(k: K, opts: SparsifyOptions = {}) =>
  <N extends number>(x: T<Vec<N>>): T<Vec<N>> => {
    const s = x.session;
    const alpha = opts.alpha ?? 1;
    const width = x.shape[0];
    if (!Number.isInteger(k) || k < 1 || k > width) return failed(s, x.shape, 'sparsifyK', `k = ${k} must be an integer in [1, ${width}] for codes of width ${width}`);
    if (!(Number.isFinite(alpha) && alpha >= 1)) return failed(s, x.shape, 'sparsifyK', `alpha must be ≥ 1, got ${alpha}`);
    const a = opts.anneal;
    if (a && !(Number.isInteger(a.from) && a.from >= k && a.from <= width))
      return failed(s, x.shape, 'sparsifyK', `anneal.from = ${a.from} must be an integer in [k = ${k}, ${width}]`);
    const fraction = a?.fraction ?? 0.5;
    if (a && !(fraction > 0 && fraction <= 1)) return failed(s, x.shape, 'sparsifyK', `anneal.fraction must be in (0, 1], got ${fraction}`);
    const kept = s.mode === 'eval' ? Math.min(width, Math.round(alpha * k)) : annealedK(s, k, a && { from: a.from, fraction });
    const mask = apply('topkMask', [x], { k: kept }, x.shape, 'sparsifyK');
    return apply('mul', [x, mask], {}, x.shape, 'sparsifyK');
  };
