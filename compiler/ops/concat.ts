import * as E from 'fp-ts/Either';
import { showType, type Dim, type Shape } from '../ir/types';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

export const concat: OpDef<OpAttrs['concat']> = {
  infer: (ins, { axis }) => {
    if (ins.length === 0) return E.left('needs at least one input');
    const [first] = ins;
    const rank = first.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    if (ax < 0 || ax >= rank) return E.left(`axis ${axis} out of range for ${showType(first)}`);
    const bad = ins.find(
      (t) => t.dtype !== first.dtype || t.shape.length !== rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i]),
    );
    if (bad) return E.left(`cannot concatenate ${showType(first)} and ${showType(bad)} on axis ${axis}`);
    if (ins.some((t) => t.shape[ax] === 'B')) return E.left('cannot concatenate along the batch dimension');
    const size = ins.reduce((s, t) => s + (t.shape[ax] as number), 0);
    return E.right({ shape: first.shape.map((d, i): Dim => (i === ax ? size : d)), dtype: first.dtype });
  },
  lower: (e, ins, { attrs: { axis } }) => e.op('Concat', ins, { axis: { kind: 'int', v: axis } }),
  vjp: ({ g, inputs, attrs: { axis } }, dy) => {
    let start = 0;
    return inputs.map((x) => {
      const ax = axis < 0 ? axis + x.type.shape.length : axis;
      const len = x.type.shape[ax] as number;
      const piece = g.must('slice', [dy], { axis: ax, start, end: start + len });
      start += len;
      return piece;
    });
  },
  sample: (pick) => ({
    shapes: [0, 1, 2].slice(0, pick(2, 3)).map((): Shape => ['B', pick(1, 3)]),
    attrs: { axis: 1 },
    domains: ['any', 'any', 'any'],
  }),
};
