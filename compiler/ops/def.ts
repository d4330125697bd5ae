// What every primitive provides, in one place: shape rule, ONNX lowering, VJP, test sample.
import type { Either } from 'fp-ts/Either';
import type { Builder } from '../ir/builder';
import type { Val } from '../ir/val';
import type { Shape, TensorType } from '../ir/types';
import type { Emitter } from '../onnx/emitter';

export interface LowerCtx<A> {
  readonly attrs: A;
  readonly inTypes: readonly TensorType[];
  readonly out: TensorType;
}

export interface VjpCtx<A> {
  readonly g: Builder;
  readonly inputs: readonly Val[];
  readonly out: Val;
  readonly attrs: A;
}

/** Input domain for random tests: where the op is smooth and finite differences are meaningful. */
export type Domain = 'any' | 'positive' | 'awayFromZero' | 'bool';

export interface OpSample<A> {
  readonly shapes: readonly Shape[];
  readonly attrs: A;
  readonly domains: readonly Domain[];
}

export interface OpDef<A> {
  /** Output type from input types, or a message naming the offending shapes. */
  readonly infer: (ins: readonly TensorType[], attrs: A) => Either<string, TensorType>;
  /** Emit ONNX nodes; returns the name of the output value. */
  readonly lower: (e: Emitter, ins: readonly string[], ctx: LowerCtx<A>) => string;
  /** Cotangent per input (null: no gradient flows there), or 'none' for non-differentiable ops. */
  readonly vjp: ((ctx: VjpCtx<A>, dy: Val) => readonly (Val | null)[]) | 'none';
  /** A random instance for the op harness; `pick(lo, hi)` draws an integer in [lo, hi]. */
  readonly sample: ((pick: (lo: number, hi: number) => number) => OpSample<A>) | null;
}
