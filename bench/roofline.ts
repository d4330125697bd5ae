// The machine's matrix-multiply rate in onnxruntime: a large f32 sgemm, in GFLOP/s. 2048³ (not
// 1024³, where per-call costs still show) and the best of the repetitions: a roofline is a peak.
import * as ort from 'onnxruntime-node';
import { Graph } from '../compiler/ir/graph';
import { lowerToBytes } from '../compiler/onnx/lower';

export const sgemmGflops = async (threads: number, n = 2048, reps = 10): Promise<number> => {
  const g = new Graph('f32');
  const a = g.input('a', [n, n], 'data');
  const b = g.input('b', [n, n], 'data');
  if (a._tag === 'Left' || b._tag === 'Left') throw new Error('roofline graph');
  const out = g.must('matmul', [a.right, b.right], {});
  const s = await ort.InferenceSession.create(lowerToBytes(g, [{ name: 'c', val: out }], { graphName: 'sgemm' }), {
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
  });
  const x = new ort.Tensor('float32', new Float32Array(n * n).fill(0.5), [n, n]);
  for (let i = 0; i < 3; i++) await s.run({ a: x, b: x });
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await s.run({ a: x, b: x });
    times.push((performance.now() - t0) / 1000);
  }
  return (2 * n ** 3) / Math.min(...times) / 1e9;
};
