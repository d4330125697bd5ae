// The numbers the papers report, measured on a finished run. The metrics are runtime/analysis/eval's (the
// ones `hourglass evaluate` prints: IWAE, MMD, the Higgins metric, the probe, the squared error);
// this module adapts reproduce's OpenRun to them. Encoders are read through graphs (the exported
// encode.onnx, or the spec's posterior / decoder-output graphs), so any architecture works.
import * as E from 'fp-ts/Either';
import { Matrix } from 'ml-matrix';
import type { Dataset } from '../../core/dataset';
import { loadSpecWithParams } from '../../host/spec/loadSpec';
import { higginsMetric, renderFactors } from '../../analysis/eval/disentanglement';
import { iwaeBound as iwaeOf } from '../../analysis/eval/iwae';
import { mmdRbf as unbiasedMmd } from '../../analysis/eval/mmd';
import { openEvalRun, type EvalModel } from '../../analysis/eval/model';
import { meanRowSquaredError } from '../../analysis/eval/objective';
import { pcaReconstructionError } from '../../analysis/pca';
import { linearProbe as evalProbe, type ProbeOptions } from '../../analysis/eval/probe';
import type { OpenRun } from '../../analysis/figures/run';
import { Rng } from '../../core/random';

/** Mean over images of Σ_pixels (x̂ − x)² (runtime/analysis/eval's). */
export const squaredErrorPerImage = (x: ArrayLike<number>, xhat: ArrayLike<number>, n: number, d: number): number => meanRowSquaredError(xhat, x, n, d);

/**
 * Mean over the n rows of x of Σ (x − x̂)², x̂ the projection onto the span of `vectors` (row-major
 * [d, r], orthonormal columns) through `mean`: PCA's rank-r error (runtime/analysis/eval's).
 */
export const pcaProjectionError = (mean: Float64Array, vectors: ArrayLike<number>, r: number, x: Float32Array, n: number, d: number): number =>
  pcaReconstructionError({ mean, basis: Matrix.from1DArray(d, r, Array.from(vectors)), variances: [] }, x, n, d);

export interface ProbeResult {
  readonly error: number;
  readonly protocol: string;
  /** The L2 weight the probe chose on its validation rows (or was given). */
  readonly l2: number;
}

export interface ProbeRows {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly n: number;
}

const labelled = (r: ProbeRows, d: number) => ({ x: r.x instanceof Float32Array ? r.x : Float32Array.from(r.x), labels: r.y, n: r.n, dim: d });

/**
 * runtime/analysis/eval's linear probe (multinomial logistic regression compiled and trained by Hourglass
 * on standardised features) on `train`, its test error on `test`.
 */
export const probeError = async (train: ProbeRows, test: ProbeRows, d: number, epochs = 20, o: Omit<ProbeOptions, 'epochs'> = {}): Promise<ProbeResult> => {
  const r = await evalProbe(labelled(train, d), labelled(test, d), { ...o, epochs });
  return { error: r.testError, protocol: r.protocol, l2: r.l2 };
};

/** Units (columns of codes [n, h]) that are zero for every example. */
export const deadUnits = (codes: ArrayLike<number>, n: number, h: number): number => {
  let dead = 0;
  for (let j = 0; j < h; j++) {
    let alive = false;
    for (let i = 0; i < n && !alive; i++) alive = codes[i * h + j] !== 0;
    if (!alive) dead++;
  }
  return dead;
};

/**
 * MMD² between n rows of a and of b, RBF kernel exp(−‖a − b‖² / d) as the DSL's mmd term:
 * runtime/analysis/eval's unbiased estimate (0 in expectation when the distributions agree).
 */
export const mmdRbf = (a: ArrayLike<number>, b: ArrayLike<number>, n: number, d: number): number => unbiasedMmd(a, n, b, n, d);

export interface GaussianCodes {
  readonly mean: Float64Array;
  readonly logVar: Float64Array;
}

