// Drives compiled step graphs over one carried state (core/trainPlan.ts): each step's outputs
// (parameters, optimizer state) are fed to the next step as the very same onnxruntime tensors; only
// the batch, the noise and the learning rate come from JavaScript each step. An autoencoder has one
// step graph; a GAN's two players are two step graphs over the same state and noise stream.
// The onnxruntime is the caller's (core/engine.ts): the CLI and the library open it on
// onnxruntime-node (host/trainer.ts), the page on onnxruntime-web.
import type { Manifest } from '../../compiler/manifest';
import { restoreCarried, snapshotCarried } from './carried';
import { floatTensor, type Engine, type InferenceSession, type Tensor } from './engine';
import { allocate, type FloatArray } from './init';
import { Rng } from './random';
import { aePlan, type FusedGraph, type StepGraph, type TrainPlan } from './trainPlan';
import { initialValuesOf, noiseRng } from './trainState';

export interface ArtifactBytes {
  readonly manifest: Manifest;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export interface TrainerOptions {
  readonly seed: number;
  /** Every step graph's learning rate (else each keeps its manifest's). */
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
  readonly lr: Readonly<Record<string, number>>;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const at = (t: Tensor, i: number) => Number((t.data as ArrayLike<number>)[i]);

/** Graphs opened on first use: fused steps and readers ('multi', 'encode', 'decode', 'generate', …). */
export type LazyGraph = string;

export class Trainer {
  /** Carried tensors: parameters, optimizer state and buffers, keyed by step-graph input name. */
  private carried: Record<string, Tensor>;
  /** Each step graph's learning rate. */
  private lr: Record<string, number>;
  private readonly sessions: Record<string, InferenceSession> = {};

  private constructor(
    private readonly engine: Engine,
    readonly plan: TrainPlan,
    private readonly files: Readonly<Record<string, Uint8Array>>,
    readonly provider: string,
    private noiseRng: Rng,
    initial: Record<string, Tensor>,
    private readonly beforeStep?: () => Promise<void>,
  ) {
    this.carried = initial;
    this.lr = Object.fromEntries(Object.entries(plan.steps).map(([name, s]) => [name, s.lr]));
  }

  /** An autoencoder's trainer (aePlan). */
  static create(engine: Engine, art: ArtifactBytes, opts: TrainerOptions): Promise<Trainer> {
    return Trainer.open(engine, art.files, aePlan(art.manifest), opts);
  }

  /** A trainer for any plan: initial state from `opts.seed`, the steps and `plan.eager` opened now. */
  static async open(engine: Engine, files: Readonly<Record<string, Uint8Array>>, plan: TrainPlan, opts: TrainerOptions): Promise<Trainer> {
    const [first, ...others] = Object.keys(plan.steps);
    const opened = await engine.open(files[plan.steps[first].file]);
    const values = initialValuesOf(plan, opts.seed);
    const initial: Record<string, Tensor> = {};
    for (const s of plan.state) initial[s.name] = floatTensor(engine, plan.dtype, values[s.name], s.shape);
    const t = new Trainer(engine, plan, files, opened.provider, noiseRng(opts.seed), initial, opts.beforeStep);
    t.sessions[first] = opened.session;
    for (const g of [...others, ...plan.eager, ...(opts.eager ?? [])]) await t.graph(g);
    if (opts.lr !== undefined) t.setLearningRate(opts.lr);
    return t;
  }

  private fileOf(name: string): string {
    const file = this.plan.steps[name]?.file ?? this.plan.fused[name]?.file ?? this.plan.readers[name];
    if (file === undefined) throw new RangeError(`this trainer has no graph ${name}`);
    return file;
  }

  private async graph(name: string): Promise<InferenceSession> {
    this.sessions[name] ??= (await this.engine.open(this.files[this.fileOf(name)], this.provider)).session;
    return this.sessions[name];
  }

  /** The first step graph's learning rate (an autoencoder's only one). */
  get learningRate(): number {
    return this.lr[Object.keys(this.plan.steps)[0]];
  }

  setLearningRate(lr: number): void {
    if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`learning rate must be positive, got ${lr}`);
    for (const name of Object.keys(this.lr)) this.lr[name] = lr;
  }

  noiseState(): number[] {
    return this.noiseRng.state();
  }

  /** Put back a checkpoint's tensors and noise stream; names and sizes must match the plan. */
  restore(tensors: Readonly<Record<string, FloatArray>>, noiseState: readonly number[]): void {
    this.carried = restoreCarried(this.engine, this.carried, tensors);
    this.noiseRng = Rng.fromState(noiseState);
  }

  /**
   * The state to come back to (carried tensors, noise stream, learning rates): references, not
   * copies, since every call replaces the carried tensors rather than writing into them.
   */
  mark(): TrainerMark {
    return { carried: this.carried, noise: this.noiseRng.state(), lr: { ...this.lr } };
  }

  /** Go back to a mark(): the next steps then draw the same noise and give the same results. */
  rewind(mark: TrainerMark): void {
    this.carried = mark.carried;
    this.noiseRng = Rng.fromState(mark.noise);
    this.lr = { ...mark.lr };
  }

  /** f64 graphs (for checks) take f32 data converted; f32 data for f32 graphs passes as it is. */
  private tensor(data: FloatArray, dims: readonly number[]): Tensor {
    return floatTensor(this.engine, this.plan.dtype, data, dims);
  }

  private scalar(x: number): Tensor {
    return this.tensor(allocate(this.plan.dtype, 1).fill(x), []);
  }

  /** The carried tensors `session` reads. */
  private carriedFor(session: InferenceSession): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    for (const name of session.inputNames) if (this.carried[name]) feeds[name] = this.carried[name];
    return feeds;
  }

