// Shape rules and sample shapes shared by the elementwise primitives.
import * as E from 'fp-ts/Either';
import { broadcastShapes } from '../ir/broadcast';
import { showType, type Shape, type TensorType } from '../ir/types';
import type { Domain, OpSample } from './def';

const isFloat = (t: TensorType) => t.dtype === 'f32' || t.dtype === 'f64';

export const inferUnary = (ins: readonly TensorType[]): E.Either<string, TensorType> => {
  if (ins.length !== 1) return E.left(`expects 1 input, got ${ins.length}`);
  const [x] = ins;
  return isFloat(x) ? E.right(x) : E.left(`expects a float tensor, got ${showType(x)}`);
};

export const inferBinary = (ins: readonly TensorType[]): E.Either<string, TensorType> => {
  if (ins.length !== 2) return E.left(`expects 2 inputs, got ${ins.length}`);
  const [a, b] = ins;
  if (a.dtype !== b.dtype || !isFloat(a))
    return E.left(`operands must share a float dtype, got ${showType(a)} and ${showType(b)}`);
  return E.map((shape: Shape) => ({ shape, dtype: a.dtype }))(broadcastShapes(a.shape, b.shape));
};

type Pick = (lo: number, hi: number) => number;

/** A random shape with a batch dimension, e.g. [B, 3, 2]; the harness binds B to a number. */
export const sampleShape = (pick: Pick, rank = pick(1, 3)): Shape =>
  ['B' as const, ...Array.from({ length: rank - 1 }, () => pick(1, 4))];

export const unarySample =
  (domain: Domain) =>
  (pick: Pick): OpSample<Record<string, never>> => ({ shapes: [sampleShape(pick)], attrs: {}, domains: [domain] });

/** Two shapes that broadcast: the second drops leading axes and sets some to 1. */
export const binarySample =
  (second: Domain = 'any') =>
  (pick: Pick): OpSample<Record<string, never>> => {
    const a = sampleShape(pick);
    const drop = pick(0, a.length - 1);
    const b = a.slice(drop).map((d) => (pick(0, 3) === 0 ? 1 : d));
    return pick(0, 1) === 0
      ? { shapes: [a, b], attrs: {}, domains: ['any', second] }
      : { shapes: [b, a], attrs: {}, domains: ['any', second] };
  };