/**
 * μ and log σ² of q(z | x) through the run's exported encode graph (outputs `code` and
 * `logVar`); Left when the encoder is not Gaussian (no logVar output).
 */
export const gaussianEncoder = async (run: OpenRun): Promise<E.Either<string, (x: ArrayLike<number>, n: number) => Promise<GaussianCodes>>> => {
  const enc = await run.outputs('encode');
  const probe = await enc(new Float32Array(run.dim), 1);
  if (!probe.logVar) return E.left(`${run.run.model}: the exported encoder has no logVar output (not a Gaussian encoder)`);
  return E.right(async (x, n) => {
    const o = await enc(x instanceof Float32Array ? x : Float32Array.from(x), n);
    return { mean: Float64Array.from(o.code), logVar: Float64Array.from(o.logVar) };
  });
};

/** One sample z ~ q(z | x) per row. */
export const sampleCodes = (q: GaussianCodes, rng: Rng): Float64Array => Float64Array.from(q.mean, (m, i) => m + Math.exp(0.5 * q.logVar[i]) * rng.normal());

// Per opened run (not per directory: a directory may be trained again within one process).
const evalModels = new WeakMap<OpenRun, Promise<E.Either<string, EvalModel>>>();

/**
 * The run opened as runtime/analysis/eval opens it for `hourglass evaluate`: its spec rebuilt with the
 * recorded parameters, so the posterior (μ, log σ²) and decoder-output (logits) graphs exist.
 */
export const evalModelOf = (run: OpenRun): Promise<E.Either<string, EvalModel>> => {
  let hit = evalModels.get(run);
  if (!hit) {
    hit = (async () => {
      const spec = await loadSpecWithParams(run.run.spec, { typecheck: false, set: Object.entries(run.run.params ?? {}).map(([k, v]) => `${k}=${v}`) });
      if (E.isLeft(spec)) return E.left(spec.left.message);
      const opened = await openEvalRun(run.dir, { model: spec.right.model });
      if (E.isLeft(opened)) return E.left(opened.left.message);
      return E.right(opened.right.model);
    })();
    evalModels.set(run, hit);
  }
  return hit;
};

/**
 * The importance-weighted bound (Burda et al. 2015) on log p(x) in nats, averaged over `n`
 * examples: runtime/analysis/eval's, through the spec's posterior and decoder-output graphs (any encoder;
 * the likelihood from its logits). NaN when the run's model has no Gaussian encoder or its spec
 * no longer builds. `enc` is unused (kept for the callers' signature).
 */
export const iwaeBound = async (run: OpenRun, _enc: unknown, x: Float32Array, n: number, K: number, seed = 3): Promise<number> => {
  const model = await evalModelOf(run);
  if (E.isLeft(model) || !model.right.hasPosterior || !model.right.likelihood) return NaN;
  return (await iwaeOf(model.right, x, n, K, { seed })).iwae;
};

export interface Disentanglement {
  readonly accuracy: number;
  readonly protocol: string;
}

/**
 * Higgins et al. 2017's metric, runtime/analysis/eval's `higginsMetric` (its classifier: the Hourglass
 * probe, 200 epochs). `codes` maps rendered images (and their factor rows) to codes.
 */
export const disentanglement = async (
  codes: (images: Float32Array, factors: Float32Array, n: number) => Promise<ArrayLike<number>>,
  codeDim: number,
  o: { readonly L: number; readonly train: number; readonly test: number; readonly seed?: number },
): Promise<Disentanglement> => {
  const r = await higginsMetric(async (f, count) => ({ codes: await codes(renderFactors(f, count), f, count), dim: codeDim }), {
    L: o.L,
    trainPoints: o.train,
    testPoints: o.test,
    seed: o.seed ?? 11,
    probe: { epochs: 200 },
  });
  return { accuracy: r.accuracy, protocol: r.protocol };
};

export type { Dataset };
