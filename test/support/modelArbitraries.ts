// Random autoencoder specs for the fuzz tests: a plain description (fast-check shrinks and prints
// it), and a builder that turns it into a model through the public DSL only. Ill-shaped variants
// break exactly one rule each, and say which path the error must name.
import fc from 'fast-check';
import type { ModelDef } from '../../compiler/model';
import type { OptimizerKind } from '../../compiler/optim/optimizer';
import {
  autoencoder, bernoulli, dense, gaussian, gaussianHead, kl, mmd, mse, relu, reparameterise, sigmoid, softplus, sparsifyK, standardNormal, tanh, tied,
  type Kernel, type Shape, type T, type Term,
} from '../../dsl';

type Act = 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'none';
export interface LayerSpec {
  readonly width: number;
  readonly act: Act;
}
export type CodeSpec =
  | { readonly kind: 'plain'; readonly width: number; readonly act: Act }
  | { readonly kind: 'sparse'; readonly width: number; readonly k: number; readonly alpha: number }
  | { readonly kind: 'gaussian'; readonly latent: number; readonly clamp: boolean };
export interface ModelSpec {
  readonly input: number;
  readonly encoder: readonly LayerSpec[];
  readonly code: CodeSpec;
  /** Decoder weights tied to the code layer (only when the encoder is a single dense layer). */
  readonly tiedDecoder: boolean;
  readonly decoder: readonly LayerSpec[];
  readonly likelihood: 'bernoulli' | 'mse' | 'gaussian';
  readonly beta?: number;
  readonly mmd?: { readonly lambda: number; readonly kernel: Kernel };
  readonly optimizer: OptimizerKind;
  readonly lr: number;
}

/** One way to break a well-shaped spec, and the path its error must name. */
export type Breakage =
  | 'decoder-width' | 'k-above-width' | 'k-zero' | 'alpha-below-one' | 'negative-beta' | 'nan-lambda' | 'zero-width' | 'zero-input' | 'kl-prior-size' | 'mmd-prior-size' | 'bad-lr' | 'bad-clamp';

const width = fc.integer({ min: 1, max: 12 });
const act = fc.constantFrom<Act>('relu', 'sigmoid', 'tanh', 'softplus', 'none');
const layer = fc.record({ width, act });
const weight = fc.double({ min: 0, max: 1000, noNaN: true });

const code: fc.Arbitrary<CodeSpec> = fc.oneof(
  fc.record({ kind: fc.constant('plain' as const), width, act }),
  width.chain((w) => fc.record({ kind: fc.constant('sparse' as const), width: fc.constant(w), k: fc.integer({ min: 1, max: w }), alpha: fc.double({ min: 1, max: 4, noNaN: true }) })),
  fc.record({ kind: fc.constant('gaussian' as const), latent: fc.integer({ min: 1, max: 6 }), clamp: fc.boolean() }),
);

export const modelSpec: fc.Arbitrary<ModelSpec> = fc
  .record({
    input: fc.integer({ min: 1, max: 12 }),
    encoder: fc.array(layer, { maxLength: 3 }),
    code,
    tiedDecoder: fc.boolean(),
    decoder: fc.array(layer, { maxLength: 3 }),
    likelihood: fc.constantFrom('bernoulli' as const, 'mse' as const, 'gaussian' as const),
    beta: fc.option(weight, { nil: undefined }),
    mmd: fc.option(fc.record({ lambda: weight, kernel: fc.constantFrom<Kernel>('rbf', 'imq') }), { nil: undefined }),
    optimizer: fc.constantFrom<OptimizerKind>('adam', 'sgd', 'adagrad', 'rmsprop'),
    lr: fc.double({ min: 1e-5, max: 0.1, noNaN: true }),
  })
  .map((s) => ({
    ...s,
    // Tying needs a dense code layer straight after the input, and a decoder of that layer alone.
    tiedDecoder: s.tiedDecoder && s.encoder.length === 0 && s.code.kind !== 'gaussian',
    decoder: s.tiedDecoder && s.encoder.length === 0 && s.code.kind !== 'gaussian' ? [] : s.decoder,
  }));

export const breakage: fc.Arbitrary<Breakage> = fc.constantFrom<Breakage>(
  'decoder-width', 'k-above-width', 'k-zero', 'alpha-below-one', 'negative-beta', 'nan-lambda', 'zero-width', 'zero-input', 'kl-prior-size', 'mmd-prior-size', 'bad-lr', 'bad-clamp',
);

