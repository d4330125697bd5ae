// Drives compiled artifacts: the train step's outputs (parameters, optimizer state) are fed to
// the next step as the very same onnxruntime tensors; only the batch, the noise and the
// learning rate come from JavaScript each step. The onnxruntime is the caller's (core/engine.ts):
// the CLI and the library open it on onnxruntime-node (host/trainer.ts), the page on onnxruntime-web.
import type { Manifest } from '../../compiler/manifest';
import { restoreCarried, snapshotCarried } from './carried';
import { floatTensor, type Engine, type InferenceSession, type Tensor } from './engine';
import { allocate, type FloatArray } from './init';
import { drawNoiseStacks, type NoiseAhead, type NoiseLayout } from './noiseStacks';
import { Rng } from './random';
import { drawNoise, fusedLosses, initialState, nextCarried, noiseRng, stepLosses } from './trainState';

export interface ArtifactBytes {
  readonly manifest: Manifest;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export interface TrainerOptions {
  readonly seed: number;
  readonly lr?: number;
  /** Awaited before every step: where the page pauses, stops, or draws between steps. */
  readonly beforeStep?: () => Promise<void>;
  /** Graphs to open now rather than on first use, so a provider that cannot run them fails here. */
  readonly eager?: readonly LazyGraph[];
}

export type Losses = Record<string, number>;

/** A trainer's state at one moment, to rewind to (see Trainer.mark). */
export interface TrainerMark {
  readonly carried: Readonly<Record<string, Tensor>>;
  readonly noise: readonly number[];
  readonly lr: number;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Graphs opened on first use: the fused steps, and the encoder and decoder the page draws with. */
export type LazyGraph = 'multi' | 'encode' | 'decode';

export class Trainer {
  /** Carried tensors: parameters and optimizer state, keyed by train-step input name. */
  private carried: Record<string, Tensor>;
  private lr: number;
  private readonly lazy: Partial<Record<LazyGraph, InferenceSession>> = {};
  /** The engine's drawer of the next fused call's noise, if it has one (see noiseStacks()). */
  private ahead?: NoiseAhead;

  private constructor(
    private readonly engine: Engine,
    readonly manifest: Manifest,
    private readonly art: ArtifactBytes,
    private readonly train: InferenceSession,
    private readonly evaluator: InferenceSession,
    readonly provider: string,
    private noiseRng: Rng,
    initial: Record<string, Tensor>,
    private readonly beforeStep?: () => Promise<void>,
  ) {
    this.carried = initial;
    this.lr = manifest.optimizer.lr;
  }

  static async create(engine: Engine, art: ArtifactBytes, opts: TrainerOptions): Promise<Trainer> {
    const m = art.manifest;
    const train = await engine.open(art.files[m.artifacts.train_step.file]);
    const evaluator = await engine.open(art.files[m.artifacts.evaluate.file], train.provider);
    const values = initialState(m, opts.seed);
    const initial: Record<string, Tensor> = {};
    for (const p of [...m.params, ...m.optimizer.state]) initial[p.name] = floatTensor(engine, m.dtype, values[p.name], p.shape);
    const t = new Trainer(engine, m, art, train.session, evaluator.session, train.provider, noiseRng(opts.seed), initial, opts.beforeStep);
    if (opts.lr !== undefined) t.setLearningRate(opts.lr);
    t.ahead = engine.noiseAhead?.();
    for (const g of opts.eager ?? []) await t.graph(g);
    return t;
  }

  private async graph(name: LazyGraph): Promise<InferenceSession> {
    const m = this.manifest;
    const file = name === 'multi' ? m.multiStep.file : m.artifacts[name].file;
    this.lazy[name] ??= (await this.engine.open(this.art.files[file], this.provider)).session;
    return this.lazy[name];
  }

  get learningRate(): number {
    return this.lr;
  }

  noiseState(): number[] {
    return this.noiseRng.state();
  }

