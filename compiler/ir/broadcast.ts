// Numpy-style broadcasting over shapes with a symbolic batch dimension.
import * as E from 'fp-ts/Either';
import { BATCH, showShape, type Dim, type Shape } from './types';

/** Broadcast two shapes, aligned on the right; `B` meets only `B` or 1. */
export const broadcastShapes = (a: Shape, b: Shape): E.Either<string, Shape> => {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else return E.left(`cannot broadcast ${showShape(a)} with ${showShape(b)}`);
  }
  return E.right(out);
};

/** Axes of `out` that were broadcast from `from` (so a gradient must be summed over them). */
export const broadcastAxes = (from: Shape, out: Shape): number[] => {
  const lead = out.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (i < lead) axes.push(i);
    else if (from[i - lead] === 1 && out[i] !== 1) axes.push(i);
  }
  return axes;
};

export const hasBatch = (s: Shape): boolean => s.includes(BATCH);

/** Resolve negative axes and check they are in range and distinct. */
export const normaliseAxes = (axes: readonly number[], rank: number): E.Either<string, number[]> => {
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  if (out.some((a) => a < 0 || a >= rank)) return E.left(`axes [${axes.join(', ')}] out of range for rank ${rank}`);
  if (new Set(out).size !== out.length) return E.left(`repeated axes [${axes.join(', ')}]`);
  return E.right(out.sort((x, y) => x - y));
};
