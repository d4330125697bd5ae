import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

export const sqrt: OpDef<OpAttrs['sqrt']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Sqrt', [x]),
  vjp: ({ g, out }, dy) => [g.must('div', [g.must('mul', [dy, g.scalar(0.5)], {}), out], {})],
  sample: unarySample('positive'),
};
