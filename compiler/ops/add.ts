import { sumToShape } from '../autodiff/unbroadcast';
import type { OpDef } from './def';
import { binarySample, inferBinary } from './elementwise';
import type { OpAttrs } from './tags';

export const add: OpDef<OpAttrs['add']> = {
  infer: inferBinary,
  lower: (e, [a, b]) => e.op('Add', [a, b]),
  vjp: ({ g, inputs: [a, b] }, dy) => [sumToShape(g, dy, a.type.shape), sumToShape(g, dy, b.type.shape)],
  sample: binarySample(),
};
