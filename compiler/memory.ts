// The train step's values and when each is alive, for the runtime's memory estimate. Shapes keep
// the symbolic batch 'B', so one compile serves every --batch; the runtime evaluates them.
import type { Graph } from './ir/graph';
import type { Val } from './ir/val';
import type { Shape } from './ir/types';
import { liveNodes } from './onnx/lower';

export interface LiveValue {
  readonly shape: Shape;
  /** Bytes per element (int64 indices, f32 or f64 floats, bool). */
  readonly elem: number;
  /** Node index that produces it and the last that reads it (outputs live to the end). */
  readonly from: number;
  readonly to: number;
  /** Combinator path of the producing node, to name the largest tensors. */
  readonly path: string;
}

const ELEM: Record<string, number> = { f64: 8, float64: 8, int64: 8, i64: 8, f32: 4, float32: 4, int32: 4, i32: 4, bool: 1 };

/**
 * Every computed value of the graph that the outputs need (graph inputs excluded: the runtime
 * counts parameters, optimizer state and fed batches itself), with its live interval in node order.
 */
export const liveValues = (g: Graph, outputs: readonly Val[]): LiveValue[] => {
  const live = liveNodes(g, outputs);
  const end = g.nodes.length;
  const last = new Map<number, number>();
  for (const n of g.nodes) if (live.has(n.id)) for (const i of n.inputs) last.set(i, Math.max(last.get(i) ?? 0, n.id));
  for (const o of outputs) last.set(o.id, end);
  return g.nodes
    .filter((n) => live.has(n.id) && n.tag !== 'input')
    .map((n) => ({ shape: n.type.shape, elem: ELEM[n.type.dtype] ?? 4, from: n.id, to: last.get(n.id) ?? n.id, path: n.path }));
};
