// A GAN on the one core Trainer: the two players are two step graphs over one carried state
// (both players' parameters, optimizer state and buffers) and one noise stream, so a run replays
// exactly and resumes bit for bit from a snapshot of the tensors and the stream's state.
import { PLAYERS, type GanArtifacts, type GanManifest, type PlayerStep } from '../../../compiler/gan';
import type { Engine } from '../../core/engine';
import type { FloatArray } from '../../core/init';
import { Trainer } from '../../core/trainer';
import type { StepGraph, TrainPlan } from '../../core/trainPlan';

const stepGraph = (s: PlayerStep, noise: GanManifest['noise']): StepGraph => ({
  file: s.file,
  lrInput: s.optimizer.lrInput,
  lr: s.optimizer.lr,
  carry: s.carry,
  lossOutput: s.lossOutput,
  terms: s.terms,
  noise: [{ input: noise.name, shape: noise.shape }],
  data: s.data,
});

/**
 * The discriminator's step first (it picks the provider), then the generator's; `rounds` runs k of
 * the first and one of the second per iteration; `generate` reads.
 */
export const ganPlan = (m: GanManifest): TrainPlan => ({
  dtype: m.dtype,
  inputShape: m.inputShape,
  state: [...m.params, ...PLAYERS.flatMap((p) => m.steps[p].optimizer.state)],
  params: m.params.map((p) => p.name),
  steps: Object.fromEntries(PLAYERS.map((p) => [p, stepGraph(m.steps[p], m.noise)])),
  fused: m.rounds ? { rounds: { ...m.rounds, sequence: [{ step: 'discriminator', repeated: true }, { step: 'generator' }] } } : {},
  readers: { generate: m.generate.file },
  eager: ['generate'],
});

export const openGanTrainer = (engine: Engine, art: GanArtifacts, seed: number): Promise<Trainer> => Trainer.open(engine, art.files, ganPlan(art.manifest), { seed });

/** Images in [0, 1] for the given codes [n, latent], with the generator's running statistics. */
export const generate = async (trainer: Trainer, m: GanManifest, codes: FloatArray, n: number): Promise<FloatArray> =>
  (await trainer.read('generate', { code: [codes, [n, m.latent]] })).image;
