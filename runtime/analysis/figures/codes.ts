// Codes to decode for the generative figures: the 2-D manifold grid (Kingma & Welling Fig. 4)
// and latent traversals (Higgins et al. Fig. 7). Pure functions.

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export const normalQuantile = (p: number): number => {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo || p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
    const x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < lo ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
};

/**
 * An n × n grid of 2-D codes at Φ⁻¹ of evenly spaced probabilities (i + ½)/n, row-major with z₂
 * decreasing down the rows (so "up" in the picture is +z₂).
 */
export const manifoldGrid = (n: number): Float32Array => {
  const out = new Float32Array(n * n * 2);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      out[2 * (r * n + c)] = normalQuantile((c + 0.5) / n);
      out[2 * (r * n + c) + 1] = normalQuantile(1 - (r + 0.5) / n);
    }
  return out;
};

/** Evenly spaced values from −range to +range (steps ≥ 2). */
export const sweep = (steps: number, range = 3): number[] => Array.from({ length: steps }, (_, i) => -range + (2 * range * i) / (steps - 1));

/**
 * Traversals: for each latent in `dims` a row of `steps` codes equal to `base` except that latent,
 * swept over ±range.
 */
export const traversalCodes = (base: ArrayLike<number>, dims: readonly number[], steps: number, range = 3): Float32Array => {
  const d = base.length;
  const out = new Float32Array(dims.length * steps * d);
  const values = sweep(steps, range);
  dims.forEach((dim, row) =>
    values.forEach((v, col) => {
      const o = (row * steps + col) * d;
      for (let j = 0; j < d; j++) out[o + j] = base[j];
      out[o + dim] = v;
    }),
  );
  return out;
};

/** Per-column variance of a row-major [n, d] array. */
export const columnVariance = (x: ArrayLike<number>, n: number, d: number): Float64Array => {
  const mean = new Float64Array(d);
  const v = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const e = x[i * d + j] - mean[j];
      v[j] += (e * e) / n;
    }
  return v;
};

/** Per code unit (column of [n, d]): how many rows it is non-zero in, and its mean |value|. */
export const unitUsage = (codes: ArrayLike<number>, n: number, d: number): { active: number[]; magnitude: number[] } => {
  const active = new Array<number>(d).fill(0);
  const magnitude = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const v = codes[i * d + j];
      if (v !== 0) active[j]++;
      magnitude[j] += Math.abs(v) / n;
    }
  return { active, magnitude };
};

/** Units most often active first, ties by larger mean |value|, then by index. */
export const rankUnits = (u: { active: readonly number[]; magnitude: readonly number[] }): number[] =>
  [...u.active.keys()].sort((a, b) => u.active[b] - u.active[a] || u.magnitude[b] - u.magnitude[a] || a - b);
