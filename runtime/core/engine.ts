// The onnxruntime a trainer drives, chosen by its caller: onnxruntime-node through host/session.ts
// (providers, threads, fallbacks), onnxruntime-web on the page. Both satisfy onnxruntime-common's
// types, so the trainers here never import a binding and run in either.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { FloatArray } from './init';
import type { NoiseAhead } from './noiseStacks';

export type { InferenceSession, Tensor };

export interface OpenedGraph {
  readonly session: InferenceSession;
  /** The execution provider the session runs on (after any fallback). */
  readonly provider: string;
}

export interface Engine {
  readonly Tensor: typeof Tensor;
  /** Opens one graph; `provider` pins the one an earlier session of the same trainer ended up on. */
  open(bytes: Uint8Array, provider?: string): Promise<OpenedGraph>;
  /** Where the host can draw a fused call's noise while the previous call runs (host/noiseAhead.ts); absent: drawn in line. */
  readonly noiseAhead?: () => NoiseAhead;
}

export const ortType = (dtype: 'f32' | 'f64') => (dtype === 'f64' ? 'float64' : 'float32');

/** A tensor of the graph's dtype; f32 data for an f64 graph (numerical checks) is converted. */
export const floatTensor = (engine: Engine, dtype: 'f32' | 'f64', data: FloatArray, dims: readonly number[]): Tensor =>
  new engine.Tensor(ortType(dtype), dtype === 'f64' && data instanceof Float32Array ? Float64Array.from(data) : data, [...dims]);
