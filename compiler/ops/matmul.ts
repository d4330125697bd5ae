import * as E from 'fp-ts/Either';
import { showType } from '../ir/types';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

// [m, k] x [k, n] -> [m, n]. m may be the batch, and so may k (the weight gradient sums over it).
export const matmul: OpDef<OpAttrs['matmul']> = {
  infer: ([a, b]) => {
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.dtype !== b.dtype)
      return E.left(`expects two rank-2 tensors of one dtype, got ${showType(a)} and ${showType(b)}`);
    if (a.shape[1] !== b.shape[0])
      return E.left(`inner dimensions differ: ${showType(a)} x ${showType(b)}`);
    return E.right({ shape: [a.shape[0], b.shape[1]], dtype: a.dtype });
  },
  lower: (e, [a, b]) => e.op('MatMul', [a, b]),
  vjp: ({ g, inputs: [a, b] }, dy) => [
    g.must('matmul', [dy, g.must('transpose', [b], { perm: [1, 0] })], {}),
    g.must('matmul', [g.must('transpose', [a], { perm: [1, 0] }), dy], {}),
  ],
  sample: (pick) => {
    const k = pick(1, 5);
    return { shapes: [['B', k], [k, pick(1, 5)]], attrs: {}, domains: ['any', 'any'] };
  },
};
