// Principal components, in one place: the covariance of the rows (f64, skipping zeros), its
// symmetric eigendecomposition (ml-matrix), projections on the top directions, the rank-r
// reconstruction error, and principal angles between subspaces. No Node: the figures, the
// evaluation (runtime/analysis/eval/pca.ts) and the reproductions all use this module.
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';

/** Mean and covariance (divided by n; row-major [d, d]) of the rows of x [n, d]. */
export const covariance = (x: ArrayLike<number>, n: number, d: number): { mean: Float64Array; cov: Float64Array } => {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Σ x xᵀ / n − mean meanᵀ over the raw rows, skipping zeros: image data is sparse, and this is
  // an order of magnitude faster than multiplying centred matrices.
  const acc = new Float64Array(d * d);
  const nz = new Int32Array(d);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < d; j++) if (x[i * d + j] !== 0) nz[m++] = j;
    for (let p = 0; p < m; p++) {
      const j = nz[p];
      const xj = x[i * d + j];
      const row = j * d;
      for (let q = p; q < m; q++) acc[row + nz[q]] += xj * x[i * d + nz[q]];
    }
  }
  const cov = new Float64Array(d * d);
  for (let j = 0; j < d; j++)
    for (let k = j; k < d; k++) {
      const v = acc[j * d + k] / n - mean[j] * mean[k];
      cov[j * d + k] = v;
      cov[k * d + j] = v;
    }
  return { mean, cov };
};

export interface Eigen {
  /** All eigenvalues, decreasing. */
  readonly values: Float64Array;
  /** The top k eigenvectors as columns: row-major [d, k]. */
  readonly vectors: Float64Array;
  readonly k: number;
}

/** The eigenvalues and top `k` eigenvectors of a symmetric matrix C (row-major [d, d]). */
export const topEigen = (c: Float64Array, d: number, k: number): Eigen => {
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(d, d, c), { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const vectors = new Float64Array(d * k);
  for (let j = 0; j < d; j++) for (let a = 0; a < k; a++) vectors[j * k + a] = evd.eigenvectorMatrix.get(j, order[a][1]);
  return { values: Float64Array.from(order, ([v]) => v), vectors, k };
};

export interface PcaFit {
  readonly mean: Float64Array;
  /** dim × r, orthonormal columns: the top-r principal directions. */
  readonly basis: Matrix;
  /** All eigenvalues of the covariance, decreasing. */
  readonly variances: readonly number[];
}

/** Top-r principal directions of the rows of x [n, dim]. */
export const pcaFit = (x: ArrayLike<number>, n: number, dim: number, r: number): PcaFit => {
  const { mean, cov } = covariance(x, n, dim);
  const e = topEigen(cov, dim, r);
  return { mean, basis: Matrix.from1DArray(dim, r, e.vectors), variances: Array.from(e.values) };
};

/** Rows of x projected on the fit's directions: row-major [n, r]. */
export const project = (fit: PcaFit, x: ArrayLike<number>, n: number, d: number): Float32Array => {
  const r = fit.basis.columns;
  const out = new Float32Array(n * r);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < r; a++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - fit.mean[j]) * fit.basis.get(j, a);
      out[i * r + a] = s;
    }
  return out;
};

/** Mean over rows of Σ (x − x̂)² where x̂ is x projected onto the fit's subspace. */
export const pcaReconstructionError = (fit: PcaFit, x: ArrayLike<number>, n: number, dim: number): number => {
  const r = fit.basis.columns;
  let total = 0;
  const c = new Float64Array(dim);
  const coef = new Float64Array(r);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) c[j] = x[i * dim + j] - fit.mean[j];
    coef.fill(0);
    for (let j = 0; j < dim; j++) for (let k = 0; k < r; k++) coef[k] += c[j] * fit.basis.get(j, k);
    for (let j = 0; j < dim; j++) {
      let p = 0;
      for (let k = 0; k < r; k++) p += coef[k] * fit.basis.get(j, k);
      total += (c[j] - p) ** 2;
    }
  }
  return total / n;
};

/** Orthonormalise the columns of V [d, k] (row-major; modified Gram–Schmidt, twice for stability). */
export const orthonormalColumns = (v: Float64Array, d: number, k: number): Float64Array => {
  const q = Float64Array.from(v);
  for (let pass = 0; pass < 2; pass++)
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < a; b++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += q[i * k + a] * q[i * k + b];
        for (let i = 0; i < d; i++) q[i * k + a] -= dot * q[i * k + b];
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += q[i * k + a] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < d; i++) q[i * k + a] /= norm;
    }
  return q;
};

/** An orthonormal basis of the column space of a (d × r, full column rank). */
const orthonormal = (a: Matrix): Matrix => new SingularValueDecomposition(a, { computeRightSingularVectors: false, autoTranspose: true }).leftSingularVectors.subMatrix(0, a.rows - 1, 0, a.columns - 1);

/** Principal angles (degrees, increasing) between the column spaces of a and b. */
export const principalAngles = (a: Matrix, b: Matrix): number[] => {
  const m = orthonormal(a).transpose().mmul(orthonormal(b));
  const cosines = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
  return cosines.map((c) => (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI).sort((x, y) => x - y);
};

/** principalAngles for row-major column blocks A [d, p] and B [d, q]. */
export const principalAnglesOfColumns = (a: Float64Array, p: number, b: Float64Array, q: number, d: number): number[] =>
  principalAngles(Matrix.from1DArray(d, p, a), Matrix.from1DArray(d, q, b));
