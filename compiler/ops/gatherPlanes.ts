import * as E from 'fp-ts/Either';
import { showType } from '../ir/types';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

// y[n, c, i, j] = x[n, c] flattened at idx[n, c, i, j] (plane indices from maxPoolIndices).
// The adjoint of maxUnpool2d: gather where unpooling scatters.
export const gatherPlanes: OpDef<OpAttrs['gatherPlanes']> = {
  infer: ([x, idx]) => {
    if (!x || !idx || x.shape.length !== 4 || idx.shape.length !== 4 || idx.dtype !== 'i64' || (x.dtype !== 'f32' && x.dtype !== 'f64'))
      return E.left(`expects x [N, C, H, W] and i64 indices [N, C, h, w], got ${x ? showType(x) : '?'} and ${idx ? showType(idx) : '?'}`);
    if (x.shape[0] !== idx.shape[0] || x.shape[1] !== idx.shape[1]) return E.left(`batch and channels differ: ${showType(x)} and ${showType(idx)}`);
    return E.right({ shape: idx.shape, dtype: x.dtype });
  },
  lower: (e, [x, idx], { out }) => {
    const flatX = e.op('Reshape', [x, e.int64s([0, 0, -1])]);
    const flatI = e.op('Reshape', [idx, e.int64s([0, 0, -1])]);
    const y = e.op('GatherElements', [flatX, flatI], { axis: { kind: 'int', v: 2 } });
    return e.op('Reshape', [y, e.int64s([0, 0, out.shape[2] as number, out.shape[3] as number])]);
  },
  vjp: ({ g, inputs: [x, idx] }, dy) => [g.must('maxUnpool2d', [dy, idx], { size: [x.type.shape[2] as number, x.type.shape[3] as number] }), null],
  sample: null,
};
