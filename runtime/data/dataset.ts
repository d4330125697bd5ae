// A data set is one preloaded buffer of examples; batches are views into it, never copies.
import { Rng } from '../random';

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

const subset = (d: Dataset, order: Uint32Array, from: number, to: number, suffix: string): Dataset => {
  const n = to - from;
  const images = new Float32Array(n * d.dim);
  const labels = d.labels ? new Uint8Array(n) : undefined;
  const k = d.factors?.names.length ?? 0;
  const factors = d.factors ? new Float32Array(n * k) : undefined;
  for (let i = 0; i < n; i++) {
    const src = order[from + i];
    images.set(d.images.subarray(src * d.dim, (src + 1) * d.dim), i * d.dim);
    if (labels && d.labels) labels[i] = d.labels[src];
    if (factors && d.factors) factors.set(d.factors.values.subarray(src * k, (src + 1) * k), i * k);
  }
  const kept = factors && d.factors ? { names: d.factors.names, values: factors } : undefined;
  return { name: `${d.name}/${suffix}`, images, labels, factors: kept, n, shape: d.shape, dim: d.dim };
};

/** A deterministic split: the same data set and fraction always give the same held-out set. */
export const splitHeldOut = (d: Dataset, heldOutFraction = 0.2, seed = 0x5eed): Split => {
  const order = Rng.seeded(seed).permutation(d.n);
  const nHeld = Math.max(1, Math.round(d.n * heldOutFraction));
  return { train: subset(d, order, nHeld, d.n, 'train'), heldOut: subset(d, order, 0, nHeld, 'held-out') };
};

/** Examples whose values are not finite: the first offending example index, or -1. */
export const firstNonFinite = (d: Dataset): number => {
  for (let i = 0; i < d.images.length; i++) if (!Number.isFinite(d.images[i])) return Math.floor(i / d.dim);
  return -1;
};
