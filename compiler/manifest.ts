// The manifest: everything a runtime needs to drive the artifacts without knowing the model.
import type { DType, Shape } from './ir/types';
import type { Init, NoiseSpec, ParamSpec } from './model';
import type { OptimizerKind } from './optim/optimizer';

export const MANIFEST_FORMAT = 'hourglass-manifest/1';

export interface IOSpec {
  readonly name: string;
  /** Sizes, with 'B' for the batch dimension. */
  readonly shape: Shape;
  readonly dtype: DType;
  readonly role: 'data' | 'param' | 'state' | 'noise' | 'output';
}

export interface ArtifactSpec {
  readonly file: string;
  readonly inputs: readonly IOSpec[];
  readonly outputs: readonly IOSpec[];
}

export interface StateSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly model: string;
  /** The spec parameters (`--set name=value`) the model was built with, where it has any. */
  readonly specParams?: Readonly<Record<string, number | string>>;
  readonly dtype: 'f32' | 'f64';
  /** Scheduled hyperparameters (combinator path -> value in this build); empty when nothing follows a schedule. */
  readonly scheduled: Readonly<Record<string, number>>;
  /** sha256 of the training graph and optimizer: equal hashes mean equal training semantics. */
  readonly specHash: string;
  readonly inputShape: readonly number[];
  readonly codeShape: readonly number[];
  readonly params: readonly ParamSpec[];
  readonly noise: readonly NoiseSpec[];
  readonly optimizer: {
    readonly kind: OptimizerKind;
    readonly lr: number;
    readonly hyper: Readonly<Record<string, number>>;
    /** Per-parameter slots and the scalar step counter, in the train step's input order. */
    readonly state: readonly StateSpec[];
    readonly lrInput: string;
  };
  readonly terms: readonly { readonly name: string; readonly weight: number; readonly output: string }[];
  readonly lossOutput: string;
  /** Train-step outputs that become the next step's inputs. */
  readonly carry: readonly { readonly output: string; readonly input: string }[];
  readonly artifacts: Readonly<Record<string, ArtifactSpec>>;
  /**
   * The fused graph that runs S train steps in one call (an ONNX Loop): each `stacked` input is fed
   * as [S, ...its train-step shape]; the carried inputs and `opt.lr` are as in the train step; the
   * carry outputs have the train step's names; each per-step output comes back stacked as [S].
   */
  readonly multiStep: {
    readonly file: string;
    readonly stacked: readonly { readonly input: string; readonly name: string }[];
    readonly perStep: readonly { readonly output: string; readonly name: string }[];
  };
}
