import { mulCt } from '../autodiff/lazyBroadcast';
import type { OpDef } from './def';
import { inferUnary, unarySample } from './elementwise';
import type { OpAttrs } from './tags';

// log(1 + e^x), lowered in the overflow-free form relu(x) + log(1 + e^-|x|), which every
// onnxruntime provider supports in f32 and f64 alike.
export const softplus: OpDef<OpAttrs['softplus']> = {
  infer: inferUnary,
  lower: (e, [x], { out }) => {
    const one = e.constant([1], [], out.dtype);
    const negAbs = e.op('Neg', [e.op('Abs', [x])]);
    const tail = e.op('Log', [e.op('Add', [one, e.op('Exp', [negAbs])])]);
    return e.op('Add', [e.op('Relu', [x]), tail]);
  },
  vjp: ({ g, inputs: [x] }, dy) => [mulCt(g, dy, g.must('sigmoid', [x], {}))],
  sample: unarySample('any'),
};
