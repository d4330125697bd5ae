// Run an IR graph through ONNX emission and onnxruntime (CPU), for tests.
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../compiler/ir/graph';
import { lowerToBytes, type NamedVal } from '../../compiler/onnx/lower';

export type Feeds = Record<string, { data: Float64Array | Float32Array | Uint8Array; dims: number[] }>;

export const sessionFor = async (g: Graph, outputs: readonly NamedVal[]): Promise<ort.InferenceSession> =>
  ort.InferenceSession.create(lowerToBytes(g, outputs, { graphName: 'test', inputs: g.inputs.map((i) => i.name) }), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
  });

const ortType = (data: Feeds[string]['data']) => (data instanceof Float64Array ? 'float64' : data instanceof Float32Array ? 'float32' : 'bool');

export const run = async (session: ort.InferenceSession, feeds: Feeds): Promise<Record<string, Float64Array>> => {
  const input = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor(ortType(v.data), v.data, v.dims)]));
  const out = await session.run(input);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float64Array.from(t.data as ArrayLike<number>)]));
};
