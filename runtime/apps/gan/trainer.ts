// Drives a GAN's two step graphs: k discriminator steps, then one generator step, per round. Both
// players' parameters, optimizer state and buffers are carried as onnxruntime tensors between
// calls; each step draws its own code noise from one seeded stream, so a run replays exactly and
// resumes bit for bit from a snapshot of the tensors and the stream's state.
// The onnxruntime is the caller's (core/engine.ts), as for the autoencoders' trainer.
import type { GanArtifacts, GanManifest, Player } from '../../../compiler/gan';
import { restoreCarried, snapshotCarried } from '../../core/carried';
import { floatTensor, ortType, type Engine, type InferenceSession, type Tensor } from '../../core/engine';
import { allocate, initialValues, type FloatArray } from '../../core/init';
import { Rng } from '../../core/random';
import type { Losses } from '../../core/trainer';

export interface GanTrainerOptions {
  readonly seed: number;
}

export class GanTrainer {
  private constructor(
    private readonly engine: Engine,
    readonly manifest: GanManifest,
    private readonly sessions: Readonly<Record<Player, InferenceSession>>,
    private readonly generator: InferenceSession,
    private carried: Record<string, Tensor>,
    private noiseRng: Rng,
    private readonly lr: Record<Player, number>,
  ) {}

  static async create(engine: Engine, art: GanArtifacts, opts: GanTrainerOptions): Promise<GanTrainer> {
    const m = art.manifest;
    const d = await engine.open(art.files[m.steps.discriminator.file]);
    const g = await engine.open(art.files[m.steps.generator.file], d.provider);
    const gen = await engine.open(art.files[m.generate.file], d.provider);
    const rng = Rng.seeded(opts.seed);
    const initial: Record<string, Tensor> = {};
    for (const p of m.params) initial[p.name] = floatTensor(engine, m.dtype, initialValues(p.init, p.shape, m.dtype, rng), p.shape);
    for (const player of ['discriminator', 'generator'] as const)
      for (const s of m.steps[player].optimizer.state) initial[s.name] = floatTensor(engine, m.dtype, initialValues(s.init, s.shape, m.dtype, rng), s.shape);
    const lr = { discriminator: m.steps.discriminator.optimizer.lr, generator: m.steps.generator.optimizer.lr };
    return new GanTrainer(engine, m, { discriminator: d.session, generator: g.session }, gen.session, initial, Rng.seeded(opts.seed ^ 0x9e3779b9), lr);
  }

  private tensor(data: FloatArray, dims: readonly number[]): Tensor {
    return floatTensor(this.engine, this.manifest.dtype, data, dims);
  }

  private scalar(x: number): Tensor {
    return this.tensor(allocate(this.manifest.dtype, 1).fill(x), []);
  }

  private noise(batch: number): Tensor {
    const m = this.manifest;
    const eps = allocate(m.dtype, batch * m.latent);
    this.noiseRng.fillNormal(eps);
    return this.tensor(eps, [batch, m.latent]);
  }

  /** One step of `player`; the discriminator's reads `batch` examples from `x` (row-major, a view is fine). */
  async stepPlayer(player: Player, batch: number, x?: FloatArray): Promise<Losses> {
    const m = this.manifest;
    const step = m.steps[player];
    const feeds: Record<string, Tensor> = {};
    for (const i of step.inputs) if (this.carried[i.name]) feeds[i.name] = this.carried[i.name];
    feeds[m.noise.name] = this.noise(batch);
    feeds[step.optimizer.lrInput] = this.scalar(this.lr[player]);
    if (step.data) {
      if (!x) throw new RangeError('the discriminator step needs a data batch');
      feeds.x = this.tensor(x, [batch, ...m.inputShape]);
    }
    const out = await this.sessions[player].run(feeds);
    const next = { ...this.carried };
    for (const c of step.carry) next[c.input] = out[c.output] as Tensor;
    this.carried = next;
    const r: Losses = { loss: Number((out[step.lossOutput] as Tensor).data[0]) };
    for (const t of step.terms) r[t.name] = Number((out[t.output] as Tensor).data[0]);
    return r;
  }

  /** k discriminator steps on the k batches in `xs`, then one generator step. */
  async round(xs: FloatArray, batch: number, k: number): Promise<{ discriminator: Losses[]; generator: Losses }> {
    const dim = this.manifest.inputShape.reduce((a, b) => a * b, 1);
    const discriminator: Losses[] = [];
    for (let i = 0; i < k; i++) discriminator.push(await this.stepPlayer('discriminator', batch, xs.subarray(i * batch * dim, (i + 1) * batch * dim)));
    return { discriminator, generator: await this.stepPlayer('generator', batch) };
  }

  /** Images in [0, 1] for the given codes [n, latent], with the generator's running statistics. */
  async generate(codes: FloatArray, n: number): Promise<FloatArray> {
    const m = this.manifest;
    const feeds: Record<string, Tensor> = { code: new this.engine.Tensor(ortType(m.dtype), codes, [n, m.latent]) };
    for (const i of m.generate.inputs) if (i.name !== 'code') feeds[i.name] = this.carried[i.name];
    const out = await this.generator.run(feeds);
    return (out.image as Tensor).data as FloatArray;
  }

  noiseState(): number[] {
    return this.noiseRng.state();
  }

  snapshot(): Record<string, FloatArray> {
    return snapshotCarried(this.carried);
  }

  restore(tensors: Readonly<Record<string, FloatArray>>, noiseState: readonly number[]): void {
    this.carried = restoreCarried(this.engine, this.carried, tensors);
    this.noiseRng = Rng.fromState(noiseState);
  }
}
