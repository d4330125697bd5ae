// A tiny model (one 2×2 MatMul, inputs a and b) for trying a provider before anything is written.
import { Graph } from '../../../compiler/ir/graph';
import { lowerToBytes } from '../../../compiler/onnx/lower';

export const probeModel = (): Uint8Array => {
  const g = new Graph('f32');
  const a = g.input('a', [2, 2], 'data');
  const b = g.input('b', [2, 2], 'data');
  if (a._tag === 'Left' || b._tag === 'Left') throw new Error('probe graph');
  return lowerToBytes(g, [{ name: 'c', val: g.must('matmul', [a.right, b.right], {}) }], { graphName: 'probe' });
};
