// What the compiler takes: a model as functions that build IR in a context which owns the
// parameters (shared by name across the train, encode and decode graphs) and the noise inputs.
import * as E from 'fp-ts/Either';
import { Graph } from './ir/graph';
import type { Val } from './ir/val';
import { compileError, showShape, type CompileError, type FloatDType } from './ir/types';

export type Init =
  | { readonly kind: 'glorotUniform' }
  | { readonly kind: 'heNormal' }
  | { readonly kind: 'normal'; readonly std: number }
  /** U(−limit, limit), the limit fixed by the layer (e.g. 1/√fan_in for PyTorch's default). */
  | { readonly kind: 'uniform'; readonly limit: number }
  | { readonly kind: 'constant'; readonly value: number };

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
  /**
   * A buffer (batch norm's running statistics): carried and fed like a parameter, but updated by
   * the train step's own formula instead of the optimizer.
   */
  readonly buffer?: true;
}

export interface NoiseSpec {
  readonly name: string;
  /** Per-example shape; the batch dimension is prepended. */
  readonly shape: readonly number[];
  readonly kind: 'normal';
}

export interface Term {
  readonly name: string;
  /** A scalar: the term's mean over the batch. */
  readonly value: Val;
  readonly weight: number;
}

/** Where training stands, for combinators whose hyperparameters follow a schedule (1-based epoch). */
export interface Progress {
  readonly epoch: number;
  readonly epochs: number;
}

export class BuildCtx {
  readonly params = new Map<string, ParamSpec>();
  readonly noises = new Map<string, NoiseSpec>();
  /** Scheduled hyperparameters read while building, by combinator path: their values at `progress`. */
  readonly scheduled = new Map<string, number>();
  /** Buffers (non-trained state such as running means), and their next values where a train graph sets them. */
  readonly buffers = new Map<string, ParamSpec>();
  readonly bufferUpdates = new Map<string, Val>();
  constructor(
    readonly g: Graph,
    readonly progress?: Progress,
  ) {}

  /** A parameter; asking again for the same name returns the same tensor (sharing, tying). */
  param(name: string, shape: readonly number[], init: Init): E.Either<CompileError, Val> {
    const prev = this.params.get(name);
    if (prev && (prev.shape.length !== shape.length || prev.shape.some((d, i) => d !== shape[i])))
      return E.left(compileError(name, `parameter declared as ${showShape(prev.shape)} and again as ${showShape(shape)}`));
    if (!prev) {
      if (!shape.every((d) => Number.isInteger(d) && d > 0))
        return E.left(compileError(name, `parameter shape ${showShape(shape)} must have positive integer sizes`));
      this.params.set(name, { name, shape, init });
    }
    return this.g.input(name, shape, 'param');
  }

  /** A buffer: a graph input like a parameter, with no gradient; `update` sets its next value. */
  buffer(name: string, shape: readonly number[], init: Init): E.Either<CompileError, Val> {
    const prev = this.buffers.get(name) ?? this.params.get(name);
    if (prev && (prev.buffer !== true || prev.shape.length !== shape.length || prev.shape.some((d, i) => d !== shape[i])))
      return E.left(compileError(name, `buffer declared as ${showShape(shape)} clashes with ${prev.buffer ? 'a buffer' : 'a parameter'} of shape ${showShape(prev.shape)}`));
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) return E.left(compileError(name, `buffer shape ${showShape(shape)} must have positive integer sizes`));
    this.buffers.set(name, { name, shape, init, buffer: true });
    return this.g.input(name, shape, 'param');
  }

  /** The value a buffer takes after this train step (the last call wins). */
  update(name: string, next: Val): E.Either<CompileError, void> {
    const b = this.buffers.get(name);
    if (!b) return E.left(compileError(name, 'updates a buffer that was never declared'));
    if (next.type.shape.length !== b.shape.length || next.type.shape.some((d, i) => d !== b.shape[i]))
      return E.left(compileError(name, `next value has shape ${showShape(next.type.shape)}, the buffer ${showShape(b.shape)}`));
    this.bufferUpdates.set(name, next);
    return E.right(undefined);
  }

  /** Standard normal noise ε with the given per-example shape: an input, so runs are replayable. */
  noise(name: string, shape: readonly number[]): E.Either<CompileError, Val> {
    this.noises.set(name, { name, shape, kind: 'normal' });
    return this.g.input(`noise.${name}`, ['B', ...shape], 'noise');
  }
}

/**
 * How the decoder's output parameterises p(x|z): `bernoulli` (logits), `gaussian` (mean, unit
 * variance, the term ½Σ(x−x̂)²), `mse` (mean, the term Σ(x−x̂)², i.e. variance ½).
 */
export type LikelihoodKind = 'bernoulli' | 'gaussian' | 'mse';

export interface ModelDef {
  readonly name: string;
  /** Per-example input shape (the batch dimension is implicit). */
  readonly inputShape: readonly number[];
  readonly codeShape: readonly number[];
  /** The range the data must lie in (e.g. [0, 1] for a Bernoulli likelihood); checked before training. */
  readonly dataRange?: readonly [number, number];
  /** The training objective's named terms; the optimised loss is Σ weight · value. */
  readonly loss: (ctx: BuildCtx, x: Val) => E.Either<CompileError, readonly Term[]>;
  /** Deterministic code for x (e.g. μ for a VAE). */
  readonly encode: (ctx: BuildCtx, x: Val) => E.Either<CompileError, Val>;
  /**
   * Further named outputs of the encode graph beside `code` (e.g. `logVar` of a Gaussian
   * encoder, so users can sample codes); optional.
   */
  readonly encodeExtra?: (ctx: BuildCtx, x: Val) => E.Either<CompileError, readonly { readonly name: string; readonly val: Val }[]>;
  /** Mean reconstruction from a code. */
  readonly decode: (ctx: BuildCtx, z: Val) => E.Either<CompileError, Val>;
  /** For Gaussian encoders: μ and log σ² of q(z|x) (evaluation: IWAE, MMD of samples). */
  readonly posterior?: (ctx: BuildCtx, x: Val) => E.Either<CompileError, { readonly mean: Val; readonly logVar: Val }>;
  /** The decoder's raw output (logits for a Bernoulli likelihood, the mean otherwise) and the likelihood it parameterises. */
  readonly decodeOutput?: (ctx: BuildCtx, z: Val) => E.Either<CompileError, Val>;
  readonly likelihood?: LikelihoodKind;
  /** The spec parameters (`--set`) the model was built with; recorded in the manifest. */
  readonly specParams?: Readonly<Record<string, number | string>>;
}

export const newCtx = (dtype: FloatDType, progress?: Progress) => new BuildCtx(new Graph(dtype), progress);
