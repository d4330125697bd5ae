// Type-level size arithmetic for image layers: with literal sizes, kernels, strides and paddings,
// TypeScript computes a convolution's output size, so a decoder that does not come back to the
// input's [C, H, W] fails in tsc. Sizes are small (< 1000: tuple lengths); anything that is not
// a literal gives `number`, which the graph builder checks instead.

type Tup<N extends number, A extends unknown[] = []> = A['length'] extends N ? A : Tup<N, [...A, 0]>;
type Len<A> = A extends { length: infer L extends number } ? L : never;

/** True for a numeric literal type, false for `number`. */
export type IsLit<N> = N extends number ? (number extends N ? false : true) : false;

export type Add<A extends number, B extends number> = Len<[...Tup<A>, ...Tup<B>]>;
/** A − B, or never when B > A. */
export type Sub<A extends number, B extends number> = Tup<A> extends [...Tup<B>, ...infer R] ? Len<R> : never;
export type Mul<A extends number, B extends number> = MulT<Tup<A>, B>;
type MulT<TA extends unknown[], B extends number, Acc extends unknown[] = [], I extends unknown[] = []> = I['length'] extends B ? Len<Acc> : MulT<TA, B, [...Acc, ...TA], [...I, 0]>;
type DivT<R extends unknown[], B extends number, Q extends unknown[] = []> = R extends [...Tup<B>, ...infer Rest] ? DivT<Rest, B, [...Q, 0]> : Len<Q>;
/** ⌊A / B⌋ for B > 0. */
export type Div<A extends number, B extends number> = DivT<Tup<A>, B>;

type AllLit<Ns extends readonly unknown[]> = Ns extends readonly [infer H, ...infer R] ? (IsLit<H> extends true ? AllLit<R> : false) : true;

type ConvCalc<h extends number, k extends number, s extends number, p extends number, d extends number> =
  Sub<Add<h, Mul<2, p>>, Add<Mul<d, Sub<k, 1>>, 1>> extends infer X extends number ? ([X] extends [never] ? never : Add<Div<X, s>, 1>) : never;

/** ⌊(H + 2P − D(K − 1) − 1) / S⌋ + 1 (never when the kernel does not fit; number when not all literals). */
export type ConvSize<H, K, S, P, D> = [H, K, S, P, D] extends [infer h extends number, infer k extends number, infer s extends number, infer p extends number, infer d extends number]
  ? AllLit<[h, k, s, p, d]> extends true
    ? ConvCalc<h, k, s, p, d>
    : number
  : number;

type ConvTCalc<h extends number, k extends number, s extends number, p extends number, d extends number, op extends number> = Sub<Add<Add<Mul<Sub<h, 1>, s>, Mul<d, Sub<k, 1>>>, Add<1, op>>, Mul<2, p>>;

/** (H − 1)S + D(K − 1) + 1 + OP − 2P. */
export type ConvTransposeSize<H, K, S, P, D, OP> = [H, K, S, P, D, OP] extends [infer h extends number, infer k extends number, infer s extends number, infer p extends number, infer d extends number, infer op extends number]
  ? AllLit<[h, k, s, p, d, op]> extends true
    ? ConvTCalc<h, k, s, p, d, op>
    : number
  : number;

/** H · F for nearest upsampling. */
export type Scaled<H, F> = AllLit<[H, F]> extends true ? (H extends number ? (F extends number ? Mul<H, F> : number) : number) : number;

/** A scalar option's type when it is a single number, else `number` (pairs and quadruples are checked at build). */
export type Scalar<X> = X extends number ? X : number;
