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
}

export type OpTag = keyof OpAttrs;
