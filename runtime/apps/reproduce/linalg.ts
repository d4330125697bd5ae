// Dense linear algebra for the reproductions: Aᵀ·B through onnxruntime (a two-node f64 graph, so
// the 8000 × 784 Gram matrix takes a BLAS call, not minutes of JavaScript), the top eigenpairs of
// a covariance by subspace iteration with Rayleigh–Ritz (ml-matrix for the small eigenproblem),
// and principal angles between subspaces (runtime/analysis/eval's).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { principalAngles as anglesBetween } from '../../analysis/eval/pca';
import * as ort from '../../host/providers/ort';
import { onnx } from '../../../compiler/onnx/emitter';
import { serialise } from '../../../compiler/onnx/lower';

const sessions = new Map<boolean, Promise<ort.InferenceSession>>();

/** C = op(A)·B with op(A) = Aᵀ (transposeA) or A, f64, every dimension symbolic. */
const matmulModel = (transposeA: boolean): Uint8Array => {
  const T = onnx.TensorProto.DataType.DOUBLE;
  const info = (name: string, dims: string[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: T, shape: { dim: dims.map((d) => ({ dimParam: d })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'tmatmul',
    node: transposeA
      ? [
          onnx.NodeProto.create({ opType: 'Transpose', input: ['A'], output: ['At'], name: 'transpose', attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0] }] }),
          onnx.NodeProto.create({ opType: 'MatMul', input: ['At', 'B'], output: ['C'], name: 'matmul' }),
        ]
      : [onnx.NodeProto.create({ opType: 'MatMul', input: ['A', 'B'], output: ['C'], name: 'matmul' })],
    input: [info('A', transposeA ? ['k', 'm'] : ['m', 'k']), info('B', ['k', 'n'])],
    output: [info('C', ['m', 'n'])],
  });
  return serialise(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'hourglass', graph }));
};

/** Aᵀ·B for row-major A [k, m] and B [k, n]: a row-major [m, n] Float64Array. */
export const tMatmul = async (a: ArrayLike<number>, k: number, m: number, b: ArrayLike<number>, n: number): Promise<Float64Array> => {
  const res = await (await open(true)).run({ A: new ort.Tensor('float64', Float64Array.from(a), [k, m]), B: new ort.Tensor('float64', Float64Array.from(b), [k, n]) });
  return res.C.data as Float64Array;
};

const open = (transposeA: boolean): Promise<ort.InferenceSession> => {
  let s = sessions.get(transposeA);
  if (!s) {
    s = ort.InferenceSession.create(matmulModel(transposeA), { logSeverityLevel: 3 });
    sessions.set(transposeA, s);
  }
  return s;
};

/** Mean and covariance (divided by n) of the rows of x [n, d]. */
export const covariance = async (x: ArrayLike<number>, n: number, d: number): Promise<{ mean: Float64Array; cov: Float64Array }> => {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const c = Float64Array.from(x, (v, i) => v - mean[i % d]);
  const cov = await tMatmul(c, n, d, c, d);
  for (let i = 0; i < cov.length; i++) cov[i] /= n;
  return { mean, cov };
};

/** Orthonormalise the columns of V [d, k] (modified Gram–Schmidt, twice for stability). */
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

export interface Eigen {
  /** Decreasing. */
  readonly values: Float64Array;
  /** Columns: row-major [d, k]. */
  readonly vectors: Float64Array;
  readonly k: number;
}

/**
 * The top `k` eigenpairs of a symmetric PSD matrix C [d, d]: subspace iteration on a block of
 * `block` > k vectors (its convergence rate is λ_block / λ_k, not the small gap λ_k / λ_{k+1}),
 * then Rayleigh–Ritz.
 */
export const topEigen = async (c: Float64Array, d: number, k: number, iterations = 60, block = Math.min(d, 2 * k + 24)): Promise<Eigen> => {
  let v: Float64Array = new Float64Array(d * block);
  for (let i = 0; i < v.length; i++) v[i] = Math.sin(1 + i * 0.7331) + Math.cos(i * 0.193);
  v = orthonormalColumns(v, d, block);
  for (let it = 0; it < iterations; it++) v = orthonormalColumns(await tMatmul(c, d, d, v, block), d, block); // C symmetric: Cᵀ·V = C·V
  const cv = await tMatmul(c, d, d, v, block);
  const h = await tMatmul(v, d, block, cv, block);
  const H = new Matrix(block, block);
  for (let a = 0; a < block; a++) for (let b = 0; b < block; b++) H.set(a, b, 0.5 * (h[a * block + b] + h[b * block + a]));
  const e = new EigenvalueDecomposition(H, { assumeSymmetric: true });
  const order = e.realEigenvalues.map((val, i) => [val, i] as const).sort((x, y) => y[0] - x[0]);
  const W = e.eigenvectorMatrix;
  const values = Float64Array.from(order.slice(0, k), ([val]) => val);
  const vectors = new Float64Array(d * k);
  for (let i = 0; i < d; i++)
    for (let a = 0; a < k; a++) {
      const col = order[a][1];
      let s = 0;
      for (let b = 0; b < block; b++) s += v[i * block + b] * W.get(b, col);
      vectors[i * k + a] = s;
    }
  return { values, vectors, k };
};

/** Principal angles (degrees, increasing) between the column spans of A [d, p] and B [d, q] (runtime/analysis/eval's). */
export const principalAngles = (a: Float64Array, p: number, b: Float64Array, q: number, d: number): number[] =>
  anglesBetween(Matrix.from1DArray(d, p, a), Matrix.from1DArray(d, q, b));
