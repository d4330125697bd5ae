// What an op's VJP (and any helper it calls) may do to a graph: apply primitives whose shapes the
// compiler guarantees, make constants, and read the node behind a value. ir/graph.ts's Graph is
// one; the ops see nothing more.
import type { OpAttrs, OpTag } from '../ops/tags';
import type { DType, FloatDType, Shape } from './types';
import type { Node, Val } from './val';

export interface Builder {
  /** The float type of every parameter, input and constant in the graph. */
  readonly dtype: FloatDType;
  must<K extends OpTag>(tag: K, inputs: readonly Val[], attrs: OpAttrs[K], path?: string): Val;
  constant(values: readonly number[], shape?: Shape, dtype?: DType): Val;
  scalar(x: number): Val;
  /** The node that made a value, and the value a node id names: what a VJP may read of the graph. */
  node(id: number): Node;
  val(id: number): Val;
}
