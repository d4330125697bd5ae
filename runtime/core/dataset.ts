// A data set is one preloaded buffer of examples; batches are views into it, never copies.
import { Rng } from './random';

export interface Dataset {
  readonly name: string;
  /** Row-major [n, dim] in [0, 1]. */
  readonly images: Float32Array;
  readonly labels?: Uint8Array;
  /** True generative factors per example (row-major [n, names.length]), where the data set has them. */
  readonly factors?: { readonly names: readonly string[]; readonly values: Float32Array };
  readonly n: number;
  /** Per-example shape (e.g. [784]). */
  readonly shape: readonly number[];
  readonly dim: number;
}

export interface Split {
  readonly train: Dataset;
  readonly heldOut: Dataset;
}

/** The rows `indices` of `d` (labels and factors follow), named `<name>/<suffix>`. */
export const subsetRows = (d: Dataset, indices: ArrayLike<number>, suffix: string): Dataset => {
  const n = indices.length;
  const images = new Float32Array(n * d.dim);
  const labels = d.labels ? new Uint8Array(n) : undefined;
  const k = d.factors?.names.length ?? 0;
  const factors = d.factors ? new Float32Array(n * k) : undefined;
  for (let i = 0; i < n; i++) {
    const src = indices[i];
    images.set(d.images.subarray(src * d.dim, (src + 1) * d.dim), i * d.dim);
    if (labels && d.labels) labels[i] = d.labels[src];
    if (factors && d.factors) factors.set(d.factors.values.subarray(src * k, (src + 1) * k), i * k);
  }
  const kept = factors && d.factors ? { names: d.factors.names, values: factors } : undefined;
  return { name: `${d.name}/${suffix}`, images, labels, factors: kept, n, shape: d.shape, dim: d.dim };
};

/** The seed of every held-out split: the split depends on the data set and the fraction only. */
export const SPLIT_SEED = 0x5eed;
export const DEFAULT_HELD_OUT = 0.2;

/**
 * Row indices of a split: a seeded permutation whose first round(n·fraction) rows are held out
 * (at least one when the fraction is positive; none for 0). Each part keeps the permutation's
 * order, which is the row order of the split's subsets (split.json lists them the same way).
 */
export const splitIndices = (n: number, heldOutFraction = DEFAULT_HELD_OUT, seed = SPLIT_SEED): { train: Uint32Array; heldOut: Uint32Array } => {
  if (!(heldOutFraction >= 0 && heldOutFraction < 1)) throw new RangeError(`held-out fraction must be in [0, 1), got ${heldOutFraction}`);
  const order = Rng.seeded(seed).permutation(n);
  const nHeld = heldOutFraction === 0 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * heldOutFraction)));
  return { train: order.slice(nHeld), heldOut: order.slice(0, nHeld) };
};

/** A deterministic split: the same data set and fraction always give the same held-out set. */
export const splitHeldOut = (d: Dataset, heldOutFraction = DEFAULT_HELD_OUT, seed = SPLIT_SEED): Split => {
  const { train, heldOut } = splitIndices(d.n, heldOutFraction, seed);
  return { train: subsetRows(d, train, 'train'), heldOut: subsetRows(d, heldOut, 'held-out') };
};

/** Examples whose values are not finite: the first offending example index, or -1. */
export const firstNonFinite = (d: Dataset): number => {
  for (let i = 0; i < d.images.length; i++) if (!Number.isFinite(d.images[i])) return Math.floor(i / d.dim);
  return -1;
};
