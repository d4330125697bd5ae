import * as E from 'fp-ts/Either';
import type { OpDef } from './def';
import { inferPool, lowerMaxPool, poolSample } from './maxPool2d';
import type { OpAttrs } from './tags';

// Where each window's maximum is, as a flat index h·W + w into its own [H, W] plane (as PyTorch
// returns them): ONNX MaxPool counts over the whole tensor, so the lowering takes it mod H·W.
// Ties go to the first maximum in row-major window order.
export const maxPoolIndices: OpDef<OpAttrs['maxPoolIndices']> = {
  infer: ([x], attrs) => E.map((t: { shape: readonly import('../ir/types').Dim[] }) => ({ shape: t.shape, dtype: 'i64' as const }))(inferPool(x, attrs)),
  lower: (e, [x], { attrs, inTypes }) => {
    const plane = (inTypes[0].shape[2] as number) * (inTypes[0].shape[3] as number);
    return e.op('Mod', [lowerMaxPool(e, x, attrs)[1], e.int64s([plane])]);
  },
  vjp: 'none',
  sample: (pick) => ({ ...poolSample(pick), domains: ['any'] }),
};