  /** Replaces the carried tensors `carry` names by this call's outputs. */
  private advance(out: InferenceSession.OnnxValueMapType, carry: StepGraph['carry']): void {
    const next = { ...this.carried };
    for (const c of carry) next[c.input] = out[c.output] as Tensor;
    this.carried = next;
  }

  /** A step's batch (where it reads one) and its noise, drawn from `rng` in the plan's order. */
  private dataFeeds(step: StepGraph, batch: number, rng: Rng, x?: FloatArray): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    if (step.data) {
      if (!x) throw new RangeError('this step needs a data batch');
      feeds.x = this.tensor(x, [batch, ...this.plan.inputShape]);
    }
    for (const nz of step.noise) {
      const eps = allocate(this.plan.dtype, batch * size(nz.shape));
      rng.fillNormal(eps);
      feeds[nz.input] = this.tensor(eps, [batch, ...nz.shape]);
    }
    return feeds;
  }

  private losses(step: StepGraph, out: InferenceSession.OnnxValueMapType, i = 0, names?: Readonly<Record<string, string>>): Losses {
    const value = (output: string) => at(out[names?.[output] ?? output] as Tensor, i);
    const r: Losses = { loss: value(step.lossOutput) };
    for (const t of step.terms) r[t.name] = value(t.output);
    return r;
  }

  /** One optimizer step on `batch` examples stored row-major in `x` (a view is fine). */
  step(x: FloatArray, batch: number): Promise<Losses> {
    return this.stepOf(Object.keys(this.plan.steps)[0], batch, x);
  }

  /** One step of the named step graph; `x` holds its batch where it reads one. */
  async stepOf(name: string, batch: number, x?: FloatArray): Promise<Losses> {
    await this.beforeStep?.();
    const step = this.plan.steps[name];
    const session = await this.graph(name);
    const feeds = { ...this.carriedFor(session), ...this.dataFeeds(step, batch, this.noiseRng, x), [step.lrInput]: this.scalar(this.lr[name]) };
    const out = await session.run(feeds);
    this.advance(out, step.carry);
    return this.losses(step, out);
  }

  /**
   * `steps` optimizer steps in one call of the fused graph: `xs` holds steps × batch examples
   * row-major (a view is fine). Noise is drawn in the order of `steps` calls to step(), so the
   * result equals them up to floating-point rounding.
   */
  async stepMany(xs: FloatArray, batch: number, steps: number): Promise<Losses[]> {
    return (await this.fused('multi', steps, batch, xs))[Object.keys(this.plan.steps)[0]];
  }

  /**
   * `iterations` iterations of the named fused graph in one call; `repeat` is how many times its
   * repeated step runs per iteration. `xs` holds the batches of the step that reads data, in the
   * order the steps run. Noise is drawn in that order too, so the losses (per step graph, in order)
   * and the state equal those of the single steps.
   */
  async fused(name: string, iterations: number, batch: number, xs: FloatArray, repeat = 1): Promise<Record<string, Losses[]>> {
    await this.beforeStep?.();
    const f = this.plan.fused[name];
    const session = await this.graph(name);
    const times = (step: string) => (f.sequence.find((e) => e.step === step)?.repeated ? repeat : 1);
    const lead = (step: string) => (f.sequence.find((e) => e.step === step)?.repeated ? [iterations, repeat] : [iterations]);
    const stacks = this.drawStacks(f, iterations, batch, times);
    const feeds: Record<string, Tensor> = this.carriedFor(session);
    for (const { step } of f.sequence) feeds[this.plan.steps[step].lrInput] = this.scalar(this.lr[step]);
    for (const st of f.stacked) {
      const perExample = st.input === 'x' ? this.plan.inputShape : this.plan.steps[st.step].noise.find((nz) => nz.input === st.input)!.shape;
      feeds[st.name] = this.tensor(st.input === 'x' ? xs : stacks[st.name], [...lead(st.step), batch, ...perExample]);
    }
    const out = await session.run(feeds);
    for (const { step } of f.sequence) this.advance(out, this.plan.steps[step].carry);
    const result: Record<string, Losses[]> = {};
    for (const { step } of f.sequence) {
      const names = Object.fromEntries(f.perStep.filter((p) => p.step === step).map((p) => [p.output, p.name]));
      result[step] = Array.from({ length: iterations * times(step) }, (_, i) => this.losses(this.plan.steps[step], out, i, names));
    }
    return result;
  }

  /** The noise stacks of one fused call, drawn in the order the single steps would draw them. */
  private drawStacks(f: FusedGraph, iterations: number, batch: number, times: (step: string) => number): Record<string, FloatArray> {
    const stackOf = (step: string, input: string) => f.stacked.find((st) => st.step === step && st.input === input)!.name;
    const stacks: Record<string, FloatArray> = {};
    for (const { step } of f.sequence)
      for (const nz of this.plan.steps[step].noise) stacks[stackOf(step, nz.input)] = allocate(this.plan.dtype, iterations * times(step) * batch * size(nz.shape));
    for (let s = 0; s < iterations; s++)
      for (const { step } of f.sequence)
        for (let j = 0; j < times(step); j++)
          for (const nz of this.plan.steps[step].noise) {
            const per = batch * size(nz.shape);
            const slot = s * times(step) + j;
            this.noiseRng.fillNormal(stacks[stackOf(step, nz.input)].subarray(slot * per, (slot + 1) * per));
          }
    return stacks;
  }

  /** Mean loss terms over `n` examples, in batches, without updating anything. Noise is seeded per call. */
  async evaluate(x: FloatArray, n: number, batch: number, seed = 1): Promise<Losses> {
    const rng = Rng.seeded(seed);
    const step = this.plan.steps[Object.keys(this.plan.steps)[0]];
    const evaluator = await this.graph('evaluate');
    const params = this.params(evaluator);
    const sums: Losses = {};
    const dim = size(this.plan.inputShape);
    for (let start = 0; start < n; start += batch) {
      const b = Math.min(batch, n - start);
      const out = await evaluator.run({ ...params, ...this.dataFeeds(step, b, rng, x.subarray(start * dim, (start + b) * dim)) });
      for (const [k, v] of Object.entries(this.losses(step, out))) sums[k] = (sums[k] ?? 0) + v * b;
    }
    return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
  }

  /** The parameters and buffers `session` takes. */
  private params(session: InferenceSession): Record<string, Tensor> {
    const wanted = new Set(session.inputNames);
    return Object.fromEntries(this.plan.params.filter((p) => wanted.has(p)).map((p) => [p, this.carried[p]]));
  }

  /** Runs a reader graph on the current parameters: `inputs` maps input names to data and dims. */
  async read(name: string, inputs: Readonly<Record<string, readonly [FloatArray, readonly number[]]>>): Promise<Record<string, FloatArray>> {
    const session = await this.graph(name);
    const feeds = this.params(session);
    for (const [k, [data, dims]] of Object.entries(inputs)) feeds[k] = this.tensor(data, dims);
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, (v as Tensor).data as FloatArray]));
  }

  /** Codes of `n` examples under the current parameters. */
  async encode(x: Float32Array, n: number): Promise<Float32Array> {
    const out = await this.read('encode', { x: [x, [n, ...this.plan.inputShape]] });
    return Float32Array.from(out.code);
  }

  /** Decoder means of `n` codes under the current parameters. */
  async decode(z: Float32Array, n: number): Promise<Float32Array> {
    const out = await this.read('decode', { code: [z, [n, ...(this.plan.codeShape ?? [])]] });
    return Float32Array.from(out.xhat);
  }

  /** Current values of parameters and optimizer state (copies out of onnxruntime). */
  snapshot(): Record<string, FloatArray> {
    return snapshotCarried(this.carried);
  }

  async release(): Promise<void> {
    for (const s of Object.values(this.sessions)) await s.release();
  }
}
