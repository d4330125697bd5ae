import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

export const exp: OpDef<OpAttrs['exp']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Exp', [x]),
  vjp: ({ g, out }, dy) => [g.must('mul', [dy, out], {})],
  sample: unarySample('any'),
};
