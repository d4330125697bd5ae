// A trained model opened for evaluation: the compiled graphs (parameters as inputs) with the
// run's trained tensors fed to every call. Rows go through in batches; outputs come back as
// Float32Array rows (f64 graphs included), and noise is drawn from a seeded stream per call.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import * as ort from '../../host/providers/ort';
import { compileModel, type Artifacts } from '../../../compiler/compile';
import { compileEvalGraphs, type EvalGraphs } from '../../../compiler/evalGraphs';
import { showError } from '../../../compiler/ir/types';
import type { Manifest } from '../../../compiler/manifest';
import type { LikelihoodKind, ModelDef } from '../../../compiler/model';
import type { FloatArray } from '../../core/init';
import { Rng } from '../../core/random';
import { asF32, runBatched } from '../../run/batched';
import { runFiles } from '../../run/layout';
import { openSession } from '../../host/session';
import type { Failure } from '../../core/failure';
import type { RunInfo } from '../../run/finished';
import { runDir, type RunDir } from '../../run/open';
import { EXIT } from '../../core/failure';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export interface EvalModel {
  readonly manifest: Manifest;
  readonly inputDim: number;
  readonly codeDim: number;
  /** The likelihood's kind, where the graphs to evaluate it exist (IWAE needs it). */
  readonly likelihood?: LikelihoodKind;
  readonly hasPosterior: boolean;
  /** Where the graphs came from, for the protocol line. */
  readonly source: string;
  /** Mean of every objective term and the total over n rows, one noise draw per row. */
  terms(x: Float32Array, n: number, seed: number, batch?: number): Promise<Record<string, number>>;
  encode(x: Float32Array, n: number): Promise<Float32Array>;
  reconstruct(x: Float32Array, n: number): Promise<Float32Array>;
  decode(z: Float32Array, n: number): Promise<Float32Array>;
  /** μ and log σ² of q(z|x), rows of codeDim (f64 for f64 graphs). */
  posterior(x: Float32Array, n: number): Promise<{ mean: FloatArray; logVar: FloatArray }>;
  /** The decoder's raw output (logits for Bernoulli), f64 for f64 graphs; z may be f64 too. */
  decoderOutput(z: FloatArray, n: number): Promise<FloatArray>;
}

type Sess = ort.InferenceSession;

export const openEvalModel = async (
  art: Pick<Artifacts, 'manifest' | 'files'>,
  weights: Readonly<Record<string, FloatArray>>,
  extra: EvalGraphs | undefined,
  opts: { threads?: number; source?: string } = {},
): Promise<EvalModel> => {
  const m = art.manifest;
  const type = m.dtype === 'f64' ? 'float64' : 'float32';
  const tensors: Record<string, ort.Tensor> = {};
  for (const p of m.params) {
    const w = weights[p.name];
    if (!w || w.length !== size(p.shape)) throw new RangeError(`weights: ${p.name} is missing or has the wrong size`);
    tensors[p.name] = new ort.Tensor(type, m.dtype === 'f64' ? Float64Array.from(w) : Float32Array.from(w), [...p.shape]);
  }
  const open = async (bytes: Uint8Array | undefined) => (bytes ? (await openSession(bytes, { threads: opts.threads })).session : undefined);
  const sessions = {
    evaluate: await open(art.files[m.artifacts.evaluate.file]),
    encode: await open(art.files[m.artifacts.encode.file]),
    decode: await open(art.files[m.artifacts.decode.file]),
    reconstruct: await open(art.files[m.artifacts.reconstruct.file]),
    posterior: await open(extra?.posterior),
    decoderOutput: await open(extra?.decoderOutput),
  };
  const inputDim = size(m.inputShape);
  const codeDim = size(m.codeShape);
    const paramsOf = (s: Sess) => Object.fromEntries(s.inputNames.filter((k) => tensors[k]).map((k) => [k, tensors[k]]));

  /** Rows of `x` through `s` in batches (run/batched.ts), the weights fed to every batch. */
  const rows = async (s: Sess | undefined, what: string, input: string, x: FloatArray, n: number, inShape: readonly number[], batch = 1000, noise?: Rng) => {
    if (!s) throw new RangeError(`this model has no ${what} graph`);
    const noiseInputs = noise ? { rng: noise, inputs: m.noise.map((nz) => ({ name: `noise.${nz.name}`, shape: nz.shape })) } : undefined;
    return runBatched(s, { dtype: m.dtype, input, shape: inShape, fixed: paramsOf(s), noise: noiseInputs, batch }, x, n);
  };

  return {
    manifest: m,
    inputDim,
    codeDim,
    likelihood: extra?.decoderOutput ? extra.likelihood : undefined,
    hasPosterior: Boolean(sessions.posterior),
    source: opts.source ?? 'artifacts',
    async terms(x, n, seed, batch = 500) {
      // Scalar outputs (batch means) are weighted by the batch size into a mean over rows.
      const s = sessions.evaluate;
      if (!s) throw new RangeError('this model has no evaluate graph');
      const rng = Rng.seeded(seed);
      const sums: Record<string, number> = {};
      for (let i = 0; i < n; i += batch) {
        const b = Math.min(batch, n - i);
        const out = await rows(s, 'evaluate', 'x', x.subarray(i * inputDim, (i + b) * inputDim), b, m.inputShape, b, rng);
        sums.loss = (sums.loss ?? 0) + out[m.lossOutput][0] * b;
        for (const t of m.terms) sums[t.name] = (sums[t.name] ?? 0) + out[t.output][0] * b;
      }
      return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
    },
    encode: async (x, n) => asF32((await rows(sessions.encode, 'encode', 'x', x, n, m.inputShape)).code),
    reconstruct: async (x, n) => asF32((await rows(sessions.reconstruct, 'reconstruct', 'x', x, n, m.inputShape)).xhat),
    decode: async (z, n) => asF32((await rows(sessions.decode, 'decode', 'code', z, n, m.codeShape)).xhat),
    async posterior(x, n) {
      const o = await rows(sessions.posterior, 'posterior (Gaussian encoder)', 'x', x, n, m.inputShape);
      return { mean: o.mean, logVar: o.logVar };
    },
    decoderOutput: async (z, n) => (await rows(sessions.decoderOutput, 'decoder-output', 'code', z, n, m.codeShape)).out,
  };
};

