// Image layers over [C, H, W] tensors (the batch is implicit, as everywhere in the DSL):
// convolutions, pooling with indices, unpooling, nearest upsampling, reshapes. With literal
// sizes and options the output shape is computed in the type (see sizes.ts); the graph builder
// checks every case again and names the layer's path and the shapes when they do not fit.
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import type { Val } from '../compiler/ir/val';
import type { CompileError } from '../compiler/ir/types';
import type { Init } from '../compiler/model';
import type { OpAttrs, OpTag, Pair } from '../compiler/ops/tags';
import type { ConvSize, ConvTransposeSize, Scaled, Scalar } from './sizes';
import { autoName, errorPath, failed, scopePath, tensor, type Session, type Shape, type T } from './tensor';

export type Img<C extends number = number, H extends number = number, W extends number = number> = readonly [C, H, W];

type Quad = readonly [number, number, number, number];
/** A size per axis: one number for both, or [height, width]. */
export type Size2 = number | readonly [number, number];
/** Padding: one number for every side, [vertical, horizontal], or [top, left, bottom, right]. */
export type Padding = number | readonly [number, number] | Quad;

const pair = (v: Size2): Pair => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
const quad = (p: Padding): Quad => (typeof p === 'number' ? [p, p, p, p] : p.length === 2 ? [p[0], p[1], p[0], p[1]] : [p[0], p[1], p[2], p[3]]);

const layerName = (s: Session, kind: string, name?: string): string => (name ? [scopePath(s), name].filter(Boolean).join('.') : autoName(s, kind));
const leafOf = (path: string) => path.split('.').pop()!;

/** One primitive on IR values; the per-example shape of the result is read off its type. */
const op = <K extends OpTag>(s: Session, tag: K, ins: readonly Val[], attrs: OpAttrs[K], leaf: string): E.Either<CompileError, Val> =>
  s.ctx.g.op(tag, ins, attrs, errorPath(s, leaf));

/** A tensor whose runtime shape is the value's own (batch dropped); its static type is the caller's. */
const fromVal = <S extends Shape>(s: Session, v: E.Either<CompileError, Val>): T<S> =>
  tensor(s, (E.isRight(v) ? v.right.type.shape.slice(1) : []) as unknown as S, v);

const needImage = (x: T<Shape>, leaf: string): T<Shape> | null =>
  x.shape.length === 3 ? null : failed(x.session, x.shape, leaf, `expects an image [C, H, W] per example, got [${x.shape.join(', ')}]`);

/** [B, ...shape] reshape of a value. */
const reshapeVal = (s: Session, v: Val, shape: readonly number[], leaf: string) => op(s, 'reshape', [v], { shape: ['B', ...shape] }, leaf);

export interface ConvOptions<K extends Size2, S extends Size2, P extends Padding, D extends Size2> {
  readonly kernel: K;
  readonly stride?: S;
  readonly padding?: P;
  readonly dilation?: D;
  /** Layer name inside its scope; default `conv0`, `conv1`, … (`convT0`, … for transposed). */
  readonly name?: string;
  readonly bias?: boolean;
  readonly init?: Init;
}

/** Both height and width of a literal-typed layer follow these sizes; pairs and quadruples give `number`. */
type ConvOut<X, K, S, P, D> = ConvSize<X, Scalar<K>, Scalar<S>, Scalar<P>, Scalar<D>>;

const withBias = (s: Session, name: string, y: Val, out: number, bias: boolean, leaf: string) =>
  bias ? pipe(s.ctx.param(`${name}.b`, [out, 1, 1], { kind: 'constant', value: 0 }), E.chain((b) => op(s, 'add', [y, b], {}, leaf))) : E.right(y);

const checkOut = (s: Session, out: number, leaf: string): T<Shape> | null =>
  Number.isInteger(out) && out > 0 ? null : failed(s, [], leaf, `the number of output channels must be a positive integer, got ${out}`);

