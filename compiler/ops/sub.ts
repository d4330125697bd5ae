import { negCt } from '../autodiff/lazyBroadcast';
import { sumToShape } from '../autodiff/unbroadcast';
import type { OpDef } from './def';
import { binarySample, inferBinary } from './elementwise';
import type { OpAttrs } from './tags';

export const sub: OpDef<OpAttrs['sub']> = {
  infer: inferBinary,
  lower: (e, [a, b]) => e.op('Sub', [a, b]),
  vjp: ({ g, inputs: [a, b] }, dy) => [
    sumToShape(g, dy, a.type.shape),
    sumToShape(g, negCt(g, dy), b.type.shape),
  ],
  sample: binarySample(),
};
