// PCA against a linear autoencoder (Baldi & Hornik 1989: at the optimum the decoder spans the
// top-r principal subspace). Principal angles between the decoder's column space and that
// subspace, and the ratio of the autoencoder's reconstruction error to PCA's rank-r error.
// The linear algebra is runtime/analysis/pca.ts's.
import { Matrix } from 'ml-matrix';
import { pcaFit, pcaReconstructionError, principalAngles } from '../pca';
import type { Dataset } from '../../core/dataset';
import type { EvalModel } from './model';
import { meanRowSquaredError } from './objective';

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
