// Rows through one of a run's graphs (exported, or compiled and fed the run's weights), in
// batches: the one runner behind `hourglass encode`, the figures, evaluation and the library's
// openRun. Each output comes back concatenated over the rows, in the graph's float type.
import type { FloatArray } from '../core/init';
import type { Rng } from '../core/random';
import * as ort from '../host/providers/ort';

export interface BatchedRun {
  /** The graph's float type: inputs are converted to it, outputs come back in it. */
  readonly dtype: 'f32' | 'f64';
  /** Name and per-row shape of the input the rows feed. */
  readonly input: string;
  readonly shape: readonly number[];
  /** Inputs every batch takes as they are (a compiled graph's weights). */
  readonly fixed?: Readonly<Record<string, ort.Tensor>>;
  /** Noise inputs drawn per row from `rng` (N(0, I)), batch after batch. */
  readonly noise?: { readonly rng: Rng; readonly inputs: readonly { readonly name: string; readonly shape: readonly number[] }[] };
  /** Rows per onnxruntime call (default 1000). */
  readonly batch?: number;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const typed = (dtype: 'f32' | 'f64', n: number): FloatArray => (dtype === 'f64' ? new Float64Array(n) : new Float32Array(n));
const asType = (dtype: 'f32' | 'f64', x: ArrayLike<number>): FloatArray =>
  dtype === 'f64' ? (x instanceof Float64Array ? x : Float64Array.from(x)) : x instanceof Float32Array ? x : Float32Array.from(x);

export const runBatched = async (session: ort.InferenceSession, r: BatchedRun, x: FloatArray, n: number): Promise<Record<string, FloatArray>> => {
  const rowIn = size(r.shape);
  if (x.length < n * rowIn) throw new RangeError(`${n} rows of [${r.shape.join(', ')}] need ${n * rowIn} values, got ${x.length}`);
  const type = r.dtype === 'f64' ? 'float64' : 'float32';
  const batch = r.batch ?? 1000;
  const outs: Record<string, FloatArray> = {};
  for (let i = 0; i < n; i += batch) {
    const b = Math.min(batch, n - i);
    const feeds: Record<string, ort.Tensor> = { ...r.fixed, [r.input]: new ort.Tensor(type, asType(r.dtype, x.subarray(i * rowIn, (i + b) * rowIn)), [b, ...r.shape]) };
    for (const nz of r.noise?.inputs ?? []) {
      const eps = typed(r.dtype, b * size(nz.shape));
      r.noise!.rng.fillNormal(eps);
      feeds[nz.name] = new ort.Tensor(type, eps, [b, ...nz.shape]);
    }
    const res = await session.run(feeds);
    for (const [k, v] of Object.entries(res)) {
      const data = v.data as FloatArray;
      const per = data.length / b;
      outs[k] ??= typed(r.dtype, Math.round(per * n));
      outs[k].set(data, i * per);
    }
  }
  return outs;
};

/** An output as Float32Array (a copy only where the graph is f64). */
export const asF32 = (a: FloatArray): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));