  /** Put back a checkpoint's tensors and noise stream; names and sizes must match the manifest. */
  restore(tensors: Readonly<Record<string, FloatArray>>, noiseState: readonly number[]): void {
    this.carried = restoreCarried(this.engine, this.carried, tensors);
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

  /** f64 graphs (for checks) take f32 data converted; f32 data for f32 graphs passes as it is. */
  private tensor(data: FloatArray, dims: readonly number[]): Tensor {
    return floatTensor(this.engine, this.manifest.dtype, data, dims);
  }

  private scalar(x: number): Tensor {
    return this.tensor(allocate(this.manifest.dtype, 1).fill(x), []);
  }

  private dataFeeds(x: FloatArray, batch: number, rng: Rng): Record<string, Tensor> {
    const m = this.manifest;
    const feeds: Record<string, Tensor> = { x: this.tensor(x, [batch, ...m.inputShape]) };
    const noise = drawNoise(m, batch, rng);
    for (const nz of m.noise) feeds[`noise.${nz.name}`] = this.tensor(noise[`noise.${nz.name}`], [batch, ...nz.shape]);
    return feeds;
  }

  private losses(out: InferenceSession.OnnxValueMapType): Losses {
    return stepLosses(this.manifest, out);
  }

  /** One optimizer step on `batch` examples stored row-major in `x` (a view is fine). */
  async step(x: FloatArray, batch: number): Promise<Losses> {
    await this.beforeStep?.();
    const feeds = { ...this.carried, ...this.dataFeeds(x, batch, this.noiseRng), [this.manifest.optimizer.lrInput]: this.scalar(this.lr) };
    const out = await this.train.run(feeds);
    this.carried = nextCarried(this.manifest, out as Record<string, Tensor>);
    return this.losses(out);
  }

  /**
   * `steps` optimizer steps in one call of the fused graph: `xs` holds steps × batch examples
   * row-major (a view is fine). Noise is drawn in the order of `steps` calls to step(), so the
   * result equals them up to floating-point rounding.
   */
  async stepMany(xs: FloatArray, batch: number, steps: number): Promise<Losses[]> {
    await this.beforeStep?.();
    const m = this.manifest;
    const multi = await this.graph('multi');
    const stacks = await this.noiseStacks(steps, batch);
    const feeds: Record<string, Tensor> = { ...this.carried, [m.optimizer.lrInput]: this.scalar(this.lr) };
    for (const st of m.multiStep.stacked) {
      const perExample = st.input === 'x' ? m.inputShape : m.noise.find((nz) => `noise.${nz.name}` === st.input)!.shape;
      feeds[st.name] = this.tensor(st.input === 'x' ? xs : stacks[st.input], [steps, batch, ...perExample]);
    }
    const out = await multi.run(feeds);
    this.carried = nextCarried(m, out as Record<string, Tensor>);
    return fusedLosses(m, out, steps);
  }

  /**
   * One fused call's noise, `noise.<name>` → [steps × batch × shape]: the prefetch the engine drew
   * from this very stream state while the last call ran, or drawn here. Either way the stream then
   * moves past it, and the next call's noise (guessed to be this call's shape) is started.
   */
  private async noiseStacks(steps: number, batch: number): Promise<Record<string, FloatArray>> {
    const m = this.manifest;
    const layout: NoiseLayout = { dtype: m.dtype, iterations: steps, groups: [{ times: 1, per: m.noise.map((nz) => batch * size(nz.shape)) }] };
    const ahead = m.noise.length ? this.ahead : undefined;
    const prefetched = await ahead?.take(this.noiseRng.state(), layout);
    const stacks = prefetched ? prefetched.stacks : drawNoiseStacks(this.noiseRng, layout);
    if (prefetched) this.noiseRng = Rng.fromState(prefetched.state);
    ahead?.ahead(this.noiseRng.state(), layout);
    return Object.fromEntries(m.noise.map((nz, i) => [`noise.${nz.name}`, stacks[i]]));
  }

  /** Mean loss terms over `n` examples, in batches, without updating anything. Noise is seeded per call. */
  async evaluate(x: FloatArray, n: number, batch: number, seed = 1): Promise<Losses> {
    const rng = Rng.seeded(seed);
    const params = this.params();
    const sums: Losses = {};
    const dim = size(this.manifest.inputShape);
    for (let start = 0; start < n; start += batch) {
      const b = Math.min(batch, n - start);
      const out = await this.evaluator.run({ ...params, ...this.dataFeeds(x.subarray(start * dim, (start + b) * dim), b, rng) });
      for (const [k, v] of Object.entries(this.losses(out))) sums[k] = (sums[k] ?? 0) + v * b;
    }
    return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
  }

  /** The parameters `session` takes (all of them, or the encoder's or decoder's half). */
  private params(session?: InferenceSession): Record<string, Tensor> {
    const wanted = session ? new Set(session.inputNames) : undefined;
    return Object.fromEntries(this.manifest.params.filter((p) => !wanted || wanted.has(p.name)).map((p) => [p.name, this.carried[p.name]]));
  }

  /** Codes of `n` examples under the current parameters. */
  async encode(x: Float32Array, n: number): Promise<Float32Array> {
    const encode = await this.graph('encode');
    const out = await encode.run({ ...this.params(encode), x: this.tensor(x, [n, ...this.manifest.inputShape]) });
    return Float32Array.from(out.code.data as FloatArray);
  }

  /** Decoder means of `n` codes under the current parameters. */
  async decode(z: Float32Array, n: number): Promise<Float32Array> {
    const decode = await this.graph('decode');
    const out = await decode.run({ ...this.params(decode), code: this.tensor(z, [n, ...this.manifest.codeShape]) });
    return Float32Array.from(out.xhat.data as FloatArray);
  }

  /** Current values of parameters and optimizer state (copies out of onnxruntime). */
  snapshot(): Record<string, FloatArray> {
    return snapshotCarried(this.carried);
  }

  async release(): Promise<void> {
    await this.ahead?.close();
    for (const s of [this.train, this.evaluator, ...Object.values(this.lazy)]) await s.release();
  }
}
