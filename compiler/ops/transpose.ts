import * as E from 'fp-ts/Either';
import { showType } from '../ir/types';
import type { OpDef } from './def';
import { sampleShape } from './elementwise';
import type { OpAttrs } from './tags';

const isPermutation = (perm: readonly number[], rank: number) =>
  perm.length === rank && [...perm].sort((a, b) => a - b).every((p, i) => p === i);

export const transpose: OpDef<OpAttrs['transpose']> = {
  infer: ([x], { perm }) =>
    isPermutation(perm, x.shape.length)
      ? E.right({ shape: perm.map((p) => x.shape[p]), dtype: x.dtype })
      : E.left(`perm [${perm.join(', ')}] is not a permutation of the axes of ${showType(x)}`),
  lower: (e, [x], { attrs: { perm } }) => e.op('Transpose', [x], { perm: { kind: 'ints', v: perm } }),
  vjp: ({ g, attrs: { perm } }, dy) => {
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [g.must('transpose', [dy], { perm: inverse })];
  },
  sample: (pick) => {
    const s = sampleShape(pick, pick(2, 3));
    const perm = s.map((_, i) => i).reverse();
    return { shapes: [s], attrs: { perm }, domains: ['any'] };
  },
};
