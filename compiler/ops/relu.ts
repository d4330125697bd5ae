import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

// Convention at the kink: relu'(0) = 0 (the gradient flows only where x > 0), as in PyTorch.
// The mask reads the ReLU's output (relu(x) > 0 exactly where x > 0): the product before it then
// has the ReLU as its one consumer, which onnxruntime needs to fuse the two (FusedGemm).
export const relu: OpDef<OpAttrs['relu']> = {
  infer: inferUnary,
  lower: (e, [x]) => e.op('Relu', [x]),
  vjp: ({ g, out }, dy) => {
    const positive = g.must('greater', [out, g.scalar(0)], {});
    return [g.must('where', [positive, dy, g.scalar(0)], {})];
  },
  sample: unarySample('awayFromZero'),
};
