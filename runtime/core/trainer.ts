// Drives compiled artifacts: the train step's outputs (parameters, optimizer state) are fed to
// the next step as the very same onnxruntime tensors; only the batch, the noise and the
// learning rate come from JavaScript each step.
import * as ort from '../host/providers/ort';
import type { Manifest } from '../../compiler/manifest';
import { allocate, type FloatArray } from './init';
import { Rng } from './random';
import { openSession, type Provider, type ProviderRequest } from '../host/session';
import { drawNoise, fusedLosses, initialState, nextCarried, noiseRng, stepLosses } from './trainState';
import { restoreCarried } from './carried';

export interface ArtifactBytes {
  readonly manifest: Manifest;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export interface TrainerOptions {
  readonly seed: number;
  readonly provider?: ProviderRequest;
  readonly threads?: number;
  /** Spinning intra-op threads (see SessionOptions.spin); onnxruntime's default when absent. */
  readonly spin?: boolean;
  readonly lr?: number;
  readonly log?: (line: string) => void;
}

export type Losses = Record<string, number>;

/** A trainer's state at one moment, to rewind to (see Trainer.mark). */
export interface TrainerMark {
  readonly carried: Readonly<Record<string, ort.Tensor>>;
  readonly noise: readonly number[];
  readonly lr: number;
}

const ortType = (dtype: 'f32' | 'f64') => (dtype === 'f64' ? 'float64' : 'float32');
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export class Trainer {
  /** Carried tensors: parameters and optimizer state, keyed by train-step input name. */
  private carried: Record<string, ort.Tensor>;
  private lr: number;

  private constructor(
    readonly manifest: Manifest,
    private readonly train: ort.InferenceSession,
    private readonly evaluator: ort.InferenceSession,
    private readonly multi: ort.InferenceSession,
    readonly provider: Provider,
    private noiseRng: Rng,
    initial: Record<string, ort.Tensor>,
  ) {
    this.carried = initial;
    this.lr = manifest.optimizer.lr;
  }

  static async create(art: ArtifactBytes, opts: TrainerOptions): Promise<Trainer> {
    const m = art.manifest;
    const sess = { provider: opts.provider, threads: opts.threads, spin: opts.spin, log: opts.log };
    const train = await openSession(art.files[m.artifacts.train_step.file], sess);
    const evaluator = await openSession(art.files[m.artifacts.evaluate.file], { ...sess, provider: train.provider });
    const multi = await openSession(art.files[m.multiStep.file], { ...sess, provider: train.provider });
    const values = initialState(m, opts.seed);
    const initial: Record<string, ort.Tensor> = {};
    for (const p of [...m.params, ...m.optimizer.state]) initial[p.name] = new ort.Tensor(ortType(m.dtype), values[p.name], [...p.shape]);
    const t = new Trainer(m, train.session, evaluator.session, multi.session, train.provider, noiseRng(opts.seed), initial);
    if (opts.lr !== undefined) t.setLearningRate(opts.lr);
    return t;
  }

  get learningRate(): number {
    return this.lr;
  }

  noiseState(): number[] {
    return this.noiseRng.state();
  }

  /** Put back a checkpoint's tensors and noise stream; names and sizes must match the manifest. */
  restore(tensors: Readonly<Record<string, FloatArray>>, noiseState: readonly number[]): void {
    this.carried = restoreCarried(this.carried, tensors);
    this.noiseRng = Rng.fromState(noiseState);
  }

  /**
   * The state to come back to (carried tensors, noise stream, learning rate): references, not
   * copies, since every call replaces the carried tensors rather than writing into them.
   */
  mark(): TrainerMark {
    return { carried: this.carried, noise: this.noiseRng.state(), lr: this.lr };
  }

  /** Go back to a mark(): the next steps then draw the same noise and give the same results. */
  rewind(mark: TrainerMark): void {
    this.carried = mark.carried;
    this.noiseRng = Rng.fromState(mark.noise);
    this.lr = mark.lr;
  }

  setLearningRate(lr: number): void {
    if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`learning rate must be positive, got ${lr}`);
    this.lr = lr;
  }

