// The objective on a data set: every term and the total, averaged over the rows and over several
// noise draws, and the per-image squared error of the (deterministic) reconstruction.
import type { EvalModel } from './model';

export interface ObjectiveResult {
  /** Mean of each term (and `loss`, the weighted total) over rows and draws. */
  readonly terms: Readonly<Record<string, number>>;
  /** Standard error of each term's mean across the draws (0 for one draw). */
  readonly spread: Readonly<Record<string, number>>;
  /** Mean over images of Σ_pixels (x̂ − x)², x̂ = decode(encode(x)). */
  readonly squaredError: number;
  readonly samples: number;
  readonly n: number;
}

/** Mean over rows of Σ (a − b)² per row of `dim` values. */
export const meanRowSquaredError = (a: ArrayLike<number>, b: ArrayLike<number>, n: number, dim: number): number => {
  let total = 0;
  for (let i = 0; i < n * dim; i++) total += (a[i] - b[i]) ** 2;
  return total / n;
};

export const evaluateObjective = async (model: EvalModel, x: Float32Array, n: number, opts: { samples?: number; seed?: number; batch?: number } = {}): Promise<ObjectiveResult> => {
  const samples = Math.max(1, opts.samples ?? 1);
  const draws: Record<string, number>[] = [];
  for (let s = 0; s < samples; s++) draws.push(await model.terms(x, n, (opts.seed ?? 1) + s, opts.batch));
  const names = Object.keys(draws[0]);
  const terms = Object.fromEntries(names.map((k) => [k, draws.reduce((a, d) => a + d[k], 0) / samples]));
  const spread = Object.fromEntries(
    names.map((k) => {
      if (samples < 2) return [k, 0];
      const v = draws.reduce((a, d) => a + (d[k] - terms[k]) ** 2, 0) / (samples - 1);
      return [k, Math.sqrt(v / samples)];
    }),
  );
  const xhat = await model.reconstruct(x, n);
  return { terms, spread, squaredError: meanRowSquaredError(xhat, x, n, model.inputDim), samples, n };
};
