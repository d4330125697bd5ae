import * as E from 'fp-ts/Either';
import { showType } from '../ir/types';
import { convWeightGrad } from './conv2d';
import { badConvAttrs, convTransposeOut, isNatural, lowerConvTransposeIm2col, sameDim } from './convShapes';
import type { OpDef } from './def';
import type { OpAttrs, Pair } from './tags';

// x [N, O, h, w] with w [O, C, kh, kw] -> [N, C, H, W]: the adjoint of conv2d(·, w) with the same
// attributes (ONNX ConvTranspose). The output padding (< stride) adds rows at the bottom/right.
export const convTranspose2d: OpDef<OpAttrs['convTranspose2d']> = {
  infer: ([x, w], attrs) => {
    const bad = badConvAttrs(attrs);
    if (bad) return E.left(bad);
    const op = attrs.outputPadding;
    if (!(op.length === 2 && op.every(isNatural) && op[0] < attrs.stride[0] && op[1] < attrs.stride[1]))
      return E.left(`outputPadding must be two integers ≥ 0 and below the stride [${attrs.stride.join(', ')}], got [${op.join(', ')}]`);
    if (!x || !w || x.shape.length !== 4 || w.shape.length !== 4 || x.dtype !== w.dtype || (x.dtype !== 'f32' && x.dtype !== 'f64'))
      return E.left(`expects x [N, O, h, w] and w [O, C, kh, kw] of one float dtype, got ${x ? showType(x) : '?'} and ${w ? showType(w) : '?'}`);
    const [n, o, h, wd] = x.shape;
    const [o2, c, kh, kw] = w.shape;
    if (!sameDim(o, o2)) return E.left(`input channels differ: x ${showType(x)}, w ${showType(w)}`);
    if ([h, wd, kh, kw].some((d) => d === 'B')) return E.left(`spatial sizes must be static, got x ${showType(x)}, w ${showType(w)}`);
    const ho = convTransposeOut(h as number, kh as number, attrs.stride[0], attrs.pads[0], attrs.pads[2], attrs.dilation[0], op[0]);
    const wo = convTransposeOut(wd as number, kw as number, attrs.stride[1], attrs.pads[1], attrs.pads[3], attrs.dilation[1], op[1]);
    if (ho < 1 || wo < 1) return E.left(`pads [${attrs.pads.join(', ')}] crop ${showType(x)} to nothing`);
    return E.right({ shape: [n, c, ho, wo], dtype: x.dtype });
  },
  lower: (e, [x, w], { attrs, inTypes, out }) => {
    const k: Pair = [inTypes[1].shape[2] as number, inTypes[1].shape[3] as number];
    if (out.dtype === 'f64') {
      const inSize: Pair = [inTypes[0].shape[2] as number, inTypes[0].shape[3] as number];
      return lowerConvTransposeIm2col(e, x, w, inSize, k, [out.shape[2] as number, out.shape[3] as number], attrs, attrs.outputPadding);
    }
    return e.op('ConvTranspose', [x, w], {
      kernel_shape: { kind: 'ints', v: k },
      strides: { kind: 'ints', v: attrs.stride },
      pads: { kind: 'ints', v: attrs.pads },
      dilations: { kind: 'ints', v: attrs.dilation },
      output_padding: { kind: 'ints', v: attrs.outputPadding },
    });
  },
  // y = Aᵀx where A = conv(·, w): dx = A dy (a Conv, whose output is x's size since the output
  // padding is below the stride), and dw is conv2d's weight gradient with the roles of x and dy swapped.
  vjp: ({ g, inputs: [x, w], attrs }, dy) => {
    const { stride, pads, dilation } = attrs;
    const k: Pair = [w.type.shape[2] as number, w.type.shape[3] as number];
    return [g.must('conv2d', [dy, w], { stride, pads, dilation }), convWeightGrad(g, dy, x, k, { stride, pads, dilation })];
  },
  sample: (pick) => {
    const [o, c] = [pick(1, 2), pick(1, 2)];
    const k: Pair = [pick(1, 3), pick(1, 3)];
    const stride: Pair = [pick(1, 3), pick(1, 2)];
    const dilation: Pair = [pick(1, 2), pick(1, 2)];
    const pads = [pick(0, k[0] - 1), pick(0, k[1] - 1), pick(0, k[0] - 1), pick(0, k[1] - 1)] as const;
    const outputPadding: Pair = [pick(0, stride[0] - 1), pick(0, stride[1] - 1)];
    // Enough input that the cropped output is non-empty.
    const h = pick(1, 3) + Math.ceil(Math.max(0, pads[0] + pads[2] - dilation[0] * (k[0] - 1)) / stride[0]);
    const w = pick(1, 3) + Math.ceil(Math.max(0, pads[1] + pads[3] - dilation[1] * (k[1] - 1)) / stride[1]);
    return { shapes: [['B', o, h, w], [o, c, k[0], k[1]]], attrs: { stride, pads, dilation, outputPadding }, domains: ['any', 'any'] };
  },
};