  private scalar(x: number): ort.Tensor {
    return new ort.Tensor(ortType(this.manifest.dtype), allocate(this.manifest.dtype, 1).fill(x), []);
  }

  /** f64 graphs (for checks) take f32 data converted; f32 data for f32 graphs passes as it is. */
  private inDtype(x: FloatArray): FloatArray {
    return this.manifest.dtype === 'f64' && x instanceof Float32Array ? Float64Array.from(x) : x;
  }

  private dataFeeds(x: FloatArray, batch: number, rng: Rng): Record<string, ort.Tensor> {
    const m = this.manifest;
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor(ortType(m.dtype), this.inDtype(x), [batch, ...m.inputShape]) };
    const noise = drawNoise(m, batch, rng);
    for (const nz of m.noise) feeds[`noise.${nz.name}`] = new ort.Tensor(ortType(m.dtype), noise[`noise.${nz.name}`], [batch, ...nz.shape]);
    return feeds;
  }

  private losses(out: ort.InferenceSession.OnnxValueMapType): Losses {
    return stepLosses(this.manifest, out);
  }

  /** One optimizer step on `batch` examples stored row-major in `x` (a view is fine). */
  async step(x: FloatArray, batch: number): Promise<Losses> {
    const feeds = { ...this.carried, ...this.dataFeeds(x, batch, this.noiseRng), [this.manifest.optimizer.lrInput]: this.scalar(this.lr) };
    const out = await this.train.run(feeds);
    this.carried = nextCarried(this.manifest, out as Record<string, ort.Tensor>);
    return this.losses(out);
  }

  /**
   * `steps` optimizer steps in one call of the fused graph: `xs` holds steps × batch examples
   * row-major (a view is fine). Noise is drawn in the order of `steps` calls to step(), so the
   * result equals them up to floating-point rounding.
   */
  async stepMany(xs: FloatArray, batch: number, steps: number): Promise<Losses[]> {
    const m = this.manifest;
    const dtype = ortType(m.dtype);
    const stacks: Record<string, FloatArray> = {};
    for (const nz of m.noise) stacks[`noise.${nz.name}`] = allocate(m.dtype, steps * batch * size(nz.shape));
    for (let s = 0; s < steps; s++)
      for (const nz of m.noise) {
        const per = batch * size(nz.shape);
        this.noiseRng.fillNormal(stacks[`noise.${nz.name}`].subarray(s * per, (s + 1) * per));
      }
    const feeds: Record<string, ort.Tensor> = { ...this.carried, [m.optimizer.lrInput]: this.scalar(this.lr) };
    for (const st of m.multiStep.stacked) {
      const perExample = st.input === 'x' ? m.inputShape : m.noise.find((nz) => `noise.${nz.name}` === st.input)!.shape;
      const data = st.input === 'x' ? this.inDtype(xs) : stacks[st.input];
      feeds[st.name] = new ort.Tensor(dtype, data, [steps, batch, ...perExample]);
    }
    const out = await this.multi.run(feeds);
    this.carried = nextCarried(m, out as Record<string, ort.Tensor>);
    return fusedLosses(m, out, steps);
  }

  /** Mean loss terms over `n` examples, in batches, without updating anything. Noise is seeded per call. */
  async evaluate(x: FloatArray, n: number, batch: number, seed = 1): Promise<Losses> {
    const rng = Rng.seeded(seed);
    const params = Object.fromEntries(this.manifest.params.map((p) => [p.name, this.carried[p.name]]));
    const sums: Losses = {};
    const dim = size(this.manifest.inputShape);
    for (let start = 0; start < n; start += batch) {
      const b = Math.min(batch, n - start);
      const out = await this.evaluator.run({ ...params, ...this.dataFeeds(x.subarray(start * dim, (start + b) * dim), b, rng) });
      for (const [k, v] of Object.entries(this.losses(out))) sums[k] = (sums[k] ?? 0) + v * b;
    }
    return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
  }

  /** Current values of parameters and optimizer state (copies out of onnxruntime). */
  snapshot(): Record<string, FloatArray> {
    return Object.fromEntries(Object.entries(this.carried).map(([k, t]) => [k, t.data as FloatArray]));
  }
}
