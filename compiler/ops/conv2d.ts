import * as E from 'fp-ts/Either';
import type { Builder } from '../ir/builder';
import type { Val } from '../ir/val';
import { showType } from '../ir/types';
import type { OpDef } from './def';
import { badConvAttrs, convOut, lowerConvIm2col, sameDim } from './convShapes';
import type { ConvAttrs, OpAttrs, Pair } from './tags';

/**
 * The weight gradient of y = conv(x, w) as one convolution with batch and channels swapped
 * (PyTorch's conv2d_weight): xᵀ [C, N, H, W] convolved with dyᵀ [O, N, Ho, Wo] at stride =
 * dilation and dilation = stride gives [C, O, ≥kh, ≥kw]; the rows past the kernel (the input
 * rows no output reached, when the stride does not divide) are sliced off.
 */
export const convWeightGrad = (g: Builder, x: Val, dy: Val, k: Pair, a: ConvAttrs): Val => {
  const swap = { perm: [1, 0, 2, 3] };
  let dw = g.must('conv2d', [g.must('transpose', [x], swap), g.must('transpose', [dy], swap)], {
    stride: a.dilation,
    pads: a.pads,
    dilation: a.stride,
  });
  for (const axis of [2, 3]) if (dw.type.shape[axis] !== k[axis - 2]) dw = g.must('slice', [dw], { axis, start: 0, end: k[axis - 2] });
  return g.must('transpose', [dw], swap);
};

// x [N, C, H, W] * w [O, C, kh, kw] -> [N, O, Ho, Wo], NCHW as ONNX Conv. N and C may be the
// batch (the weight gradient convolves with them swapped); spatial sizes are static.
export const conv2d: OpDef<OpAttrs['conv2d']> = {
  infer: ([x, w], attrs) => {
    const bad = badConvAttrs(attrs);
    if (bad) return E.left(bad);
    if (!x || !w || x.shape.length !== 4 || w.shape.length !== 4 || x.dtype !== w.dtype || (x.dtype !== 'f32' && x.dtype !== 'f64'))
      return E.left(`expects x [N, C, H, W] and w [O, C, kh, kw] of one float dtype, got ${x ? showType(x) : '?'} and ${w ? showType(w) : '?'}`);
    const [n, c, h, wd] = x.shape;
    const [o, c2, kh, kw] = w.shape;
    if (!sameDim(c, c2)) return E.left(`input channels differ: x ${showType(x)}, w ${showType(w)}`);
    if ([h, wd, kh, kw].some((d) => d === 'B')) return E.left(`spatial sizes must be static, got x ${showType(x)}, w ${showType(w)}`);
    const ho = convOut(h as number, kh as number, attrs.stride[0], attrs.pads[0], attrs.pads[2], attrs.dilation[0]);
    const wo = convOut(wd as number, kw as number, attrs.stride[1], attrs.pads[1], attrs.pads[3], attrs.dilation[1]);
    if (ho < 1 || wo < 1) return E.left(`a ${kh}×${kw} kernel (dilation [${attrs.dilation.join(', ')}]) does not fit ${showType(x)} padded by [${attrs.pads.join(', ')}]`);
    return E.right({ shape: [n, o, ho, wo], dtype: x.dtype });
  },
  lower: (e, [x, w], { attrs, inTypes, out }) => {
    const k: Pair = [inTypes[1].shape[2] as number, inTypes[1].shape[3] as number];
    if (out.dtype === 'f64') return lowerConvIm2col(e, x, w, k, [out.shape[2] as number, out.shape[3] as number], attrs);
    return e.op('Conv', [x, w], {
      kernel_shape: { kind: 'ints', v: k },
      strides: { kind: 'ints', v: attrs.stride },
      pads: { kind: 'ints', v: attrs.pads },
      dilations: { kind: 'ints', v: attrs.dilation },
    });
  },
  vjp: ({ g, inputs: [x, w], attrs }, dy) => {
    const k: Pair = [w.type.shape[2] as number, w.type.shape[3] as number];
    const [h, wd] = [x.type.shape[2] as number, x.type.shape[3] as number];
    // ConvTranspose of dy gives (Ho−1)s + d(k−1) + 1 − pads rows; the output padding adds the
    // input rows past the last window (0 ≤ it < stride), so dx has x's shape exactly.
    const [ho, wo] = [dy.type.shape[2] as number, dy.type.shape[3] as number];
    const outputPadding: Pair = [
      h - ((ho - 1) * attrs.stride[0] + attrs.dilation[0] * (k[0] - 1) + 1 - attrs.pads[0] - attrs.pads[2]),
      wd - ((wo - 1) * attrs.stride[1] + attrs.dilation[1] * (k[1] - 1) + 1 - attrs.pads[1] - attrs.pads[3]),
    ];
    const dx = g.must('convTranspose2d', [dy, w], { ...attrs, outputPadding });
    return [dx, convWeightGrad(g, x, dy, k, attrs)];
  },
  sample: (pick) => sampleConv(pick),
};

/** A random valid convolution: asymmetric pads, strides that need not divide, dilations. */
export const sampleConv = (pick: (lo: number, hi: number) => number) => {
  const [c, o] = [pick(1, 2), pick(1, 2)];
  const k: Pair = [pick(1, 3), pick(1, 3)];
  const stride: Pair = [pick(1, 3), pick(1, 2)];
  const dilation: Pair = [pick(1, 2), pick(1, 2)];
  const pads = [pick(0, k[0] - 1), pick(0, k[1] - 1), pick(0, k[0] - 1), pick(0, k[1] - 1)] as const;
  const span = (i: 0 | 1) => dilation[i] * (k[i] - 1) + 1 - pads[i] - pads[i + 2];
  const h = Math.max(1, span(0)) + pick(0, 3);
  const w = Math.max(1, span(1)) + pick(0, 3);
  return {
    shapes: [['B', c, h, w], [o, c, k[0], k[1]]] as const,
    attrs: { stride, pads, dilation },
    domains: ['any', 'any'] as const,
  };
};
