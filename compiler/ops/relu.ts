import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

// Convention at the kink: relu'(0) = 0 (the gradient flows only where x > 0), as in PyTorch.
export const relu: OpDef<OpAttrs['relu']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Relu', [x]),
  vjp: ({ g, inputs: [x] }, dy) => {
    const positive = g.must('greater', [x, g.scalar(0)], {});
    return [g.must('where', [positive, dy, g.scalar(0)], {})];
  },
  sample: unarySample('awayFromZero'),
};
