// The table of primitives. `satisfies` makes a missing rule, lowering or VJP a type error.
import type { OpDef } from './def';
import type { OpAttrs, OpTag } from './tags';
import { add } from './add';
import { concat } from './concat';
import { conv2d } from './conv2d';
import { convTranspose2d } from './convTranspose2d';
import { gatherPlanes } from './gatherPlanes';
import { maxPool2d } from './maxPool2d';
import { maxPoolIndices } from './maxPoolIndices';
import { maxUnpool2d } from './maxUnpool2d';
import { div } from './div';
import { exp } from './exp';
import { expandLike } from './expandLike';
import { greater } from './greater';
import { constant, input } from './leaves';
import { log } from './log';
import { matmul } from './matmul';
import { mul } from './mul';
import { neg } from './neg';
import { powc } from './powc';
import { reduceMean, reduceSum } from './reduce';
import { relu } from './relu';
import { reshape } from './reshape';
import { sigmoid } from './sigmoid';
import { slice } from './slice';
import { softplus } from './softplus';
import { sqrt } from './sqrt';
import { sub } from './sub';
import { tanh } from './tanh';
import { topkMask } from './topkMask';
import { transpose } from './transpose';
import { where } from './where';

export const OPS = {
  input, constant, matmul, add, sub, mul, div, neg, exp, log, sqrt, powc, relu, sigmoid, tanh, softplus,
  reduceSum, reduceMean, transpose, reshape, concat, slice, topkMask, greater, where, expandLike,
  conv2d, convTranspose2d, maxPool2d, maxPoolIndices, gatherPlanes, maxUnpool2d,
} satisfies { [K in OpTag]: OpDef<OpAttrs[K]> };

export const opDef = <K extends OpTag>(tag: K): OpDef<OpAttrs[K]> => OPS[tag] as unknown as OpDef<OpAttrs[K]>;
