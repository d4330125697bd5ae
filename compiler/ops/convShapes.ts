// Size arithmetic and the f64 lowerings shared by the convolution primitives. onnxruntime's CPU
// Conv, ConvTranspose and MaxUnpool kernels exist for f32 only, so f64 graphs (the gradient and
// reference checks) lower convolutions to pad / strided slices / one MatMul (im2col), which every
// dtype supports; f32 graphs use the Conv kernels themselves.
import type { Dim } from '../ir/types';
import type { Emitter } from '../onnx/emitter';
import type { ConvAttrs, Pair } from './tags';

export const isPosInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
export const isNatural = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** Output size of a convolution along one axis, or ≤ 0 where the kernel does not fit. */
export const convOut = (size: number, k: number, s: number, padBegin: number, padEnd: number, d: number): number =>
  Math.floor((size + padBegin + padEnd - d * (k - 1) - 1) / s) + 1;

/** Output size of a transposed convolution along one axis. */
export const convTransposeOut = (size: number, k: number, s: number, padBegin: number, padEnd: number, d: number, outPad: number): number =>
  (size - 1) * s + d * (k - 1) + 1 + outPad - padBegin - padEnd;

/** The checks every convolution's attributes share; null when they hold. */
export const badConvAttrs = ({ stride, pads, dilation }: ConvAttrs): string | null => {
  if (!(stride.length === 2 && stride.every(isPosInt))) return `stride must be two positive integers, got [${stride.join(', ')}]`;
  if (!(dilation.length === 2 && dilation.every(isPosInt))) return `dilation must be two positive integers, got [${dilation.join(', ')}]`;
  if (!(pads.length === 4 && pads.every(isNatural))) return `pads must be four integers ≥ 0 [top, left, bottom, right], got [${pads.join(', ')}]`;
  return null;
};

/** Channel dimensions match when equal; either may be the batch (the weight gradient swaps them in). */
export const sameDim = (a: Dim, b: Dim): boolean => a === b;

const ints = (v: readonly number[]) => ({ kind: 'ints' as const, v });

/**
 * f64 convolution as im2col: x [N, C, H, W] (N or C may be dynamic), w [O, C, kh, kw] → [N, O, Ho, Wo].
 * Each kernel tap is one strided Slice of the padded input; the taps are concatenated on the
 * channel axis and multiplied by the weight reshaped to [O, kh·kw·C].
 */
export const lowerConvIm2col = (e: Emitter, x: string, w: string, k: Pair, out: Pair, a: ConvAttrs): string => {
  const [pt, pl, pb, pr] = a.pads;
  const xp = pt + pl + pb + pr === 0 ? x : e.op('Pad', [x, e.int64s([0, 0, pt, pl, 0, 0, pb, pr])]);
  const taps: string[] = [];
  for (let i = 0; i < k[0]; i++)
    for (let j = 0; j < k[1]; j++) {
      const r0 = i * a.dilation[0];
      const c0 = j * a.dilation[1];
      taps.push(
        e.op('Slice', [xp, e.int64s([r0, c0]), e.int64s([r0 + (out[0] - 1) * a.stride[0] + 1, c0 + (out[1] - 1) * a.stride[1] + 1]), e.int64s([2, 3]), e.int64s([...a.stride])]),
      );
    }
  const cols = taps.length === 1 ? taps[0] : e.op('Concat', taps, { axis: { kind: 'int', v: 1 } });
  const rows = e.op('Transpose', [cols], { perm: ints([0, 2, 3, 1]) });
  const wr = e.op('Reshape', [e.op('Transpose', [w], { perm: ints([0, 2, 3, 1]) }), e.int64s([0, -1])]);
  const y = e.op('MatMul', [rows, e.op('Transpose', [wr], { perm: ints([1, 0]) })]);
  return e.op('Transpose', [y], { perm: ints([0, 3, 1, 2]) });
};

/**
 * f64 transposed convolution: x [N, O, h, w], w [O, C, kh, kw] → [N, C, H, W]. Insert stride−1
 * zeros between inputs, pad by d(k−1) − pad (cropping where that is negative, adding the output
 * padding at the end), then convolve at stride 1 with the kernel flipped and its channels swapped.
 */
export const lowerConvTransposeIm2col = (e: Emitter, x: string, w: string, inSize: Pair, k: Pair, out: Pair, a: ConvAttrs, outPad: Pair): string => {
  const [sh, sw] = a.stride;
  let z = x;
  if (sh > 1 || sw > 1) {
    const r = e.op('Reshape', [x, e.int64s([0, 0, inSize[0], 1, inSize[1], 1])]);
    const p = e.op('Pad', [r, e.int64s([0, 0, 0, 0, 0, 0, 0, 0, 0, sh - 1, 0, sw - 1])]);
    const flat = e.op('Reshape', [p, e.int64s([0, 0, inSize[0] * sh, inSize[1] * sw])]);
    z = e.op('Slice', [flat, e.int64s([0, 0]), e.int64s([(inSize[0] - 1) * sh + 1, (inSize[1] - 1) * sw + 1]), e.int64s([2, 3])]);
  }
  const zh = (inSize[0] - 1) * sh + 1;
  const zw = (inSize[1] - 1) * sw + 1;
  const [pt, pl, pb, pr] = a.pads;
  const begin = [a.dilation[0] * (k[0] - 1) - pt, a.dilation[1] * (k[1] - 1) - pl];
  const end = [a.dilation[0] * (k[0] - 1) - pb + outPad[0], a.dilation[1] * (k[1] - 1) - pr + outPad[1]];
  const pos = (v: number) => Math.max(0, v);
  let zp = z;
  if ([...begin, ...end].some((v) => v > 0)) zp = e.op('Pad', [z, e.int64s([0, 0, pos(begin[0]), pos(begin[1]), 0, 0, pos(end[0]), pos(end[1])])]);
  if ([...begin, ...end].some((v) => v < 0)) {
    const starts = [pos(-begin[0]), pos(-begin[1])];
    const ends = [pos(begin[0]) + zh + end[0], pos(begin[1]) + zw + end[1]];
    zp = e.op('Slice', [zp, e.int64s(starts), e.int64s(ends), e.int64s([2, 3])]);
  }
  const flipped = e.op('Slice', [w, e.int64s([-1, -1]), e.int64s([-(2 ** 62), -(2 ** 62)]), e.int64s([2, 3]), e.int64s([-1, -1])]);
  const wt = e.op('Transpose', [flipped], { perm: ints([1, 0, 2, 3]) });
  return lowerConvIm2col(e, zp, wt, k, out, { stride: [1, 1], pads: [0, 0, 0, 0], dilation: a.dilation });
};
