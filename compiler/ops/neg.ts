import { negCt } from '../autodiff/lazyBroadcast';
import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

export const neg: OpDef<OpAttrs['neg']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Neg', [x]),
  vjp: ({ g }, dy) => [negCt(g, dy)],
  sample: unarySample('any'),
};
