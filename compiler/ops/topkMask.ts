import * as E from 'fp-ts/Either';
import { showType } from '../ir/types';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

// 1 at the k largest entries of each row (last axis), 0 elsewhere. Ties: the lower index wins
// (ONNX TopK's documented order). The mask is piecewise constant, so it has no gradient;
// sparsify = x * mask therefore back-propagates through the support only.
export const topkMask: OpDef<OpAttrs['topkMask']> = {
  infer: ([x], { k }) => {
    const n = x.shape[x.shape.length - 1];
    if (n === undefined || n === 'B') return E.left(`needs a last axis of fixed size, got ${showType(x)}`);
    if (!Number.isInteger(k) || k < 1 || k > n) return E.left(`k = ${k} must be an integer in [1, ${n}] for ${showType(x)}`);
    return E.right(x);
  },
  lower: (e, [x], { attrs: { k }, out }) => {
    const [, indices] = e.opN('TopK', [x, e.int64s([k])], 2, { axis: { kind: 'int', v: -1 }, largest: { kind: 'int', v: 1 }, sorted: { kind: 'int', v: 1 } });
    const zero = e.op('ConstantOfShape', [e.op('Shape', [x])], { value: { kind: 'tensor', v: zeroTensor(out.dtype) } });
    const ones = e.op('Expand', [e.constant([1], [], out.dtype), e.op('Shape', [indices])]);
    return e.op('ScatterElements', [zero, indices, ones], { axis: { kind: 'int', v: -1 } });
  },
  vjp: 'none',
  sample: (pick) => {
    const n = pick(1, 6);
    return { shapes: [['B', n]], attrs: { k: pick(1, n) }, domains: ['any'] };
  },
};

import { tensorProto } from '../onnx/emitter';
const zeroTensor = (dtype: 'f32' | 'f64' | 'bool' | 'i64') => tensorProto('zero', [0], [1], dtype);
