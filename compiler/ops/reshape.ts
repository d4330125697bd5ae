import * as E from 'fp-ts/Either';
import { showShape, showType, type Shape } from '../ir/types';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

const staticProduct = (s: Shape) => s.reduce<number>((a, d) => (d === 'B' ? a : a * d), 1);
const batchCount = (s: Shape) => s.filter((d) => d === 'B').length;

// The batch dimension is carried as -1 in ONNX: there is at most one unknown size.
export const reshape: OpDef<OpAttrs['reshape']> = {
  infer: ([x], { shape }) =>
    staticProduct(x.shape) === staticProduct(shape) &&
    batchCount(x.shape) === batchCount(shape) &&
    batchCount(shape) <= 1 &&
    shape.every((d) => d === 'B' || (Number.isInteger(d) && d > 0))
      ? E.right({ shape, dtype: x.dtype })
      : E.left(`cannot reshape ${showType(x)} to ${showShape(shape)}`),
  lower: (e, [x], { attrs: { shape } }) => e.op('Reshape', [x, e.int64s(shape.map((d) => (d === 'B' ? -1 : d)))]),
  vjp: ({ g, inputs: [x] }, dy) => [g.must('reshape', [dy], { shape: x.type.shape })],
  sample: (pick) => {
    const a = pick(1, 3);
    const b = pick(1, 3);
    return { shapes: [['B', a, b]], attrs: { shape: ['B', a * b] }, domains: ['any'] };
  },
};
