// What a Trainer drives, independent of the kind of model: one carried state (parameters,
// optimizer state, buffers) and the named step graphs that read and update it. An autoencoder has
// one step ('train'); a GAN has two players ('discriminator', 'generator') over one state. Fused
// graphs run several steps per call (an ONNX Loop); readers (evaluate, encode, decode, generate)
// only read the parameters. Pure data, built from a manifest (aePlan here, the GAN's in apps/gan).
import type { Manifest } from '../../compiler/manifest';
import type { Init } from '../../compiler/model';

export interface StepGraph {
  readonly file: string;
  readonly lrInput: string;
  readonly lr: number;
  /** Outputs that become carried inputs for whatever runs next. */
  readonly carry: readonly { readonly output: string; readonly input: string }[];
  readonly lossOutput: string;
  readonly terms: readonly { readonly name: string; readonly output: string }[];
  /** Noise inputs ([B, ...shape]), drawn in this order from the trainer's stream before each step. */
  readonly noise: readonly { readonly input: string; readonly shape: readonly number[] }[];
  /** Whether it reads a data batch `x` [B, ...inputShape]. */
  readonly data: boolean;
}

/**
 * Several steps in one call: each iteration of its Loop runs `sequence` in order; a `repeated`
 * entry runs `repeat` times (a count the call chooses, e.g. the GAN's k discriminator steps).
 * Each stacked input is a step's input fed as [iterations, (repeat,) B, ...]; each per-step
 * output comes back as [iterations (, repeat)]. The carried outputs keep the steps' names.
 */
export interface FusedGraph {
  readonly file: string;
  readonly sequence: readonly { readonly step: string; readonly repeated?: true }[];
  readonly stacked: readonly { readonly step: string; readonly input: string; readonly name: string }[];
  readonly perStep: readonly { readonly step: string; readonly output: string; readonly name: string }[];
}

export interface TrainPlan {
  readonly dtype: 'f32' | 'f64';
  readonly inputShape: readonly number[];
  readonly codeShape?: readonly number[];
  /** Carried tensors, initialised in this order from one stream seeded by the trainer's seed. */
  readonly state: readonly { readonly name: string; readonly shape: readonly number[]; readonly init: Init }[];
  /** The parameters and buffers (what readers take), a subset of `state`. */
  readonly params: readonly string[];
  /** In the order they are opened; the first picks the provider the others are pinned to. */
  readonly steps: Readonly<Record<string, StepGraph>>;
  readonly fused: Readonly<Record<string, FusedGraph>>;
  /** Graphs that only read the parameters: name -> file. */
  readonly readers: Readonly<Record<string, string>>;
  /** Graphs opened when the trainer is created, after the steps. */
  readonly eager: readonly string[];
}

/** An autoencoder's plan: one 'train' step, its fused form 'multi', and evaluate/encode/decode. */
export const aePlan = (m: Manifest): TrainPlan => ({
  dtype: m.dtype,
  inputShape: m.inputShape,
  codeShape: m.codeShape,
  state: [...m.params, ...m.optimizer.state],
  params: m.params.map((p) => p.name),
  steps: {
    train: {
      file: m.artifacts.train_step.file,
      lrInput: m.optimizer.lrInput,
      lr: m.optimizer.lr,
      carry: m.carry,
      lossOutput: m.lossOutput,
      terms: m.terms,
      noise: m.noise.map((nz) => ({ input: `noise.${nz.name}`, shape: nz.shape })),
      data: true,
    },
  },
  fused: {
    multi: {
      file: m.multiStep.file,
      sequence: [{ step: 'train' }],
      stacked: m.multiStep.stacked.map((s) => ({ step: 'train', ...s })),
      perStep: m.multiStep.perStep.map((p) => ({ step: 'train', ...p })),
    },
  },
  readers: Object.fromEntries(['evaluate', 'encode', 'decode'].filter((n) => m.artifacts[n]).map((n) => [n, m.artifacts[n].file])),
  eager: ['evaluate'],
});