/** 2-D convolution (cross-correlation, as PyTorch and ONNX): weight `W` [out, C, kh, kw], bias `b` [out, 1, 1]. */
export const conv2d =
  <const O extends number, const K extends Size2, const S extends Size2 = 1, const P extends Padding = 0, const D extends Size2 = 1>(out: O, opts: ConvOptions<K, S, P, D>) =>
  <C extends number, H extends number, W extends number>(x: T<Img<C, H, W>>): T<readonly [O, ConvOut<H, K, S, P, D>, ConvOut<W, K, S, P, D>]> => {
    const s = x.session;
    const name = layerName(s, 'conv', opts.name);
    const leaf = leafOf(name);
    type R = T<readonly [O, ConvOut<H, K, S, P, D>, ConvOut<W, K, S, P, D>]>;
    const bad = needImage(x, leaf) ?? checkOut(s, out, leaf);
    if (bad) return bad as unknown as R;
    const k = pair(opts.kernel);
    if (!k.every((v) => Number.isInteger(v) && v > 0)) return failed(s, [], leaf, `kernel must be positive integers, got [${k.join(', ')}]`) as unknown as R;
    const attrs = { stride: pair(opts.stride ?? 1), pads: quad(opts.padding ?? 0), dilation: pair(opts.dilation ?? 1) };
    const v = pipe(
      E.Do,
      E.bind('x', () => x.val),
      E.bind('W', () => s.ctx.param(`${name}.W`, [out, x.shape[0], k[0], k[1]], opts.init ?? { kind: 'glorotUniform' })),
      E.chain(({ x: xv, W }) => op(s, 'conv2d', [xv, W], attrs, leaf)),
      E.chain((y) => withBias(s, name, y, out, opts.bias ?? true, leaf)),
    );
    return fromVal(s, v);
  };

export interface ConvTransposeOptions<K extends Size2, S extends Size2, P extends Padding, D extends Size2, OP extends Size2> extends ConvOptions<K, S, P, D> {
  /** Extra rows/columns at the bottom/right, below the stride: picks among the sizes a stride > 1 maps to. */
  readonly outputPadding?: OP;
}

type ConvTOut<X, K, S, P, D, OP> = ConvTransposeSize<X, Scalar<K>, Scalar<S>, Scalar<P>, Scalar<D>, Scalar<OP>>;

/** Transposed ("fractionally strided") convolution: weight `W` [C, out, kh, kw], the adjoint of conv2d's. */
export const convTranspose2d =
  <const O extends number, const K extends Size2, const S extends Size2 = 1, const P extends Padding = 0, const D extends Size2 = 1, const OP extends Size2 = 0>(
    out: O,
    opts: ConvTransposeOptions<K, S, P, D, OP>,
  ) =>
  <C extends number, H extends number, W extends number>(x: T<Img<C, H, W>>): T<readonly [O, ConvTOut<H, K, S, P, D, OP>, ConvTOut<W, K, S, P, D, OP>]> => {
    const s = x.session;
    const name = layerName(s, 'convT', opts.name);
    const leaf = leafOf(name);
    type R = T<readonly [O, ConvTOut<H, K, S, P, D, OP>, ConvTOut<W, K, S, P, D, OP>]>;
    const bad = needImage(x, leaf) ?? checkOut(s, out, leaf);
    if (bad) return bad as unknown as R;
    const k = pair(opts.kernel);
    if (!k.every((v) => Number.isInteger(v) && v > 0)) return failed(s, [], leaf, `kernel must be positive integers, got [${k.join(', ')}]`) as unknown as R;
    const attrs = { stride: pair(opts.stride ?? 1), pads: quad(opts.padding ?? 0), dilation: pair(opts.dilation ?? 1), outputPadding: pair(opts.outputPadding ?? 0) };
    const v = pipe(
      E.Do,
      E.bind('x', () => x.val),
      E.bind('W', () => s.ctx.param(`${name}.W`, [x.shape[0], out, k[0], k[1]], opts.init ?? { kind: 'glorotUniform' })),
      E.chain(({ x: xv, W }) => op(s, 'convTranspose2d', [xv, W], attrs, leaf)),
      E.chain((y) => withBias(s, name, y, out, opts.bias ?? true, leaf)),
    );
    return fromVal(s, v);
  };

export interface PoolOptions<S extends Size2, P extends Padding> {
  /** Default: the kernel (non-overlapping windows). */
  readonly stride?: S;
  readonly padding?: P;
  readonly name?: string;
}

type PoolOut<X, K, S, P> = ConvSize<X, Scalar<K>, Scalar<S>, Scalar<P>, 1>;

/** A max-pooling layer; `maxUnpool2d(pool)` puts values back where this layer found its maxima. */
export interface MaxPoolLayer<K extends Size2, S extends Size2, P extends Padding> {
  <C extends number, H extends number, W extends number>(x: T<Img<C, H, W>>): T<readonly [C, PoolOut<H, K, S, P>, PoolOut<W, K, S, P>]>;
  /** The indices and input size of this layer's application in a graph, if it was applied there. */
  readonly switches: (s: Session) => { readonly indices: Val; readonly size: Pair; readonly attrs: OpAttrs['maxPool2d'] } | undefined;
  readonly attrs: () => OpAttrs['maxPool2d'];
}

