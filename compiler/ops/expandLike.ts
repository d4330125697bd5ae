import * as E from 'fp-ts/Either';
import { broadcastShapes, broadcastAxes } from '../ir/broadcast';
import { sameShape, showType } from '../ir/types';
import { sumToShape } from '../autodiff/unbroadcast';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

// Broadcast x to the (possibly batch-sized) shape of `like`, optionally dividing by the number
// of elements along `meanAxes` of `like` (the adjoint of a mean). `like` gives only its shape.
export const expandLike: OpDef<OpAttrs['expandLike']> = {
  infer: ([x, like], { meanAxes }) => {
    const b = broadcastShapes(x.shape, like.shape);
    if (E.isLeft(b)) return b;
    if (!sameShape(b.right, like.shape)) return E.left(`cannot expand ${showType(x)} to ${showType(like)}`);
    if (meanAxes.some((a) => a < 0 || a >= like.shape.length)) return E.left(`mean axes out of range`);
    return E.right({ shape: like.shape, dtype: x.dtype });
  },
  lower: (e, [x, like], { attrs: { meanAxes }, out }) => {
    const shape = e.op('Shape', [like]);
    const expanded = e.op('Expand', [x, shape]);
    if (meanAxes.length === 0) return expanded;
    // The count as a float sum of ones, not Cast(ReduceProd(Gather(shape))): onnxruntime runs
    // integer arithmetic on a shape on the CPU, which would take a CUDA step off the device.
    // The sum is exact (counts < 2^24) and equals the product.
    const ones = e.op('Expand', [e.constant([1], [], out.dtype), shape]);
    const count = e.op('ReduceSum', [ones, e.int64s(meanAxes)], { keepdims: { kind: 'int', v: 1 } });
    return e.op('Div', [expanded, count]);
  },
  vjp: ({ g, inputs: [x, like], attrs: { meanAxes } }, dy) => {
    const axes = broadcastAxes(x.type.shape, like.type.shape);
    const sameAxes = meanAxes.length === 0 || (axes.length === meanAxes.length && axes.every((a, i) => a === meanAxes[i]));
    if (!sameAxes) throw new Error('compiler bug: expandLike vjp with mean axes that were not broadcast');
    const summed =
      meanAxes.length === 0
        ? sumToShape(g, dy, x.type.shape)
        : g.must('reshape', [g.must('reduceMean', [dy], { axes: meanAxes, keepdims: true })], { shape: x.type.shape });
    return [summed, null];
  },
  sample: (pick) => {
    const n = pick(1, 4);
    return { shapes: [[1, n], ['B', n]], attrs: { meanAxes: pick(0, 1) ? [0] : [] }, domains: ['any', 'any'] };
  },
};
