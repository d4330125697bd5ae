import { sumToShape } from '../autodiff/unbroadcast';
import type { OpDef } from './def';
import { binarySample, inferBinary } from './elementwise';
import type { OpAttrs } from './tags';

// d(a/b)/db = -(a/b)/b, reusing the primal output.
export const div: OpDef<OpAttrs['div']> = {
  infer: inferBinary,
  lower: (e, [a, b]) => e.op('Div', [a, b]),
  vjp: ({ g, inputs: [a, b], out }, dy) => {
    const da = g.must('div', [dy, b], {});
    const db = g.must('neg', [g.must('mul', [da, out], {})], {});
    return [sumToShape(g, da, a.type.shape), sumToShape(g, db, b.type.shape)];
  },
  sample: binarySample('awayFromZero'),
};
