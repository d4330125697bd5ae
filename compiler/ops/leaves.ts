// Graph inputs and constants: leaves of the graph, with no gradient of their own to pass on.
import * as E from 'fp-ts/Either';
import { showShape, type Shape } from '../ir/types';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

const validShape = (s: Shape) => s.filter((d) => d === 'B').length <= 1 && s.every((d) => d === 'B' || (Number.isInteger(d) && d > 0));

export const input: OpDef<OpAttrs['input']> = {
  infer: (_, { shape, dtype, name }) =>
    validShape(shape) ? E.right({ shape, dtype }) : E.left(`input ${name} has an invalid shape ${showShape(shape)}`),
  lower: () => {
    throw new Error('compiler bug: inputs are bound by name, not lowered');
  },
  vjp: 'none',
  sample: null,
};

export const constant: OpDef<OpAttrs['constant']> = {
  infer: (_, { shape, dtype, values }) => {
    if (shape.includes('B')) return E.left('constants cannot have a batch dimension');
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    return size === values.length && validShape(shape)
      ? E.right({ shape, dtype })
      : E.left(`constant of shape ${showShape(shape)} given ${values.length} values`);
  },
  lower: (e, _, { attrs: { values, shape, dtype } }) => e.constant(values, shape as number[], dtype),
  vjp: 'none',
  sample: null,
};
