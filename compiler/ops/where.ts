import * as E from 'fp-ts/Either';
import { sumToShape } from '../autodiff/unbroadcast';
import { broadcastShapes } from '../ir/broadcast';
import { showType } from '../ir/types';
import type { OpDef } from './def';
import { inferBinary } from './elementwise';
import type { OpAttrs } from './tags';

export const where: OpDef<OpAttrs['where']> = {
  infer: ([c, a, b]) => {
    if (!c || c.dtype !== 'bool') return E.left(`condition must be bool, got ${c ? showType(c) : 'nothing'}`);
    const ab = inferBinary([a, b]);
    if (E.isLeft(ab)) return ab;
    return E.map((shape: readonly import('../ir/types').Dim[]) => ({ shape, dtype: ab.right.dtype }))(broadcastShapes(c.shape, ab.right.shape));
  },
  lower: (e, [c, a, b]) => e.op('Where', [c, a, b]),
  vjp: ({ g, inputs: [c, a, b] }, dy) => {
    const zero = g.scalar(0);
    return [
      null,
      sumToShape(g, g.must('where', [c, dy, zero], {}), a.type.shape),
      sumToShape(g, g.must('where', [c, zero, dy], {}), b.type.shape),
    ];
  },
  sample: null,
};
