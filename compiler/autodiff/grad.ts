// Reverse-mode autodiff as a graph-to-graph map: walk the nodes between `wrt` and `loss` in
// reverse id order (ids are a topological order), apply each primitive's VJP, and sum the
// cotangents of reused values. Iterative, no recursion; the new nodes are appended to `g`.
import * as E from 'fp-ts/Either';
import type { Graph } from '../ir/graph';
import type { Val } from '../ir/val';
import { opDef } from '../ops/registry';
import { CompilerBug, compileError, sameShape, showType, type CompileError } from '../ir/types';
import type { VjpCtx } from '../ops/def';

/** Ids of nodes that `loss` depends on and that depend on some `wrt` value. */
const relevantNodes = (g: Graph, loss: Val, wrt: readonly Val[]): Set<number> => {
  const needed = new Set<number>([loss.id]);
  for (let id = loss.id; id >= 0; id--) if (needed.has(id)) g.node(id).inputs.forEach((i) => needed.add(i));
  const fromWrt = new Set<number>(wrt.map((w) => w.id));
  for (let id = 0; id <= loss.id; id++) if (g.node(id).inputs.some((i) => fromWrt.has(i))) fromWrt.add(id);
  return new Set([...needed].filter((id) => fromWrt.has(id)));
};

const zerosLike = (g: Graph, v: Val): Val =>
  v.type.shape.includes('B')
    ? g.must('expandLike', [g.scalar(0), v], { meanAxes: [] })
    : g.constant(new Array((v.type.shape as number[]).reduce((a, b) => a * b, 1)).fill(0), v.type.shape);

/** Gradients of the scalar `loss` with respect to each of `wrt` (zeros where it does not depend on one). */
export const grad = (g: Graph, loss: Val, wrt: readonly Val[]): E.Either<CompileError, Val[]> => {
  if (loss.type.shape.length !== 0)
    return E.left(compileError(g.node(loss.id).path, `the loss must be a scalar, got ${showType(loss.type)}`));
  const relevant = relevantNodes(g, loss, wrt);
  const cotangent = new Map<number, Val>([[loss.id, g.scalar(1)]]);

  const accumulate = (id: number, ct: Val, producer: string) => {
    const primal = g.node(id).type;
    if (!sameShape(primal.shape, ct.type.shape) || primal.dtype !== ct.type.dtype)
      throw new CompilerBug(`VJP of ${producer} gave ${showType(ct.type)} for a value of type ${showType(primal)}`);
    const prev = cotangent.get(id);
    cotangent.set(id, prev ? g.must('add', [prev, ct], {}) : ct);
  };

  for (let id = loss.id; id >= 0; id--) {
    const dy = cotangent.get(id);
    if (!dy || !relevant.has(id)) continue;
    const node = g.node(id);
    const def = opDef(node.tag);
    if (def.vjp === 'none') continue;
    const inputs = node.inputs.map((i) => g.val(i));
    const ctx = { g, inputs, out: g.val(id), attrs: node.attrs } as VjpCtx<typeof node.attrs>;
    const cts = g.within(`${node.path}.grad`, () => (def.vjp as (c: typeof ctx, dy: Val) => readonly (Val | null)[])(ctx, dy));
    if (cts.length !== inputs.length) throw new CompilerBug(`VJP of ${node.tag} returned ${cts.length} cotangents for ${inputs.length} inputs`);
    cts.forEach((ct, k) => {
      if (ct && relevant.has(node.inputs[k])) accumulate(node.inputs[k], ct, node.tag);
    });
  }
  return E.right(wrt.map((w) => cotangent.get(w.id) ?? zerosLike(g, w)));
};

