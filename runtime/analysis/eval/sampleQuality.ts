// Sample quality of a digit generator, read through the digit classifier (digitClassifier.ts):
// (a) the share of samples it classifies with confidence ≥ 0.9, beside the same share for real
// held-out digits; (b) the entropy of the predicted-class histogram (log 10 when every class is
// drawn equally often, 0 for a generator of one class); (c) the Fréchet distance between the
// classifier's features of the samples and of real held-out digits (Heusel et al. 2017's FID,
// with this classifier in place of Inception).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { CLASSES, FEATURES, type DigitClassifier } from './digitClassifier';

export const CONFIDENT = 0.9;

/** Softmax confidence (the largest class probability) and the predicted class of each row. */
export const predictions = (logits: ArrayLike<number>, n: number, classes = CLASSES, stride = classes, offset = 0) => {
  const confidence = new Float64Array(n);
  const label = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * stride + offset;
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[row + c] > logits[row + best]) best = c;
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[row + c] - logits[row + best]);
    confidence[i] = 1 / z;
    label[i] = best;
  }
  return { confidence, label };
};

export const confidentShare = (confidence: ArrayLike<number>, threshold = CONFIDENT): number => {
  let k = 0;
  for (let i = 0; i < confidence.length; i++) if (confidence[i] >= threshold) k++;
  return confidence.length ? k / confidence.length : 0;
};

/** Entropy (nats) of the histogram of predicted classes. */
export const classEntropy = (label: ArrayLike<number>, classes = CLASSES): number => {
  const count = new Float64Array(classes);
  for (let i = 0; i < label.length; i++) count[label[i]]++;
  let h = 0;
  for (const c of count) if (c > 0) h -= (c / label.length) * Math.log(c / label.length);
  return h;
};

/** Mean and covariance (divisor n − 1) of n rows of d columns, read at `offset` within rows of `stride`. */
const moments = (x: ArrayLike<number>, n: number, d: number, stride = d, offset = 0) => {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * stride + offset + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Matrix(d, d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = x[i * stride + offset + j] - mean[j];
    for (let j = 0; j < d; j++) {
      if (c[j] === 0) continue;
      for (let k = j; k < d; k++) cov.set(j, k, cov.get(j, k) + c[j] * c[k]);
    }
  }
  for (let j = 0; j < d; j++)
    for (let k = j; k < d; k++) {
      const v = cov.get(j, k) / Math.max(1, n - 1);
      cov.set(j, k, v);
      cov.set(k, j, v);
    }
  return { mean, cov };
};

const symmetricSqrt = (m: Matrix): Matrix => {
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const V = e.eigenvectorMatrix;
  const s = e.realEigenvalues.map((v) => Math.sqrt(Math.max(v, 0)));
  return V.mmul(Matrix.diag(s)).mmul(V.transpose());
};

/**
 * ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½), with tr (Σ₁ Σ₂)^½ = Σ √λ of the symmetric
 * Σ₁^½ Σ₂ Σ₁^½ (same eigenvalues, and no non-symmetric square root to take).
 */
export const frechetDistance = (a: ArrayLike<number>, na: number, b: ArrayLike<number>, nb: number, d: number, stride = d, offset = 0): number => {
  const A = moments(a, na, d, stride, offset);
  const B = moments(b, nb, d, stride, offset);
  let dm = 0;
  for (let j = 0; j < d; j++) dm += (A.mean[j] - B.mean[j]) ** 2;
  const r = symmetricSqrt(A.cov);
  const inner = r.mmul(B.cov).mmul(r);
  const e = new EigenvalueDecomposition(inner.add(inner.transpose()).mul(0.5), { assumeSymmetric: true });
  const cross = e.realEigenvalues.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  const tr = A.cov.trace() + B.cov.trace() - 2 * cross;
  return Math.max(0, dm + tr);
};

export interface SampleQuality {
  readonly samples: number;
  readonly real: number;
  /** Share of samples (and of real held-out digits) classified with confidence ≥ 0.9. */
  readonly confident: number;
  readonly confidentReal: number;
  /** Entropy (nats) of the predicted-class histogram of the samples; log 10 ≈ 2.303 is uniform. */
  readonly classEntropy: number;
  readonly classEntropyReal: number;
  readonly frechet: number;
  readonly protocol: string;
}

/** The three figures for `samples` (rows of 784 pixels in [0, 1]) against `real` held-out digits. */
export const sampleQuality = async (clf: DigitClassifier, samples: Float32Array, n: number, real: Float32Array, nReal: number): Promise<SampleQuality> => {
  const w = FEATURES + CLASSES;
  const s = await clf.outputs(samples, n);
  const r = await clf.outputs(real, nReal);
  const ps = predictions(s, n, CLASSES, w, FEATURES);
  const pr = predictions(r, nReal, CLASSES, w, FEATURES);
  return {
    samples: n,
    real: nReal,
    confident: confidentShare(ps.confidence),
    confidentReal: confidentShare(pr.confidence),
    classEntropy: classEntropy(ps.label),
    classEntropyReal: classEntropy(pr.label),
    frechet: frechetDistance(s, n, r, nReal, FEATURES, w, 0),
    protocol: `${clf.protocol}; confident = softmax maximum ≥ ${CONFIDENT}; class entropy in nats (log 10 = ${Math.log(10).toFixed(3)} when every class is drawn equally often); Fréchet distance between Gaussians fitted to the classifier's ${FEATURES} penultimate ReLU features of the ${n} samples and of ${nReal} real held-out digits`,
  };
};
