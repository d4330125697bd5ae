// Drives a GAN's two step graphs: k discriminator steps, then one generator step, per round. Both
// players' parameters, optimizer state and buffers are carried as onnxruntime tensors between
// calls; each step draws its own code noise from one seeded stream, so a run replays exactly and
// resumes bit for bit from a snapshot of the tensors and the stream's state.
import * as ort from '../../host/providers/ort';
import type { GanArtifacts, GanManifest, Player } from '../../../compiler/gan';
import { allocate, initialValues, type FloatArray } from '../../core/init';
import { Rng } from '../../core/random';
import { openSession, type Provider } from '../../host/session';
import type { Losses } from '../../core/trainer';
import { restoreCarried } from '../../core/carried';

export interface GanTrainerOptions {
  readonly seed: number;
  readonly provider?: Provider;
  readonly threads?: number;
  readonly log?: (line: string) => void;
}

const ortType = (dtype: 'f32' | 'f64') => (dtype === 'f64' ? 'float64' : 'float32');

export class GanTrainer {
  private constructor(
    readonly manifest: GanManifest,
    private readonly sessions: Readonly<Record<Player, ort.InferenceSession>>,
    private readonly generator: ort.InferenceSession,
    private carried: Record<string, ort.Tensor>,
    private noiseRng: Rng,
    private readonly lr: Record<Player, number>,
  ) {}

  static async create(art: GanArtifacts, opts: GanTrainerOptions): Promise<GanTrainer> {
    const m = art.manifest;
    const sess = { provider: opts.provider, threads: opts.threads, log: opts.log };
    const d = await openSession(art.files[m.steps.discriminator.file], sess);
    const g = await openSession(art.files[m.steps.generator.file], { ...sess, provider: d.provider });
    const gen = await openSession(art.files[m.generate.file], { ...sess, provider: d.provider });
    const rng = Rng.seeded(opts.seed);
    const type = ortType(m.dtype);
    const initial: Record<string, ort.Tensor> = {};
    for (const p of m.params) initial[p.name] = new ort.Tensor(type, initialValues(p.init, p.shape, m.dtype, rng), [...p.shape]);
    for (const player of ['discriminator', 'generator'] as const)
      for (const s of m.steps[player].optimizer.state) initial[s.name] = new ort.Tensor(type, initialValues(s.init, s.shape, m.dtype, rng), [...s.shape]);
    const lr = { discriminator: m.steps.discriminator.optimizer.lr, generator: m.steps.generator.optimizer.lr };
    return new GanTrainer(m, { discriminator: d.session, generator: g.session }, gen.session, initial, Rng.seeded(opts.seed ^ 0x9e3779b9), lr);
  }

  private scalar(x: number): ort.Tensor {
    return new ort.Tensor(ortType(this.manifest.dtype), allocate(this.manifest.dtype, 1).fill(x), []);
  }

  private noise(batch: number): ort.Tensor {
    const m = this.manifest;
    const eps = allocate(m.dtype, batch * m.latent);
    this.noiseRng.fillNormal(eps);
    return new ort.Tensor(ortType(m.dtype), eps, [batch, m.latent]);
  }

  /** One step of `player`; the discriminator's reads `batch` examples from `x` (row-major, a view is fine). */
  async stepPlayer(player: Player, batch: number, x?: FloatArray): Promise<Losses> {
    const m = this.manifest;
    const step = m.steps[player];
    const feeds: Record<string, ort.Tensor> = {};
    for (const i of step.inputs) if (this.carried[i.name]) feeds[i.name] = this.carried[i.name];
    feeds[m.noise.name] = this.noise(batch);
    feeds[step.optimizer.lrInput] = this.scalar(this.lr[player]);
    if (step.data) {
      if (!x) throw new RangeError('the discriminator step needs a data batch');
      const data = m.dtype === 'f64' && x instanceof Float32Array ? Float64Array.from(x) : x;
      feeds.x = new ort.Tensor(ortType(m.dtype), data, [batch, ...m.inputShape]);
    }
    const out = await this.sessions[player].run(feeds);
    const next = { ...this.carried };
    for (const c of step.carry) next[c.input] = out[c.output] as ort.Tensor;
    this.carried = next;
    const r: Losses = { loss: Number((out[step.lossOutput] as ort.Tensor).data[0]) };
    for (const t of step.terms) r[t.name] = Number((out[t.output] as ort.Tensor).data[0]);
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
    const feeds: Record<string, ort.Tensor> = { code: new ort.Tensor(ortType(m.dtype), codes, [n, m.latent]) };
    for (const i of m.generate.inputs) if (i.name !== 'code') feeds[i.name] = this.carried[i.name];
    const out = await this.generator.run(feeds);
    return (out.image as ort.Tensor).data as FloatArray;
  }

  noiseState(): number[] {
    return this.noiseRng.state();
  }

  snapshot(): Record<string, FloatArray> {
    return Object.fromEntries(Object.entries(this.carried).map(([k, t]) => [k, t.data as FloatArray]));
  }

  restore(tensors: Readonly<Record<string, FloatArray>>, noiseState: readonly number[]): void {
    this.carried = restoreCarried(this.carried, tensors);
    this.noiseRng = Rng.fromState(noiseState);
  }
}
