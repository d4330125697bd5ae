import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

export const log: OpDef<OpAttrs['log']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Log', [x]),
  vjp: ({ g, inputs: [x] }, dy) => [g.must('div', [dy, x], {})],
  sample: unarySample('positive'),
};