/** Max pooling over kernel×kernel windows (stride defaults to the kernel). */
export const maxPool2d = <const K extends Size2, const S extends Size2 = K, const P extends Padding = 0>(kernel: K, opts: PoolOptions<S, P> = {}): MaxPoolLayer<K, S, P> => {
  const attrs: OpAttrs['maxPool2d'] = { kernel: pair(kernel), stride: pair(opts.stride ?? kernel), pads: quad(opts.padding ?? 0) };
  const seen = new WeakMap<Session, { indices: Val; size: Pair; attrs: OpAttrs['maxPool2d'] }>();
  const layer = <C extends number, H extends number, W extends number>(x: T<Img<C, H, W>>) => {
    const s = x.session;
    const leaf = leafOf(layerName(s, 'maxPool', opts.name));
    type R = T<readonly [C, PoolOut<H, K, S, P>, PoolOut<W, K, S, P>]>;
    const bad = needImage(x, leaf);
    if (bad) return bad as unknown as R;
    const v = pipe(
      x.val,
      E.chain((xv) =>
        pipe(
          op(s, 'maxPoolIndices', [xv], attrs, leaf),
          E.chain((indices) => {
            seen.set(s, { indices, size: [x.shape[1], x.shape[2]], attrs });
            return op(s, 'maxPool2d', [xv], attrs, leaf);
          }),
        ),
      ),
    );
    return fromVal(s, v) as unknown as R;
  };
  return Object.assign(layer, { switches: (s: Session) => seen.get(s), attrs: () => attrs });
};

/**
 * Unpooling, the inverse of `pool`: each value goes back to where `pool` found its window's
 * maximum, zeros elsewhere (Zeiler & Fergus switches). In a graph where `pool` was not applied
 * (decoding from a code) there are no switches; each value then goes to the top-left of its
 * window, as in Dosovitskiy et al.'s and DC-IGN's unpooling.
 */
export const maxUnpool2d =
  <K extends Size2, S extends Size2, P extends Padding>(pool: MaxPoolLayer<K, S, P>, opts: { readonly name?: string; readonly size?: readonly [number, number] } = {}) =>
  <C extends number, H extends number, W extends number>(x: T<Img<C, H, W>>): T<readonly [C, Scaled<H, Scalar<S>>, Scaled<W, Scalar<S>>]> => {
    const s = x.session;
    const leaf = leafOf(layerName(s, 'maxUnpool', opts.name));
    type R = T<readonly [C, Scaled<H, Scalar<S>>, Scaled<W, Scalar<S>>]>;
    const bad = needImage(x, leaf);
    if (bad) return bad as unknown as R;
    const sw = pool.switches(s);
    const a = pool.attrs();
    if (sw) {
      const [, h, w] = x.shape;
      const idxShape = s.ctx.g.node(sw.indices.id).type.shape;
      if (idxShape[1] !== x.shape[0] || idxShape[2] !== h || idxShape[3] !== w)
        return failed(s, [], leaf, `expected [${idxShape.slice(1).join(', ')}] (the pooled shape), got [${x.shape.join(', ')}]`) as unknown as R;
      return fromVal(s, E.chain((xv: Val) => op(s, 'maxUnpool2d', [xv, sw.indices], { size: opts.size ?? sw.size }, leaf))(x.val)) as unknown as R;
    }
    // No switches: top-left placement, for non-overlapping windows without padding.
    const [kh, kw] = a.kernel;
    if (a.stride[0] !== kh || a.stride[1] !== kw || a.pads.some((p) => p !== 0))
      return failed(s, [], leaf, `without the pooling switches (decoding from a code) unpooling needs windows that tile the image: kernel = stride, no padding`) as unknown as R;
    const mask = Array.from({ length: kh * kw }, (_, i) => (i === 0 ? 1 : 0));
    return fromVal(s, placeBlocks(s, x, [kh, kw], mask, leaf)) as unknown as R;
  };

