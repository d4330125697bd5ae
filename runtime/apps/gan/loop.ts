// Rounds of GAN training over a data set: each round draws k batches (examples sampled from a
// seeded stream), runs k discriminator steps and one generator step, and stops at the first
// non-finite loss. A GanPosition and the trainer's snapshot are enough to resume exactly.
import type { Dataset } from '../../core/dataset';
import { DivergedError } from '../../core/loop';
import { Rng } from '../../core/random';
import type { FloatArray } from '../../core/init';
import type { Losses, Trainer } from '../../core/trainer';

export interface GanPosition {
  readonly round: number;
  readonly dataState: readonly number[];
}

export interface GanLoopOptions {
  readonly rounds: number;
  readonly batch: number;
  /** Discriminator steps per generator step (Goodfellow et al.'s k); default 1. */
  readonly k?: number;
  readonly seed: number;
  readonly resumeFrom?: GanPosition;
  /** Checkpoint every n rounds (and always after the last round). */
  readonly checkpointEvery?: number;
  readonly onCheckpoint?: (p: GanPosition) => void | Promise<void>;
  readonly onRound?: (round: number, losses: RoundLosses) => void;
}

export interface RoundLosses {
  readonly discriminator: Losses[];
  readonly generator: Losses;
}

/** k discriminator steps on the k batches in `xs` (row-major), then one generator step. */
export const playRound = async (trainer: Trainer, xs: FloatArray, batch: number, k: number): Promise<RoundLosses> => {
  const dim = trainer.plan.inputShape.reduce((a, b) => a * b, 1);
  const discriminator: Losses[] = [];
  for (let i = 0; i < k; i++) discriminator.push(await trainer.stepOf('discriminator', batch, xs.subarray(i * batch * dim, (i + 1) * batch * dim)));
  return { discriminator, generator: await trainer.stepOf('generator', batch) };
};

export const trainGan = async (trainer: Trainer, data: Dataset, opts: GanLoopOptions): Promise<{ discriminator: Losses; generator: Losses }[]> => {
  const k = opts.k ?? 1;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
  const rng = opts.resumeFrom ? Rng.fromState(opts.resumeFrom.dataState) : Rng.seeded(opts.seed);
  const xs = new Float32Array(k * opts.batch * data.dim);
  const history: { discriminator: Losses; generator: Losses }[] = [];
  for (let round = (opts.resumeFrom?.round ?? 0) + 1; round <= opts.rounds; round++) {
    for (let i = 0; i < k * opts.batch; i++) {
      const j = Math.min(data.n - 1, Math.floor(rng.uniform() * data.n));
      xs.set(data.images.subarray(j * data.dim, (j + 1) * data.dim), i * data.dim);
    }
    const r = await playRound(trainer, xs, opts.batch, k);
    for (const [player, list] of [['discriminator', r.discriminator], ['generator', [r.generator]]] as const)
      for (const losses of list)
        for (const [term, v] of Object.entries(losses)) if (!Number.isFinite(v)) throw new DivergedError(round, `${player}.${term}`, v);
    history.push({ discriminator: r.discriminator[r.discriminator.length - 1], generator: r.generator });
    opts.onRound?.(round, r);
    // Every `checkpointEvery` rounds and after the last, so a finished run can be extended with --resume.
    if ((opts.checkpointEvery && round % opts.checkpointEvery === 0) || round === opts.rounds) await opts.onCheckpoint?.({ round, dataState: rng.state() });
  }
  return history;
};
