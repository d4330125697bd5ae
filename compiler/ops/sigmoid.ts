import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

export const sigmoid: OpDef<OpAttrs['sigmoid']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Sigmoid', [x]),
  vjp: ({ g, out }, dy) => {
    const oneMinus = g.must('sub', [g.scalar(1), out], {});
    return [g.must('mul', [dy, g.must('mul', [out, oneMinus], {})], {})];
  },
  sample: unarySample('any'),
};