/** Each pixel becomes a kh×kw block: `block` (row-major) times the pixel's value. */
const placeBlocks = (s: Session, x: T<Shape>, [kh, kw]: Pair, block: readonly number[], leaf: string): E.Either<CompileError, Val> => {
  const [c, h, w] = x.shape;
  const g = s.ctx.g;
  return pipe(
    x.val,
    E.chain((xv) => reshapeVal(s, xv, [c, h, 1, w, 1], leaf)),
    E.chain((x6) => op(s, 'mul', [x6, g.constant(block, [kh, 1, kw])], {}, leaf)),
    E.chain((big) => reshapeVal(s, big, [c, h * kh, w * kw], leaf)),
  );
};

/** Nearest-neighbour upsampling by an integer factor (each pixel becomes a factor×factor block). */
export const upsample =
  <const F extends number>(factor: F) =>
  <C extends number, H extends number, W extends number>(x: T<Img<C, H, W>>): T<readonly [C, Scaled<H, F>, Scaled<W, F>]> => {
    const s = x.session;
    type R = T<readonly [C, Scaled<H, F>, Scaled<W, F>]>;
    const bad = needImage(x, 'upsample');
    if (bad) return bad as unknown as R;
    if (!(Number.isInteger(factor) && factor > 0)) return failed(s, [], 'upsample', `factor must be a positive integer, got ${factor}`) as unknown as R;
    return fromVal(s, placeBlocks(s, x, [factor, factor], new Array(factor * factor).fill(1), 'upsample')) as unknown as R;
  };

/**
 * Average pooling: a mean over each window, counting padding as zeros. Windows that tile the
 * image are a reshape and a mean; others are a convolution with a fixed 1/(kh·kw) kernel per channel.
 */
export const avgPool2d =
  <const K extends Size2, const S extends Size2 = K, const P extends Padding = 0>(kernel: K, opts: PoolOptions<S, P> = {}) =>
  <C extends number, H extends number, W extends number>(x: T<Img<C, H, W>>): T<readonly [C, PoolOut<H, K, S, P>, PoolOut<W, K, S, P>]> => {
    const s = x.session;
    const leaf = leafOf(layerName(s, 'avgPool', opts.name));
    type R = T<readonly [C, PoolOut<H, K, S, P>, PoolOut<W, K, S, P>]>;
    const bad = needImage(x, leaf);
    if (bad) return bad as unknown as R;
    const [kh, kw] = pair(kernel);
    const stride = pair(opts.stride ?? kernel);
    const pads = quad(opts.padding ?? 0);
    const [c, h, w] = x.shape;
    const g = s.ctx.g;
    if (stride[0] === kh && stride[1] === kw && pads.every((p) => p === 0) && h % kh === 0 && w % kw === 0) {
      const v = pipe(
        x.val,
        E.chain((xv) => reshapeVal(s, xv, [c, h / kh, kh, w / kw, kw], leaf)),
        E.chain((x5) => op(s, 'reduceMean', [x5], { axes: [3, 5], keepdims: false }, leaf)),
      );
      return fromVal(s, v) as unknown as R;
    }
    const kernelValues = Array.from({ length: c * c * kh * kw }, (_, i) => (Math.floor(i / (c * kh * kw)) === Math.floor(i / (kh * kw)) % c ? 1 / (kh * kw) : 0));
    const v = E.chain((xv: Val) => op(s, 'conv2d', [xv, g.constant(kernelValues, [c, c, kh, kw])], { stride, pads, dilation: [1, 1] }, leaf))(x.val);
    return fromVal(s, v) as unknown as R;
  };

/** [C, H, W] (or any shape) to one vector per example. */
export const flatten = <S extends Shape>(x: T<S>): T<readonly [number]> => {
  const s = x.session;
  const n = x.shape.reduce((a, b) => a * b, 1);
  return fromVal(s, E.chain((xv: Val) => reshapeVal(s, xv, [n], 'flatten'))(x.val));
};

/** Reshape each example to `shape` (e.g. a dense layer's [1024] to [64, 4, 4]); the sizes must multiply to the same count. */
export const reshape =
  <const S extends Shape>(shape: S) =>
  <I extends Shape>(x: T<I>): T<S> => {
    const s = x.session;
    const from = x.shape.reduce((a, b) => a * b, 1);
    const to = shape.reduce((a, b) => a * b, 1);
    if (from !== to || !shape.every((d) => Number.isInteger(d) && d > 0))
      return failed(s, shape, 'reshape', `expected a shape of ${from} values like [${x.shape.join(', ')}], got [${shape.join(', ')}]`);
    return tensor(s, shape, E.chain((xv: Val) => reshapeVal(s, xv, shape, 'reshape'))(x.val));
  };
