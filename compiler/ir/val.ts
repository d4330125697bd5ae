// A value in a graph under construction (its node's id and its type) and the node that made it. A
// module of its own, so that the ops (which take and return values) and the graph (which applies
// the ops) never import each other.
import type { OpAttrs, OpTag } from '../ops/tags';
import type { TensorType } from './types';

export interface Val {
  readonly id: number;
  readonly type: TensorType;
}

export interface Node<K extends OpTag = OpTag> {
  readonly id: number;
  readonly tag: K;
  readonly inputs: readonly number[];
  readonly attrs: OpAttrs[K];
  readonly type: TensorType;
  /** Combinator path that created the node; used in messages and readable ONNX names. */
  readonly path: string;
}
