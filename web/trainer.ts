// The page's trainer: the Node trainer's contract (runtime/core/trainer.ts) on onnxruntime-web. The
// starting state, the noise stream and its draws come from runtime/core/trainState.ts, the file the
// Node trainer uses, so the same seed gives the same parameters and noise in both; only the
// session plumbing differs, since the two onnxruntime packages are separate modules.
import type * as OrtWeb from 'onnxruntime-web';
import type { Manifest } from '../compiler/manifest';
import type { FloatArray } from '../runtime/core/init';
import { allocate } from '../runtime/core/init';
import type { LoopTrainer } from '../runtime/core/loop';
import { Rng } from '../runtime/core/random';
import type { ArtifactBytes, Losses, TrainerMark } from '../runtime/core/trainer';
import { drawNoise, fusedLosses, initialState, nextCarried, noiseRng, stepLosses } from '../runtime/core/trainState';

export type Ort = typeof OrtWeb;
type Tensor = OrtWeb.Tensor;
type Session = OrtWeb.InferenceSession;

export interface WebTrainerOptions {
  readonly seed: number;
  readonly lr?: number;
  /** 'wasm' or 'webgpu'; the caller decides (a WebGPU build of onnxruntime-web for 'webgpu'). */
  readonly executionProvider: 'wasm' | 'webgpu';
  /** Awaited before every step: where the page pauses, stops, or draws between steps. */
  readonly beforeStep?: () => Promise<void>;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const ortType = (dtype: 'f32' | 'f64') => (dtype === 'f64' ? 'float64' : 'float32');

export class WebTrainer implements LoopTrainer {
  private carried: Record<string, Tensor>;
  private lr: number;
  private multi?: Session;

  private constructor(
    private readonly ort: Ort,
    readonly manifest: Manifest,
    private readonly art: ArtifactBytes,
    private readonly sessions: Readonly<Record<'train' | 'evaluate' | 'encode' | 'decode', Session>>,
    private readonly opts: WebTrainerOptions,
    private noiseRng: Rng,
    initial: Record<string, Tensor>,
  ) {
    this.carried = initial;
    this.lr = opts.lr ?? manifest.optimizer.lr;
  }

  static async create(ort: Ort, art: ArtifactBytes, opts: WebTrainerOptions): Promise<WebTrainer> {
    const m = art.manifest;
    const open = (name: string) => ort.InferenceSession.create(art.files[m.artifacts[name].file], WebTrainer.sessionOptions(opts));
    const sessions = { train: await open('train_step'), evaluate: await open('evaluate'), encode: await open('encode'), decode: await open('decode') };
    const values = initialState(m, opts.seed);
    const initial: Record<string, Tensor> = {};
    for (const p of [...m.params, ...m.optimizer.state]) initial[p.name] = new ort.Tensor(ortType(m.dtype), values[p.name], [...p.shape]);
    return new WebTrainer(ort, m, art, sessions, opts, noiseRng(opts.seed), initial);
  }

  private static sessionOptions(opts: WebTrainerOptions): OrtWeb.InferenceSession.SessionOptions {
    return { executionProviders: [opts.executionProvider], graphOptimizationLevel: 'all', executionMode: 'sequential' };
  }

  get learningRate(): number {
    return this.lr;
  }

  noiseState(): number[] {
    return this.noiseRng.state();
  }

  setLearningRate(lr: number): void {
    if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`learning rate must be positive, got ${lr}`);
    this.lr = lr;
  }

  /** Put back a checkpoint's tensors and noise stream; names and sizes must match the manifest. */
  restore(tensors: Readonly<Record<string, FloatArray>>, noiseState: readonly number[]): void {
    const next: Record<string, Tensor> = {};
    for (const [name, current] of Object.entries(this.carried)) {
      const saved = tensors[name];
      if (!saved || saved.length !== current.size) throw new RangeError(`checkpoint tensor ${name} is missing or has the wrong size`);
      next[name] = new this.ort.Tensor(current.type as 'float32' | 'float64', saved, current.dims);
    }
    this.carried = next;
    this.noiseRng = Rng.fromState(noiseState);
  }

  mark(): TrainerMark {
    return { carried: this.carried, noise: this.noiseRng.state(), lr: this.lr };
  }

  rewind(mark: TrainerMark): void {
    this.carried = { ...mark.carried };
    this.noiseRng = Rng.fromState(mark.noise);
    this.lr = mark.lr;
  }

  private tensor(data: FloatArray, dims: readonly number[]): Tensor {
    const m = this.manifest;
    const typed = m.dtype === 'f64' && data instanceof Float32Array ? Float64Array.from(data) : data;
    return new this.ort.Tensor(ortType(m.dtype), typed, [...dims]);
  }

