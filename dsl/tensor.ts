// Typed symbolic tensors. A `T<S>` carries its per-example shape S in its type (the batch
// dimension is implicit), so TypeScript checks that each layer's output meets the next input.
// At run time it wraps an IR value of the graph being built — or the first error met on the
// way, which then flows to the end instead of being thrown.
import * as E from 'fp-ts/Either';
import type { Val } from '../compiler/ir/val';
import { compileError, type CompileError } from '../compiler/ir/types';
import type { BuildCtx } from '../compiler/model';
import type { OpAttrs, OpTag } from '../compiler/ops/tags';

export type Shape = readonly number[];

/** The state of one graph being built: the IR context, the mode, and the current scope path. */
export interface Session {
  readonly ctx: BuildCtx;
  readonly mode: 'train' | 'eval';
  readonly model: string;
  readonly frames: { name: string; counters: Map<string, number> }[];
}

export interface T<S extends Shape> {
  readonly shape: S;
  readonly val: E.Either<CompileError, Val>;
  readonly session: Session;
}

/** A layer is a plain function between typed tensors: `flow`/`pipe` compose layers. */
export type Layer<I extends Shape, O extends Shape> = (x: T<I>) => T<O>;

/** A named scalar term of an objective, with its weight in the optimised sum. */
export interface Term {
  readonly value: T<readonly []>;
  readonly weight: number;
}

export const scopePath = (s: Session): string => s.frames.map((f) => f.name).filter(Boolean).join('.');
export const errorPath = (s: Session, leaf?: string): string => [s.model, scopePath(s), leaf].filter(Boolean).join('.');

export const tensor = <S extends Shape>(session: Session, shape: S, val: E.Either<CompileError, Val>): T<S> => ({ shape, val, session });

/** A tensor that carries an error: the message names the combinator's path. */
export const failed = <S extends Shape>(session: Session, shape: S, leaf: string, message: string): T<S> =>
  tensor(session, shape, E.left(compileError(errorPath(session, leaf), message)));

/** Apply a primitive to tensors; the first error among the inputs wins. */
export const apply = <S extends Shape, K extends OpTag>(
  tag: K,
  inputs: readonly T<Shape>[],
  attrs: OpAttrs[K],
  shape: S,
  leaf?: string,
): T<S> => {
  const session = inputs[0].session;
  const vals = E.sequenceArray(inputs.map((i) => i.val));
  return tensor(session, shape, E.chain((vs: readonly Val[]) => session.ctx.g.op(tag, vs, attrs, errorPath(session, leaf)))(vals));
};

/** Run `f` inside a named scope: parameters and errors inside get `name.` in their path. */
export const inScope = <R>(s: Session, name: string, f: () => R): R => {
  s.frames.push({ name, counters: new Map() });
  try {
    return f();
  } finally {
    s.frames.pop();
  }
};

/** The next automatic name for a layer of `kind` in the current scope: dense0, dense1, … */
export const autoName = (s: Session, kind: string): string => {
  const top = s.frames[s.frames.length - 1];
  const n = top.counters.get(kind) ?? 0;
  top.counters.set(kind, n + 1);
  return [scopePath(s), `${kind}${n}`].filter(Boolean).join('.');
};

/** Wrap a layer so that what it creates is named under `name` (e.g. `encoder.dense0.W`). */
export const scope =
  <I extends Shape, O extends Shape>(name: string, layer: Layer<I, O>): Layer<I, O> =>
  (x) =>
    inScope(x.session, name, () => layer(x));
