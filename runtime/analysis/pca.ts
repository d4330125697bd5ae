// The top-k principal components of a data set by subspace iteration on the centred data
// (X̄ᵀX̄ applied through X̄, never formed). Pure; enough for the 2-D PCA picture beside a model.

const orthonormalise = (V: Float64Array[]): void => {
  for (let a = 0; a < V.length; a++) {
    for (let b = 0; b < a; b++) {
      let dot = 0;
      for (let j = 0; j < V[a].length; j++) dot += V[a][j] * V[b][j];
      for (let j = 0; j < V[a].length; j++) V[a][j] -= dot * V[b][j];
    }
    let norm = 0;
    for (let j = 0; j < V[a].length; j++) norm += V[a][j] * V[a][j];
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < V[a].length; j++) V[a][j] /= norm;
  }
};

export interface Pca {
  readonly mean: Float64Array;
  /** k unit vectors of length d, by decreasing variance. */
  readonly components: Float64Array[];
}

export const pca = (x: ArrayLike<number>, n: number, d: number, k: number, iterations = 60): Pca => {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  // A fixed, deterministic start (no RNG): varied sinusoids are never orthogonal to the top space in practice.
  let V = Array.from({ length: k }, (_, a) => Float64Array.from({ length: d }, (_, j) => Math.sin(1 + (a + 1) * (j + 1) * 0.7331)));
  orthonormalise(V);
  const proj = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    V = V.map((v) => {
      const out = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (x[i * d + j] - mean[j]) * v[j];
        proj[i] = s;
      }
      for (let i = 0; i < n; i++) {
        const s = proj[i];
        for (let j = 0; j < d; j++) out[j] += (x[i * d + j] - mean[j]) * s;
      }
      return out;
    });
    orthonormalise(V);
  }
  return { mean, components: V };
};

/** Rows of x projected on the components: row-major [n, k]. */
export const project = (p: Pca, x: ArrayLike<number>, n: number, d: number): Float32Array => {
  const k = p.components.length;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - p.mean[j]) * p.components[a][j];
      out[i * k + a] = s;
    }
  return out;
};
