// Optimizers as IR. The learning rate and the step count are graph inputs (optimizer state),
// so a schedule changes them between steps without recompiling.
import * as E from 'fp-ts/Either';
import type { Graph } from '../ir/graph';
import type { Val } from '../ir/val';
import { compileError, type CompileError } from '../ir/types';

export type OptimizerKind = 'sgd' | 'adam' | 'adagrad' | 'rmsprop';

export interface OptimizerSpec {
  readonly kind: OptimizerKind;
  readonly lr: number;
  /** sgd: momentum; adam: beta1, beta2, eps; adagrad: eps, initialAccumulator; rmsprop: rho, eps. */
  readonly hyper: Readonly<Record<string, number>>;
}

export interface UpdateIn {
  readonly param: Val;
  readonly grad: Val;
  readonly slots: Readonly<Record<string, Val>>;
  /** The learning rate and the step number t after this step (1 on the first step). */
  readonly lr: Val;
  readonly t: Val;
}

export interface UpdateOut {
  readonly param: Val;
  readonly slots: Readonly<Record<string, Val>>;
}

export interface OptimizerDef {
  readonly defaults: Readonly<Record<string, number>>;
  /** Per-parameter state, each the parameter's shape, initialised to `init`. */
  readonly slots: readonly { readonly name: string; readonly init: number }[];
  readonly check: (hyper: Readonly<Record<string, number>>) => string | null;
  readonly update: (g: Graph, u: UpdateIn, hyper: Readonly<Record<string, number>>) => UpdateOut;
}

/** Small helpers so update rules read like their textbook formulas. */
export const algebra = (g: Graph) => {
  const c = (x: Val | number): Val => (typeof x === 'number' ? g.scalar(x) : x);
  return {
    add: (a: Val | number, b: Val | number) => g.must('add', [c(a), c(b)], {}, 'optimizer'),
    sub: (a: Val | number, b: Val | number) => g.must('sub', [c(a), c(b)], {}, 'optimizer'),
    mul: (a: Val | number, b: Val | number) => g.must('mul', [c(a), c(b)], {}, 'optimizer'),
    div: (a: Val | number, b: Val | number) => g.must('div', [c(a), c(b)], {}, 'optimizer'),
    sqrt: (a: Val) => g.must('sqrt', [a], {}, 'optimizer'),
    sq: (a: Val) => g.must('mul', [a, a], {}, 'optimizer'),
    /** base^t for a constant base and a scalar t, as exp(t log base). */
    powT: (base: number, t: Val) => g.must('exp', [g.must('mul', [t, g.scalar(Math.log(base))], {}, 'optimizer')], {}, 'optimizer'),
  };
};

export const validateOptimizer = (def: OptimizerDef, spec: OptimizerSpec, path: string): E.Either<CompileError, Record<string, number>> => {
  if (!(Number.isFinite(spec.lr) && spec.lr > 0))
    return E.left(compileError(path, `learning rate must be a positive number, got ${spec.lr}`));
  const unknown = Object.keys(spec.hyper).filter((k) => !Object.hasOwn(def.defaults, k));
  if (unknown.length) return E.left(compileError(path, `${spec.kind} has no hyperparameter ${unknown.join(', ')} (it has ${Object.keys(def.defaults).join(', ') || 'none'})`));
  const hyper = { ...def.defaults, ...spec.hyper };
  const nonFinite = Object.entries(hyper).find(([, v]) => !Number.isFinite(v));
  const problem = def.check(hyper) ?? (nonFinite ? `${nonFinite[0]} must be a finite number, got ${nonFinite[1]}` : null);
  return problem ? E.left(compileError(path, `${spec.kind}: ${problem}`)) : E.right(hyper);
};
