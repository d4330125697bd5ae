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
  /** Rounds per call of the fused graph (1: each step its own call); calls stop at checkpoints. */
  readonly fuse?: number;
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

const finite = (r: RoundLosses): boolean => [...r.discriminator, r.generator].every((l) => Object.values(l).every(Number.isFinite));

/** Stops at the first non-finite loss term, naming the round, the player and the term. */
const checkFinite = (round: number, r: RoundLosses): void => {
  for (const [player, list] of [['discriminator', r.discriminator], ['generator', [r.generator]]] as const)
    for (const losses of list)
      for (const [term, v] of Object.entries(losses)) if (!Number.isFinite(v)) throw new DivergedError(round, `${player}.${term}`, v);
};

/**
 * `n` rounds in one call of the fused graph (apps/gan/players.ts), split per round; null when a
 * loss is not finite, with the trainer rewound so that single rounds can find where it broke.
 */
const fusedRounds = async (trainer: Trainer, xs: FloatArray, n: number, batch: number, k: number): Promise<RoundLosses[] | null> => {
  const before = trainer.mark();
  const out = await trainer.fused('rounds', n, batch, xs, k);
  const rounds = Array.from({ length: n }, (_, i) => ({ discriminator: out.discriminator.slice(i * k, (i + 1) * k), generator: out.generator[i] }));
  if (rounds.every(finite)) return rounds;
  trainer.rewind(before);
  return null;
};

export const trainGan = async (trainer: Trainer, data: Dataset, opts: GanLoopOptions): Promise<{ discriminator: Losses; generator: Losses }[]> => {
  const k = opts.k ?? 1;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
  const fuse = opts.fuse ?? 1;
  if (!(Number.isInteger(fuse) && fuse >= 1)) throw new RangeError(`fuse must be an integer ≥ 1, got ${fuse}`);
  const canFuse = fuse > 1 && trainer.plan.fused.rounds !== undefined;
  const rng = opts.resumeFrom ? Rng.fromState(opts.resumeFrom.dataState) : Rng.seeded(opts.seed);
  const perRound = k * opts.batch * data.dim;
  const xs = new Float32Array((canFuse ? fuse : 1) * perRound);
  const history: { discriminator: Losses; generator: Losses }[] = [];
  let round = (opts.resumeFrom?.round ?? 0) + 1;
  while (round <= opts.rounds) {
    // A call never crosses a checkpoint, so checkpoints land where single rounds put them.
    const every = opts.checkpointEvery;
    const upTo = Math.min(opts.rounds, every ? Math.ceil(round / every) * every : Infinity, round + (canFuse ? fuse : 1) - 1);
    const n = upTo - round + 1;
    for (let i = 0; i < n * k * opts.batch; i++) {
      const j = Math.min(data.n - 1, Math.floor(rng.uniform() * data.n));
      xs.set(data.images.subarray(j * data.dim, (j + 1) * data.dim), i * data.dim);
    }
    const fused = canFuse && n > 1 ? await fusedRounds(trainer, xs.subarray(0, n * perRound), n, opts.batch, k) : null;
    for (let i = 0; i < n; i++, round++) {
      const r = fused ? fused[i] : await playRound(trainer, xs.subarray(i * perRound, (i + 1) * perRound), opts.batch, k);
      checkFinite(round, r);
      history.push({ discriminator: r.discriminator[r.discriminator.length - 1], generator: r.generator });
      opts.onRound?.(round, r);
    }
    // Every `checkpointEvery` rounds and after the last, so a finished run can be extended with --resume.
    if ((every && upTo % every === 0) || upTo === opts.rounds) await opts.onCheckpoint?.({ round: upTo, dataState: rng.state() });
  }
  return history;
};
