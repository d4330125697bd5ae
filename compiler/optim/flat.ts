// The optimizer update over all parameters at once: the gradients concatenated into one flat
// vector, the parameters and each slot carried as one flat vector each. An update rule is
// elementwise, so every element gets the value the per-tensor update gives it, with one node per
// formula instead of one per formula and parameter tensor (onnxruntime's CPU provider runs each
// node as its own pass, and small tensors pay mostly for the dispatch).
import * as E from 'fp-ts/Either';
import type { Graph, Val } from '../ir/graph';
import type { ParamSpec } from '../model';
import type { NamedVal } from '../onnx/lower';
import type { FlatGroup } from '../onnx/multiStep';
import type { OptimizerDef } from './optimizer';

export interface FlatIn {
  readonly params: readonly ParamSpec[];
  readonly grads: readonly Val[];
  readonly optDef: OptimizerDef;
  readonly kind: string;
  readonly hyper: Readonly<Record<string, number>>;
  readonly lr: Val;
  readonly t: Val;
}

export interface FlatOut {
  /** The flat inputs the body reads (parameters first, then each slot). */
  readonly inputs: readonly string[];
  /** The flat next values the body returns, in the same order. */
  readonly outputs: readonly NamedVal[];
  /** Where each parameter and slot lies in its flat vector; the parameters' group first. */
  readonly groups: readonly FlatGroup[];
}

export const FLAT_PARAMS = 'opt.flat.params';
export const flatSlotName = (kind: string, slot: string): string => `opt.flat.${kind}.${slot}`;

/** Appends the flat update to `g`; a Left names an input the model already uses. */
export const flatUpdate = (g: Graph, u: FlatIn): E.Either<string, FlatOut> => {
  const sizes = u.params.map((p) => p.shape.reduce<number>((a, d) => a * (d as number), 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const input = (name: string) => {
    const v = g.input(name, [total], 'state');
    return E.isLeft(v) ? E.left(name) : E.right(v.right);
  };
  const paramsIn = input(FLAT_PARAMS);
  if (E.isLeft(paramsIn)) return paramsIn;
  const slots: Record<string, Val> = {};
  for (const s of u.optDef.slots) {
    const v = input(flatSlotName(u.kind, s.name));
    if (E.isLeft(v)) return v;
    slots[s.name] = v.right;
  }
  const flatGrads = u.grads.map((gr, i) => g.must('reshape', [gr], { shape: [sizes[i]] }, 'optimizer'));
  const grad = flatGrads.length === 1 ? flatGrads[0] : g.must('concat', flatGrads, { axis: 0 }, 'optimizer');
  const next = u.optDef.update(g, { param: paramsIn.right, grad, slots, lr: u.lr, t: u.t }, u.hyper);

  let offset = 0;
  const layout = u.params.map((p, i) => {
    const at = { name: p.name, shape: p.shape as readonly number[], start: offset, end: offset + sizes[i] };
    offset += sizes[i];
    return at;
  });
  const group = (flat: string, name: (p: string) => string): FlatGroup => ({
    flat,
    next: `next.${flat}`,
    parts: layout.map((l) => ({ input: name(l.name), output: `next.${name(l.name)}`, shape: l.shape, start: l.start, end: l.end })),
  });
  const groups = [group(FLAT_PARAMS, (p) => p), ...u.optDef.slots.map((s) => group(flatSlotName(u.kind, s.name), (p) => `${u.kind}.${s.name}.${p}`))];
  const outputs: NamedVal[] = [
    { name: `next.${FLAT_PARAMS}`, val: next.param },
    ...u.optDef.slots.map((s) => ({ name: `next.${flatSlotName(u.kind, s.name)}`, val: next.slots[s.name] })),
  ];
  return E.right({ inputs: groups.map((gr) => gr.flat), outputs, groups });
};