  private dataFeeds(x: FloatArray, batch: number, rng: Rng): Record<string, Tensor> {
    const m = this.manifest;
    const feeds: Record<string, Tensor> = { x: this.tensor(x, [batch, ...m.inputShape]) };
    const noise = drawNoise(m, batch, rng);
    for (const nz of m.noise) feeds[`noise.${nz.name}`] = this.tensor(noise[`noise.${nz.name}`], [batch, ...nz.shape]);
    return feeds;
  }

  private losses(out: OrtWeb.InferenceSession.OnnxValueMapType): Losses {
    return stepLosses(this.manifest, out);
  }

  async step(x: FloatArray, batch: number): Promise<Losses> {
    await this.opts.beforeStep?.();
    const m = this.manifest;
    const lr = this.tensor(allocate(m.dtype, 1).fill(this.lr), []);
    const out = await this.sessions.train.run({ ...this.carried, ...this.dataFeeds(x, batch, this.noiseRng), [m.optimizer.lrInput]: lr });
    this.carried = nextCarried(m, out as Record<string, Tensor>);
    return this.losses(out);
  }

  /** The fused graph (an ONNX Loop); opened on first use, since the page trains single steps. */
  async stepMany(xs: FloatArray, batch: number, steps: number): Promise<Losses[]> {
    await this.opts.beforeStep?.();
    const m = this.manifest;
    this.multi ??= await this.ort.InferenceSession.create(this.art.files[m.multiStep.file], WebTrainer.sessionOptions(this.opts));
    const stacks: Record<string, FloatArray> = {};
    for (const nz of m.noise) stacks[`noise.${nz.name}`] = allocate(m.dtype, steps * batch * size(nz.shape));
    for (let s = 0; s < steps; s++) {
      const noise = drawNoise(m, batch, this.noiseRng);
      for (const [k, v] of Object.entries(noise)) stacks[k].set(v, s * v.length);
    }
    const feeds: Record<string, Tensor> = { ...this.carried, [m.optimizer.lrInput]: this.tensor(allocate(m.dtype, 1).fill(this.lr), []) };
    for (const st of m.multiStep.stacked) {
      const perExample = st.input === 'x' ? m.inputShape : m.noise.find((nz) => `noise.${nz.name}` === st.input)!.shape;
      feeds[st.name] = this.tensor(st.input === 'x' ? xs : stacks[st.input], [steps, batch, ...perExample]);
    }
    const out = await this.multi.run(feeds);
    this.carried = nextCarried(m, out as Record<string, Tensor>);
    return fusedLosses(m, out, steps);
  }

  /** Mean loss terms over `n` examples without updating anything; noise seeded per call, as in Node. */
  async evaluate(x: FloatArray, n: number, batch: number, seed = 1): Promise<Losses> {
    const rng = Rng.seeded(seed);
    const sums: Losses = {};
    const dim = size(this.manifest.inputShape);
    for (let start = 0; start < n; start += batch) {
      const b = Math.min(batch, n - start);
      const out = await this.sessions.evaluate.run({ ...this.params(), ...this.dataFeeds(x.subarray(start * dim, (start + b) * dim), b, rng) });
      for (const [k, v] of Object.entries(this.losses(out))) sums[k] = (sums[k] ?? 0) + v * b;
    }
    return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
  }

  /** The parameters `session` takes (all of them, or the encoder's or decoder's half). */
  private params(session?: Session): Record<string, Tensor> {
    const wanted = session ? new Set(session.inputNames) : undefined;
    return Object.fromEntries(this.manifest.params.filter((p) => !wanted || wanted.has(p.name)).map((p) => [p.name, this.carried[p.name]]));
  }

  /** Codes of `n` examples under the current parameters. */
  async encode(x: Float32Array, n: number): Promise<Float32Array> {
    const out = await this.sessions.encode.run({ ...this.params(this.sessions.encode), x: this.tensor(x, [n, ...this.manifest.inputShape]) });
    return Float32Array.from(out.code.data as FloatArray);
  }

  /** Decoder means of `n` codes under the current parameters. */
  async decode(z: Float32Array, n: number): Promise<Float32Array> {
    const out = await this.sessions.decode.run({ ...this.params(this.sessions.decode), code: this.tensor(z, [n, ...this.manifest.codeShape]) });
    return Float32Array.from(out.xhat.data as FloatArray);
  }

  snapshot(): Record<string, FloatArray> {
    return Object.fromEntries(Object.entries(this.carried).map(([k, t]) => [k, t.data as FloatArray]));
  }

  async release(): Promise<void> {
    for (const s of [...Object.values(this.sessions), ...(this.multi ? [this.multi] : [])]) await s.release();
  }
}
