import * as E from 'fp-ts/Either';
import type { OpDef } from './def';
import { inferUnary, sampleShape } from './elementwise';
import type { OpAttrs } from './tags';

// x^p for a constant p. Non-integer p needs x > 0; that is the caller's contract.
export const powc: OpDef<OpAttrs['powc']> = {
  infer: (ins, { p }) => (Number.isFinite(p) ? inferUnary(ins) : E.left(`exponent must be finite, got ${p}`)),
  lower: (e, [x], { attrs: { p }, out }) =>
    p === 2 ? e.op('Mul', [x, x]) : e.op('Pow', [x, e.constant([p], [], out.dtype)]),
  vjp: ({ g, inputs: [x], attrs: { p } }, dy) => {
    const dpow = p === 2 ? g.must('mul', [x, g.scalar(2)], {}) : g.must('mul', [g.must('powc', [x], { p: p - 1 }), g.scalar(p)], {});
    return [g.must('mul', [dy, dpow], {})];
  },
  sample: (pick) => ({ shapes: [sampleShape(pick)], attrs: { p: [2, 3, 0.5, -1, 1.5][pick(0, 4)] }, domains: ['positive'] }),
};
