// Reduce a cotangent back to the shape of the operand it flows to (the adjoint of broadcasting).
import type { Builder } from '../ir/builder';
import type { Val } from '../ir/val';
import { broadcastAxes } from '../ir/broadcast';
import { sameShape, type Shape } from '../ir/types';

export const sumToShape = (g: Builder, dy: Val, target: Shape): Val => {
  if (sameShape(dy.type.shape, target)) return dy;
  const axes = broadcastAxes(target, dy.type.shape);
  const summed = axes.length > 0 ? g.must('reduceSum', [dy], { axes, keepdims: true }) : dy;
  return sameShape(summed.type.shape, target) ? summed : g.must('reshape', [summed], { shape: target });
};
