// A cotangent that is only a broadcast (the adjoint of a sum: expandLike without mean axes) need
// not be materialised when its one use is an elementwise product with a full-shaped value: the
// product broadcasts the small value itself, element for element the same numbers, and the
// [B, …] Expand drops out of the graph (the Bernoulli loss's backward had one to [B, 784]).
import type { Builder } from '../ir/builder';
import type { Val } from '../ir/val';
import { sameShape } from '../ir/types';

/** The small value and the shape-giver of a pure broadcast, or null. */
const broadcastOf = (g: Builder, v: Val): { small: Val; like: Val } | null => {
  const n = g.node(v.id);
  if (n.tag !== 'expandLike' || (n.attrs as { meanAxes: readonly number[] }).meanAxes.length > 0) return null;
  return { small: g.val(n.inputs[0]), like: g.val(n.inputs[1]) };
};

/** dy · other, reading the broadcast's small value where `other` already has dy's shape. */
export const mulCt = (g: Builder, dy: Val, other: Val): Val => {
  const b = broadcastOf(g, dy);
  return g.must('mul', [b && sameShape(other.type.shape, dy.type.shape) ? b.small : dy, other], {});
};

/** −dy, kept a broadcast of the negated small value when dy is one. */
export const negCt = (g: Builder, dy: Val): Val => {
  const b = broadcastOf(g, dy);
  return b ? g.must('expandLike', [g.must('neg', [b.small], {}), b.like], { meanAxes: [] }) : g.must('neg', [dy], {});
};
