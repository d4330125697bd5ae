import * as E from 'fp-ts/Either';
import { showType, type TensorType } from '../ir/types';
import { convOut, isNatural, isPosInt } from './convShapes';
import type { Emitter } from '../onnx/emitter';
import type { OpDef } from './def';
import type { OpAttrs, Pair, PoolAttrs } from './tags';

/** The pooled shape [N, C, Ho, Wo] of x [N, C, H, W], or why there is none. */
export const inferPool = (x: TensorType | undefined, { kernel, stride, pads }: PoolAttrs): E.Either<string, TensorType> => {
  if (!(kernel.length === 2 && kernel.every(isPosInt) && stride.length === 2 && stride.every(isPosInt)))
    return E.left(`kernel and stride must be two positive integers each, got [${kernel.join(', ')}] and [${stride.join(', ')}]`);
  // ONNX: a pad must be smaller than the kernel (a window of padding only has no maximum).
  if (!(pads.length === 4 && pads.every(isNatural) && pads.every((p, i) => p < kernel[i % 2])))
    return E.left(`pads must be four integers in [0, kernel) [top, left, bottom, right], got [${pads.join(', ')}]`);
  if (!x || x.shape.length !== 4 || (x.dtype !== 'f32' && x.dtype !== 'f64') || x.shape[2] === 'B' || x.shape[3] === 'B')
    return E.left(`expects a float [N, C, H, W] tensor with static H and W, got ${x ? showType(x) : 'nothing'}`);
  const ho = convOut(x.shape[2] as number, kernel[0], stride[0], pads[0], pads[2], 1);
  const wo = convOut(x.shape[3] as number, kernel[1], stride[1], pads[1], pads[3], 1);
  if (ho < 1 || wo < 1) return E.left(`a ${kernel.join('×')} window does not fit ${showType(x)}`);
  return E.right({ shape: [x.shape[0], x.shape[1], ho, wo], dtype: x.dtype });
};

export const lowerMaxPool = (e: Emitter, x: string, { kernel, stride, pads }: PoolAttrs): string[] =>
  e.opN('MaxPool', [x], 2, {
    kernel_shape: { kind: 'ints', v: kernel },
    strides: { kind: 'ints', v: stride },
    pads: { kind: 'ints', v: pads },
  });

export const poolSample = (pick: (lo: number, hi: number) => number) => {
  const kernel: Pair = [pick(1, 3), pick(1, 3)];
  const stride: Pair = [pick(1, 3), pick(1, 3)];
  const pads = [pick(0, kernel[0] - 1), pick(0, kernel[1] - 1), pick(0, kernel[0] - 1), pick(0, kernel[1] - 1)] as const;
  return { shapes: [['B', pick(1, 2), kernel[0] + pick(0, 3), kernel[1] + pick(0, 3)]] as const, attrs: { kernel, stride, pads } };
};

// The maximum of each window (ONNX MaxPool; windows may overlap). Its gradient goes to the
// arg max of each window: unpooling dy with the pooling indices, adding where windows share it.
export const maxPool2d: OpDef<OpAttrs['maxPool2d']> = {
  infer: ([x], attrs) => inferPool(x, attrs),
  lower: (e, [x], { attrs }) => lowerMaxPool(e, x, attrs)[0],
  vjp: ({ g, inputs: [x], attrs }, dy) => {
    const idx = g.must('maxPoolIndices', [x], attrs);
    return [g.must('maxUnpool2d', [dy, idx], { size: [x.type.shape[2] as number, x.type.shape[3] as number] })];
  },
  sample: (pick) => ({ ...poolSample(pick), domains: ['any'] }),
};
