// An optimizer attached to a graph that computes a loss and its gradients: the learning rate and
// step count as state inputs (`<prefix>.lr`, `<prefix>.t`), each parameter's slots as state inputs
// (`<kind>.<slot>.<param>`), and the next value of every one of them. compileModel (prefix `opt`)
// and compileGan (one per player: `opt.generator`, `opt.discriminator`) both build their steps here.
import * as E from 'fp-ts/Either';
import type { Graph } from '../ir/graph';
import { compileError, type CompileError } from '../ir/types';
import type { Val } from '../ir/val';
import type { StateSpec } from '../manifest';
import type { NamedVal } from '../onnx/lower';
import { validateOptimizer, type OptimizerDef, type OptimizerSpec } from './optimizer';
import { OPTIMIZERS } from './rules';

/** An optimizer spec checked against its rule: the rule and the hyperparameters, defaults filled in. */
export interface ResolvedOptimizer {
  readonly spec: OptimizerSpec;
  readonly def: OptimizerDef;
  readonly hyper: Readonly<Record<string, number>>;
}

export const resolveOptimizer = (spec: OptimizerSpec, path: string): E.Either<CompileError, ResolvedOptimizer> => {
  const def = Object.hasOwn(OPTIMIZERS, spec.kind) ? OPTIMIZERS[spec.kind] : undefined;
  if (!def) return E.left(compileError(path, `unknown optimizer ${spec.kind}`));
  return E.map((hyper: Record<string, number>) => ({ spec, def, hyper }))(validateOptimizer(def, spec, path));
};

export interface TrainedParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly val: Val;
  readonly grad: Val;
}

export interface AttachedOptimizer {
  /** Slots in parameter order, then the step count. */
  readonly state: readonly StateSpec[];
  /** The next value of each state input: every parameter, then its slots, in order; the step count last. */
  readonly next: readonly { readonly input: string; readonly val: Val }[];
  readonly lrInput: string;
}

/** A Left names the input the graph already holds under another shape or role (a reserved name). */
export const attachOptimizer = (g: Graph, opt: ResolvedOptimizer, params: readonly TrainedParam[], prefix: string): E.Either<{ readonly reserved: string }, AttachedOptimizer> => {
  const kind = opt.spec.kind;
  const lr = g.input(`${prefix}.lr`, [], 'state');
  if (E.isLeft(lr)) return E.left({ reserved: `${prefix}.lr` });
  const t = g.input(`${prefix}.t`, [], 'state');
  if (E.isLeft(t)) return E.left({ reserved: `${prefix}.t` });
  const tNext = g.must('add', [t.right, g.scalar(1)], {}, 'optimizer');
  const state: StateSpec[] = [];
  const next: { input: string; val: Val }[] = [];
  for (const p of params) {
    const slots: Record<string, Val> = {};
    for (const s of opt.def.slots) {
      const name = `${kind}.${s.name}.${p.name}`;
      const v = g.input(name, p.shape, 'state');
      if (E.isLeft(v)) return E.left({ reserved: name });
      slots[s.name] = v.right;
      state.push({ name, shape: p.shape, init: { kind: 'constant', value: s.init } });
    }
    const u = opt.def.update(g, { param: p.val, grad: p.grad, slots, lr: lr.right, t: tNext }, opt.hyper);
    next.push({ input: p.name, val: u.param });
    for (const s of opt.def.slots) next.push({ input: `${kind}.${s.name}.${p.name}`, val: u.slots[s.name] });
  }
  state.push({ name: `${prefix}.t`, shape: [], init: { kind: 'constant', value: 0 } });
  next.push({ input: `${prefix}.t`, val: tNext });
  return E.right({ state, next, lrInput: `${prefix}.lr` });
};

/**
 * A train step's outputs: the loss, each term (`term.<name>`), then `next.<input>` for every
 * carried input (parameters, optimizer state, running statistics), with the carry list that
 * feeds each one back.
 */
export const stepOutputs = (
  loss: Val,
  terms: readonly { readonly name: string; readonly value: Val }[],
  carried: readonly { readonly input: string; readonly val: Val }[],
): { outputs: NamedVal[]; carry: { output: string; input: string }[] } => ({
  outputs: [{ name: 'loss', val: loss }, ...terms.map((tm) => ({ name: `term.${tm.name}`, val: tm.value })), ...carried.map((c) => ({ name: `next.${c.input}`, val: c.val }))],
  carry: carried.map((c) => ({ output: `next.${c.input}`, input: c.input })),
});
