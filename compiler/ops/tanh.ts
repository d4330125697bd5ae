import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

export const tanh: OpDef<OpAttrs['tanh']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Tanh', [x]),
  vjp: ({ g, out }, dy) => {
    const d = g.must('sub', [g.scalar(1), g.must('mul', [out, out], {})], {});
    return [g.must('mul', [dy, d], {})];
  },
  sample: unarySample('any'),
};
