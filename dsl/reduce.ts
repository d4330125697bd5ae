// Per-example sums and batch means, the two reductions every objective ends with.
import { apply, type Shape, type T } from './tensor';

/** Σ over every per-example axis, then the mean over the batch: a scalar. */
export const batchMeanOfSums = (x: T<Shape>, leaf: string): T<readonly []> => {
  const axes = x.shape.map((_, i) => i + 1);
  const perExample = axes.length ? apply('reduceSum', [x], { axes, keepdims: false }, [] as const, leaf) : x;
  return apply('reduceMean', [perExample], { axes: [0], keepdims: false }, [] as const, leaf);
};
