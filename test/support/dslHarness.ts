// Build DSL expressions straight into a runnable f64 graph, for tests of single combinators:
// a Session like the one `autoencoder` makes, data inputs with a batch dimension, and a runner
// that lowers the requested outputs and evaluates them in onnxruntime (CPU, f64).
import * as E from 'fp-ts/Either';
import type { Graph } from '../../compiler/ir/graph';
import type { Val } from '../../compiler/ir/val';
import { showError, type CompileError } from '../../compiler/ir/types';
import { newCtx } from '../../compiler/model';
import { tensor, type Session, type Shape, type T } from '../../dsl/tensor';
import { run, sessionFor } from './runGraph';

export interface Harness {
  readonly s: Session;
  readonly g: Graph;
}

/** A fresh f64 build session, as `autoencoder` makes one (top frame unnamed). */
export const harness = (mode: Session['mode'] = 'train', model = 'test'): Harness => {
  const ctx = newCtx('f64');
  return { s: { ctx, mode, model, frames: [{ name: '', counters: new Map() }] }, g: ctx.g };
};

/** A data input of per-example shape `shape` (batch dimension prepended), as a DSL tensor. */
export const dataInput = <const S extends Shape>(h: Harness, name: string, shape: S): T<S> => tensor(h.s, shape, h.g.input(name, ['B', ...shape], 'data'));

/** The IR value of a tensor; a Left becomes a thrown Error with the compile error's text. */
export const valOf = (x: T<Shape> | E.Either<CompileError, Val>): Val => {
  const v = 'val' in x && 'session' in x ? x.val : (x as E.Either<CompileError, Val>);
  if (E.isLeft(v)) throw new Error(`unexpected compile error: ${showError(v.left)}`);
  return v.right;
};

/** The error message (path: message) of a tensor that should have failed. */
export const errorOf = (x: T<Shape>): string => {
  if (E.isRight(x.val)) throw new Error('expected a compile error, got a value');
  return showError(x.val.left);
};

/** Runs the lowered graph on f64 feeds; `release` frees its onnxruntime session. */
export type Runner = ((feeds: Record<string, { data: Float64Array; dims: number[] }>) => Promise<Record<string, Float64Array>>) & {
  readonly release: () => Promise<void>;
};

/** Lower `outputs` (every declared input becomes a graph input) and return a runner for them. */
export const compileOutputs = async (h: Harness, outputs: Record<string, T<Shape> | Val>): Promise<Runner> => {
  const named = Object.entries(outputs).map(([name, o]) => ({ name, val: 'session' in o ? valOf(o) : o }));
  const session = await sessionFor(h.g, named);
  return Object.assign((feeds: Parameters<Runner>[0]) => run(session, feeds), { release: () => session.release() });
};

/** A row-major [rows, cols] f64 feed. */
export const matrix = (data: ArrayLike<number>, rows: number, cols: number) => {
  if (data.length !== rows * cols) throw new RangeError(`feed of ${data.length} values for [${rows}, ${cols}]`);
  return { data: Float64Array.from(data), dims: [rows, cols] };
};
