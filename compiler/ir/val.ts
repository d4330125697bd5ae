// A value in a graph under construction: its node's id and its type. A module of its own, so that
// the ops (which take and return values) and the graph (which applies the ops) never import each other.
import type { TensorType } from './types';

export interface Val {
  readonly id: number;
  readonly type: TensorType;
}
