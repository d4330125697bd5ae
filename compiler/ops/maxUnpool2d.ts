import * as E from 'fp-ts/Either';
import { showType } from '../ir/types';
import { isPosInt } from './convShapes';
import type { OpDef } from './def';
import { tensorProto } from '../onnx/emitter';
import type { OpAttrs } from './tags';

// y [N, C, h, w] placed at plane indices idx into zeros [N, C, H, W]; values sent to one place
// add up (ScatterElements with reduction add), so it is exactly the adjoint of gatherPlanes and
// the gradient of max pooling with overlapping windows. (ONNX MaxUnpool, f32 only in
// onnxruntime, overwrites instead.)
export const maxUnpool2d: OpDef<OpAttrs['maxUnpool2d']> = {
  infer: ([y, idx], { size }) => {
    if (!(size.length === 2 && size.every(isPosInt))) return E.left(`size must be two positive integers, got [${size.join(', ')}]`);
    if (!y || !idx || y.shape.length !== 4 || idx.dtype !== 'i64' || (y.dtype !== 'f32' && y.dtype !== 'f64') || idx.shape.length !== 4 || !idx.shape.every((d, i) => d === y.shape[i]))
      return E.left(`expects values [N, C, h, w] and i64 indices of the same shape, got ${y ? showType(y) : '?'} and ${idx ? showType(idx) : '?'}`);
    return E.right({ shape: [y.shape[0], y.shape[1], size[0], size[1]], dtype: y.dtype });
  },
  lower: (e, [y, idx], { attrs: { size }, out }) => {
    const nc = e.op('Slice', [e.op('Shape', [y]), e.int64s([0]), e.int64s([2])]);
    const shape = e.op('Concat', [nc, e.int64s([size[0] * size[1]])], { axis: { kind: 'int', v: 0 } });
    const zeros = e.op('ConstantOfShape', [shape], { value: { kind: 'tensor', v: tensorProto('zero', [0], [1], out.dtype) } });
    const flatY = e.op('Reshape', [y, e.int64s([0, 0, -1])]);
    const flatI = e.op('Reshape', [idx, e.int64s([0, 0, -1])]);
    const scattered = e.opN('ScatterElements', [zeros, flatI, flatY], 1, { axis: { kind: 'int', v: 2 }, reduction: { kind: 'string', v: 'add' } })[0];
    return e.op('Reshape', [scattered, e.int64s([0, 0, size[0], size[1]])]);
  },
  vjp: ({ g, inputs: [, idx] }, dy) => [g.must('gatherPlanes', [dy, idx], {}), null],
  sample: null,
};
