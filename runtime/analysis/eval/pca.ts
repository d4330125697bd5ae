// PCA against a linear autoencoder (Baldi & Hornik 1989: at the optimum the decoder spans the
// top-r principal subspace). Principal angles between the decoder's column space and that
// subspace, and the ratio of the autoencoder's reconstruction error to PCA's rank-r error.
// The linear algebra is ml-matrix's (symmetric eigendecomposition, SVD).
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Dataset } from '../../core/dataset';
import type { EvalModel } from './model';
import { meanRowSquaredError } from './objective';

export interface PcaFit {
  readonly mean: Float64Array;
  /** dim × r, orthonormal columns: the top-r principal directions. */
  readonly basis: Matrix;
  /** All eigenvalues of the covariance, decreasing. */
  readonly variances: readonly number[];
}

/** Top-r principal directions of the rows of x (covariance eigendecomposition, f64). */
export const pcaFit = (x: Float32Array, n: number, dim: number, r: number): PcaFit => {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  // Covariance as Σ x xᵀ / n − mean meanᵀ over the raw rows, skipping zeros: image data is
  // sparse, and this is an order of magnitude faster than multiplying centred matrices.
  const acc = new Float64Array(dim * dim);
  const nz = new Int32Array(dim);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < dim; j++) if (x[i * dim + j] !== 0) nz[m++] = j;
    for (let p = 0; p < m; p++) {
      const j = nz[p];
      const xj = x[i * dim + j];
      const row = j * dim;
      for (let q = p; q < m; q++) acc[row + nz[q]] += xj * x[i * dim + nz[q]];
    }
  }
  const cov = new Matrix(dim, dim);
  for (let j = 0; j < dim; j++)
    for (let k = j; k < dim; k++) {
      const v = acc[j * dim + k] / n - mean[j] * mean[k];
      cov.set(j, k, v);
      cov.set(k, j, v);
    }
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const basis = new Matrix(dim, r);
  for (let c = 0; c < r; c++) for (let j = 0; j < dim; j++) basis.set(j, c, evd.eigenvectorMatrix.get(j, order[c][1]));
  return { mean, basis, variances: order.map(([v]) => v) };
};

/** An orthonormal basis of the column space of a (d × r, full column rank). */
const orthonormal = (a: Matrix): Matrix => new SingularValueDecomposition(a, { computeRightSingularVectors: false, autoTranspose: true }).leftSingularVectors.subMatrix(0, a.rows - 1, 0, a.columns - 1);

/** Principal angles (degrees, increasing) between the column spaces of a and b. */
export const principalAngles = (a: Matrix, b: Matrix): number[] => {
  const m = orthonormal(a).transpose().mmul(orthonormal(b));
  const cosines = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
  return cosines.map((c) => (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI).sort((x, y) => x - y);
};

/** Mean over rows of Σ (x − x̂)² where x̂ is x projected onto the fit's subspace. */
export const pcaReconstructionError = (fit: PcaFit, x: Float32Array, n: number, dim: number): number => {
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

/**
 * The decoder as an affine map z ↦ c0 + Σ z_i c_i, read off decode(0) and decode(e_i); null when
 * decode(z) for random z departs from that (the decoder is not affine).
 */
export const affineDecoder = async (model: EvalModel): Promise<Matrix | null> => {
  const d = model.codeDim;
  const D = model.inputDim;
  const z = new Float32Array((d + 2) * d);
  for (let i = 0; i < d; i++) z[(i + 1) * d + i] = 1;
  for (let i = 0; i < d; i++) z[(d + 1) * d + i] = 0.5 + 0.25 * i;
  const out = await model.decode(z, d + 2);
  const cols = new Matrix(D, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < D; j++) cols.set(j, i, out[(i + 1) * D + j] - out[j]);
  let err = 0;
  let scale = 0;
  for (let j = 0; j < D; j++) {
    let want = out[j];
    for (let i = 0; i < d; i++) want += z[(d + 1) * d + i] * cols.get(j, i);
    err = Math.max(err, Math.abs(out[(d + 1) * D + j] - want));
    scale = Math.max(scale, Math.abs(want));
  }
  return err <= 1e-3 * (1 + scale) ? cols : null;
};

export interface PcaComparison {
  /** Principal angles (degrees) between the decoder's column space and the top-r PCA subspace. */
  readonly anglesDegrees: readonly number[];
  readonly r: number;
  /** The autoencoder's squared error per image, PCA's at rank r, and their ratio (≥ 1 on the fit rows). */
  readonly aeError: number;
  readonly pcaError: number;
  readonly errorRatio: number;
  readonly protocol: string;
}

/** null when the decoder is not affine (PCA does not apply). */
export const comparePca = async (model: EvalModel, fitRows: Dataset, evalRows: Dataset): Promise<PcaComparison | null> => {
  const cols = await affineDecoder(model);
  if (!cols) return null;
  const r = model.codeDim;
  const fit = pcaFit(fitRows.images, fitRows.n, fitRows.dim, r);
  const anglesDegrees = principalAngles(cols, fit.basis);
  const aeError = meanRowSquaredError(await model.reconstruct(evalRows.images, evalRows.n), evalRows.images, evalRows.n, evalRows.dim);
  const pcaError = pcaReconstructionError(fit, evalRows.images, evalRows.n, evalRows.dim);
  const protocol = `PCA of ${fitRows.n} rows of ${fitRows.name} (mean removed; covariance eigendecomposition in f64 by ml-matrix), top r = ${r} directions; the decoder's column space read off decode(e_i) − decode(0); principal angles from the SVD of Q_aᵀQ_b; error ratio = the autoencoder's Σ (x̂ − x)² per image over PCA's rank-r projection error, both on the ${evalRows.n} evaluated rows`;
  return { anglesDegrees, r, aeError, pcaError, errorRatio: aeError / pcaError, protocol };
};
