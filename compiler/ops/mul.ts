import { mulCt } from '../autodiff/lazyBroadcast';
import { sumToShape } from '../autodiff/unbroadcast';
import type { OpDef } from './def';
import { binarySample, inferBinary } from './elementwise';
import type { OpAttrs } from './tags';

export const mul: OpDef<OpAttrs['mul']> = {
  infer: inferBinary,
  lower: (e, [a, b]) => e.op('Mul', [a, b]),
  vjp: ({ g, inputs: [a, b] }, dy) => [
    sumToShape(g, mulCt(g, dy, b), a.type.shape),
    sumToShape(g, mulCt(g, dy, a), b.type.shape),
  ],
  sample: binarySample(),
};
