// ReduceSum and ReduceMean share their shape rule; their VJPs broadcast the cotangent back.
import * as E from 'fp-ts/Either';
import type { Val } from '../ir/val';
import { normaliseAxes } from '../ir/broadcast';
import type { Dim, TensorType } from '../ir/types';
import type { OpDef, VjpCtx } from './def';
import { inferUnary, sampleShape } from './elementwise';
import type { OpAttrs } from './tags';

type RA = OpAttrs['reduceSum'];

const inferReduce = (ins: readonly TensorType[], { axes, keepdims }: RA): E.Either<string, TensorType> => {
  const x = inferUnary(ins);
  if (E.isLeft(x)) return x;
  const ax = normaliseAxes(axes, x.right.shape.length);
  if (E.isLeft(ax)) return ax;
  const shape: Dim[] = [];
  x.right.shape.forEach((d, i) => {
    if (!ax.right.includes(i)) shape.push(d);
    else if (keepdims) shape.push(1);
  });
  return E.right({ shape, dtype: x.right.dtype });
};

const keptShape = (x: Val, axes: readonly number[]) => {
  const ax = axes.map((a) => (a < 0 ? a + x.type.shape.length : a));
  return x.type.shape.map((d, i) => (ax.includes(i) ? 1 : d));
};

const backToInput = ({ g, inputs: [x], attrs }: VjpCtx<RA>, dy: Val, mean: boolean): Val => {
  const kept = attrs.keepdims ? dy : g.must('reshape', [dy], { shape: keptShape(x, attrs.axes) });
  const meanAxes = mean ? attrs.axes.map((a) => (a < 0 ? a + x.type.shape.length : a)) : [];
  return g.must('expandLike', [kept, x], { meanAxes });
};

const sample = (pick: (lo: number, hi: number) => number) => {
  const s = sampleShape(pick);
  const axes = s.map((_, i) => i).filter(() => pick(0, 1) === 1);
  return { shapes: [s], attrs: { axes: axes.length ? axes : [s.length - 1], keepdims: pick(0, 1) === 1 }, domains: ['any' as const] };
};

export const reduceSum: OpDef<RA> = {
  infer: inferReduce,
  // No axes reduces nothing (the shape rule's identity); ONNX would reduce every axis instead.
  lower: (e, [x], { attrs: { axes, keepdims } }) =>
    axes.length === 0 ? e.op('Identity', [x]) : e.op('ReduceSum', [x, e.int64s(axes)], { keepdims: { kind: 'int', v: keepdims ? 1 : 0 } }),
  vjp: (ctx, dy) => [backToInput(ctx, dy, false)],
  sample,
};

export const reduceMean: OpDef<RA> = {
  infer: inferReduce,
  lower: (e, [x], { attrs: { axes, keepdims } }) =>
    axes.length === 0 ? e.op('Identity', [x]) : e.op('ReduceMean', [x], { axes: { kind: 'ints', v: axes }, keepdims: { kind: 'int', v: keepdims ? 1 : 0 } }),
  vjp: (ctx, dy) => [backToInput(ctx, dy, true)],
  sample,
};