/** The artifacts a run wrote at training time (epoch 1's build), read back from its directory. */
const runArtifacts = (run: RunInfo): Pick<Artifacts, 'manifest' | 'files'> => {
  const dir = runFiles(run.dir).artifacts;
  const files: Record<string, Uint8Array> = {};
  for (const a of Object.values(run.manifest.artifacts)) if (existsSync(join(dir, a.file))) files[a.file] = readFileSync(join(dir, a.file));
  return { manifest: run.manifest, files };
};

export interface EvalRun {
  readonly run: RunInfo;
  readonly model: EvalModel;
  /** Why some graphs are missing (a changed spec, no spec given), for the output. */
  readonly notes: readonly string[];
}

/**
 * Open a run for evaluation (run/open.ts's runDir: its record and weights; a run stopped before
 * exporting is evaluated too). With the spec's model (built with the run's parameters),
 * the graphs are compiled afresh at the run's last epoch (so k-annealed models evaluate with the
 * final k) and the posterior / decoder-output graphs exist; the spec must still compile to the
 * run's spec hash. Without it, the run's own artifacts are used and IWAE is unavailable.
 */
export const openEvalRun = async (at: string | RunDir, opts: { model?: ModelDef; threads?: number } = {}): Promise<E.Either<Failure, EvalRun>> => {
  const r = typeof at === 'string' ? runDir(at) : at;
  const dir = r.dir;
  const trained = r.trained();
  if (E.isLeft(trained)) return trained;
  const { info: run, weights } = trained.right;
  const m = run.manifest;
  const notes: string[] = [];
  if (opts.model) {
    const optimizer = { kind: m.optimizer.kind, lr: m.optimizer.lr, hyper: m.optimizer.hyper };
    const first = compileModel(opts.model, { optimizer, dtype: m.dtype, progress: { epoch: 1, epochs: Number(run.settings.epochs ?? 1) } });
    if (E.isLeft(first)) return E.left({ message: `${run.spec}: ${showError(first.left)}`, exitCode: EXIT.dataErr });
    if (first.right.manifest.specHash !== m.specHash) notes.push(`${run.spec} no longer compiles to the run's spec hash; evaluating the run's own artifacts`);
    else {
      const epochs = Number(run.settings.epochs ?? 1);
      const last = Object.keys(first.right.manifest.scheduled).length ? compileModel(opts.model, { optimizer, dtype: m.dtype, progress: { epoch: epochs, epochs } }) : first;
      if (E.isLeft(last)) return E.left({ message: `${run.spec}: ${showError(last.left)}`, exitCode: EXIT.dataErr });
      const extra = compileEvalGraphs(opts.model, m.dtype);
      if (E.isLeft(extra)) return E.left({ message: `${run.spec}: ${showError(extra.left)}`, exitCode: EXIT.dataErr });
      const model = await openEvalModel(last.right, weights, extra.right, { threads: opts.threads, source: `${run.spec} compiled at epoch ${epochs}` });
      return E.right({ run, model, notes });
    }
  } else notes.push('no spec: evaluating the run\'s own artifacts (no IWAE)');
  const model = await openEvalModel(runArtifacts(run), weights, undefined, { threads: opts.threads, source: `${dir}/artifacts` });
  return E.right({ run, model, notes });
};