/** Make `spec` ill-shaped in the way `b` says; returns the spec and a pattern the error must match. */
export const breakSpec = (spec: ModelSpec, b: Breakage): { spec: ModelSpec; path: RegExp } => {
  const sparse = { kind: 'sparse' as const, width: 6, k: 2, alpha: 2 };
  const gauss = { kind: 'gaussian' as const, latent: 3, clamp: false };
  switch (b) {
    case 'decoder-width':
      return { spec: { ...spec, tiedDecoder: false, likelihood: 'mse', decoderOutput: spec.input + 1 } as ModelSpec, path: /^fz\.decoder\.dense\d+: expected \[\d+\] \(the input's shape\), got \[\d+\]/ };
    case 'k-above-width':
      return { spec: { ...spec, code: { ...sparse, k: 7 } }, path: /^fz\.encoder\.sparsifyK: k = 7/ };
    case 'k-zero':
      return { spec: { ...spec, code: { ...sparse, k: 0 } }, path: /^fz\.encoder\.sparsifyK: k = 0/ };
    case 'alpha-below-one':
      return { spec: { ...spec, code: { ...sparse, alpha: 0.5 } }, path: /^fz\.encoder\.sparsifyK: alpha/ };
    case 'negative-beta':
      return { spec: { ...spec, code: gauss, tiedDecoder: false, beta: -1 }, path: /^fz\.kl: beta must be/ };
    case 'nan-lambda':
      return { spec: { ...spec, mmd: { lambda: NaN, kernel: 'rbf' } }, path: /^fz\.mmd: lambda must be/ };
    case 'zero-width':
      return { spec: { ...spec, encoder: [{ width: 0, act: 'relu' }, ...spec.encoder], tiedDecoder: false }, path: /^fz\.encoder\.dense0/ };
    case 'zero-input':
      return { spec: { ...spec, input: 0 }, path: /^fz\.input: the input shape \[0\]/ };
    case 'kl-prior-size':
      return { spec: { ...spec, code: gauss, tiedDecoder: false, beta: 1, priorOffset: 1 } as ModelSpec, path: /^fz\.kl: prior of shape \[4\] against codes of shape \[3\]/ };
    case 'mmd-prior-size':
      return { spec: { ...spec, code: gauss, tiedDecoder: false, beta: undefined, mmd: { lambda: 1, kernel: 'imq' }, priorOffset: 1 } as ModelSpec, path: /^fz\.mmd[.:]/ };
    case 'bad-lr':
      return { spec: { ...spec, lr: -spec.lr }, path: /^fz\.optimizer: learning rate must be a positive number/ };
    case 'bad-clamp':
      return { spec: { ...spec, code: { ...gauss, clamp: true }, tiedDecoder: false, clampRange: [3, 3] } as ModelSpec, path: /^fz\.encoder\.gaussian0\.clampLogVar: / };
  }
};

const activate = (a: Act) => (x: T<Shape>): T<Shape> =>
  a === 'relu' ? relu(x) : a === 'sigmoid' ? sigmoid(x) : a === 'tanh' ? tanh(x) : a === 'softplus' ? softplus(x) : x;

type Vec = T<readonly [number]>;
const stack = (layers: readonly LayerSpec[]) => (x: Vec): Vec =>
  layers.reduce<Vec>((h, l) => activate(l.act)(dense(l.width)(h)) as Vec, x);

/** The model a spec describes, built only from the public combinators (shapes are run-time values here). */
export const buildModel = (spec: ModelSpec): ModelDef => {
  const extra = spec as ModelSpec & { decoderOutput?: number; priorOffset?: number; clampRange?: readonly [number, number] };
  const c = spec.code;
  const codeLayer = dense(c.kind === 'gaussian' ? c.latent : c.width);
  const encoder = (x: Vec) => {
    const h = stack(spec.encoder)(x);
    if (c.kind === 'gaussian') return gaussianHead(c.latent, { clampLogVar: c.clamp ? (extra.clampRange ?? [-20, 20]) : undefined })(h);
    const z = codeLayer(h);
    return c.kind === 'sparse' ? sparsifyK(c.k, { alpha: c.alpha })(z) : (activate(c.act)(z) as Vec);
  };
  const out = extra.decoderOutput ?? spec.input;
  const decoder = spec.tiedDecoder ? tied(codeLayer, out) : (z: Vec) => dense(out)(stack(spec.decoder)(z));
  const likelihood = spec.likelihood === 'bernoulli' ? bernoulli : spec.likelihood === 'mse' ? mse : gaussian;
  const latent = c.kind === 'gaussian' ? c.latent : c.width;
  const prior = standardNormal(latent + (extra.priorOffset ?? 0));
  const parts = { name: 'fz', input: [spec.input] as const, encoder, decoder, likelihood } as never;
  return autoencoder(parts).objective((({ x, code: q, decoder: dec }: { x: Vec; code: never; decoder: (z: Vec) => Vec }) => {
    const gaussianCode = c.kind === 'gaussian';
    const z: Vec = gaussianCode ? reparameterise(q) : q;
    const terms: Record<string, Term> = { reconstruction: likelihood(dec(z), x) };
    if (gaussianCode && spec.beta !== undefined) terms.kl = kl(q, prior as never, { beta: spec.beta });
    if (spec.mmd) terms.mmd = mmd(z, prior as never, spec.mmd);
    return terms;
  }) as never).def;
};
