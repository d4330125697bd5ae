// The closed set of primitives and their attributes. Adding a primitive = one entry here,
// one file in this folder, one row in the registry (tsc enforces the row) and one test row.
import type { DType, Shape } from '../ir/types';

type None = Record<string, never>;

export interface OpAttrs {
  input: { readonly name: string; readonly shape: Shape; readonly dtype: DType };
  constant: { readonly values: readonly number[]; readonly shape: Shape; readonly dtype: DType };
  matmul: None;
  add: None;
  sub: None;
  mul: None;
  div: None;
  neg: None;
  exp: None;
  log: None;
  sqrt: None;
  powc: { readonly p: number };
  relu: None;
  sigmoid: None;
  tanh: None;
  softplus: None;
  reduceSum: { readonly axes: readonly number[]; readonly keepdims: boolean };
  reduceMean: { readonly axes: readonly number[]; readonly keepdims: boolean };
  transpose: { readonly perm: readonly number[] };
  reshape: { readonly shape: Shape };
  concat: { readonly axis: number };
  slice: { readonly axis: number; readonly start: number; readonly end: number };
  topkMask: { readonly k: number };
  greater: None;
  where: None;
  expandLike: { readonly meanAxes: readonly number[] };
  conv2d: ConvAttrs;
  convTranspose2d: ConvAttrs & { readonly outputPadding: Pair };
  maxPool2d: PoolAttrs;
  maxPoolIndices: PoolAttrs;
  gatherPlanes: None;
  maxUnpool2d: { readonly size: Pair };
}

/** [height, width]. */
export type Pair = readonly [number, number];

/** NCHW convolution: `pads` is [top, left, bottom, right], as ONNX orders them. */
export interface ConvAttrs {
  readonly stride: Pair;
  readonly pads: readonly [number, number, number, number];
  readonly dilation: Pair;
}

export interface PoolAttrs {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly pads: readonly [number, number, number, number];
}

export type OpTag = keyof OpAttrs;
