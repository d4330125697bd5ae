import * as E from 'fp-ts/Either';
import { inferBinary } from './elementwise';
import type { OpDef } from './def';
import type { OpAttrs } from './tags';

export const greater: OpDef<OpAttrs['greater']> = {
  infer: (ins) => E.map((t: { shape: readonly import('../ir/types').Dim[] }) => ({ shape: t.shape, dtype: 'bool' as const }))(inferBinary(ins)),
  lower: (e, [a, b]) => e.op('Greater', [a, b]),
  vjp: 'none',
  sample: null,
};
