import * as E from 'fp-ts/Either';
import { showType, type Dim } from '../ir/types';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

// x[start:end] along one non-batch axis. The VJP pads with zeros by concatenation.
export const slice: OpDef<OpAttrs['slice']> = {
  infer: ([x], { axis, start, end }) => {
    const ax = axis < 0 ? axis + x.shape.length : axis;
    const size = x.shape[ax];
    if (size === undefined || size === 'B') return E.left(`cannot slice ${showType(x)} along axis ${axis}`);
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= size))
      return E.left(`slice [${start}, ${end}) out of range for axis ${axis} of ${showType(x)}`);
    return E.right({ shape: x.shape.map((d, i): Dim => (i === ax ? end - start : d)), dtype: x.dtype });
  },
  lower: (e, [x], { attrs: { axis, start, end } }) => e.op('Slice', [x, e.int64s([start]), e.int64s([end]), e.int64s([axis])]),
  vjp: ({ g, inputs: [x], attrs: { axis, start, end } }, dy) => {
    const ax = axis < 0 ? axis + x.type.shape.length : axis;
    const size = x.type.shape[ax] as number;
    const zerosLike = (from: number, to: number) =>
      g.must('expandLike', [g.scalar(0), g.must('slice', [x], { axis: ax, start: from, end: to })], { meanAxes: [] });
    const parts = [...(start > 0 ? [zerosLike(0, start)] : []), dy, ...(end < size ? [zerosLike(end, size)] : [])];
    return [parts.length === 1 ? dy : g.must('concat', parts, { axis: ax })];
  },
  sample: (pick) => {
    const n = pick(2, 6);
    const start = pick(0, n - 1);
    return { shapes: [['B', n]], attrs: { axis: 1, start, end: pick(start + 1, n) }, domains: ['any'] };
  },
};
