// Epochs of seeded, shuffled mini-batches. Each epoch permutes the training set once into a
// reused buffer; the batches are then views into it. The loop can stop at any step and resume
// from a LoopPosition with exactly the same batches, noise and running sums.
import type { Dataset } from './dataset';
import { Rng } from './random';
import type { Losses, Trainer } from './trainer';

/** What the loop needs of a trainer: the Node one, or the browser page's on onnxruntime-web. */
export type LoopTrainer = Pick<Trainer, 'mark' | 'rewind' | 'step' | 'stepMany' | 'evaluate' | 'setLearningRate'>;

export interface EpochReport {
  readonly epoch: number;
  readonly steps: number;
  readonly train: Losses;
  readonly heldOut: Losses;
  readonly seconds: number;
}

/** Where training stands: enough, with the trainer's tensors and noise, to continue exactly. */
export interface LoopPosition {
  readonly step: number;
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly shuffleState: readonly number[];
  readonly partial: Losses;
}

export interface LoopOptions {
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  readonly resumeFrom?: LoopPosition;
  /** Learning rate for an epoch (1-based); default: leave the trainer's as it is. */
  readonly lrAt?: (epoch: number) => number;
  /** Called every `checkpointEvery` steps and after each epoch's report, with a position to save. */
  readonly checkpointEvery?: number;
  readonly onCheckpoint?: (p: LoopPosition) => void | Promise<void>;
  readonly onEpoch?: (r: EpochReport) => void | Promise<void>;
  readonly onStep?: (step: number, stepInEpoch: number, losses: Losses) => void;
  readonly heldOutBatch?: number;
  /**
   * Steps per call of the fused multi-step graph (default 16; 1 runs single steps). Chunks never
   * cross a checkpoint or an epoch boundary, so a resumed run takes the same chunks. A chunk with
   * a non-finite loss is replayed step by step, so divergence stops where single steps stop.
   */
  readonly fuse?: number;
}

export const DEFAULT_FUSE = 16;

/** A loss term that stopped being finite: training stops before anything bad is saved. */
export class DivergedError extends Error {
  constructor(
    readonly step: number,
    readonly term: string,
    readonly value: number,
  ) {
    super(`training diverged at step ${step}: ${term} = ${value}`);
    this.name = 'DivergedError';
  }
}

/** A loss beyond this is divergence too: float32 overflows soon after, and no model means it. */
export const DIVERGED_BEYOND = 1e30;
const sane = (v: number) => Number.isFinite(v) && Math.abs(v) <= DIVERGED_BEYOND;
const allFinite = (l: Losses): boolean => Object.values(l).every(sane);

export const stepsPerEpoch = (n: number, batch: number): number => Math.floor(n / batch);

export const trainEpochs = async (trainer: LoopTrainer, train: Dataset, heldOut: Dataset, opts: LoopOptions): Promise<EpochReport[]> => {
  const perEpoch = stepsPerEpoch(train.n, opts.batch);
  if (perEpoch === 0) throw new RangeError(`batch ${opts.batch} is larger than the ${train.n} training examples`);
  const start = opts.resumeFrom;
  const rng = start ? Rng.fromState(start.shuffleState) : Rng.seeded(opts.seed);
  const buffer = new Float32Array(perEpoch * opts.batch * train.dim);
  const reports: EpochReport[] = [];
  let step = start?.step ?? 0;
  for (let epoch = start?.epoch ?? 1; epoch <= opts.epochs; epoch++) {
    const began = performance.now();
    const shuffleState = rng.state();
    const order = rng.permutation(train.n);
    for (let i = 0; i < perEpoch * opts.batch; i++) buffer.set(train.images.subarray(order[i] * train.dim, (order[i] + 1) * train.dim), i * train.dim);
    if (opts.lrAt) trainer.setLearningRate(opts.lrAt(epoch));
    const resuming = start && epoch === start.epoch;
    const sums: Losses = resuming ? { ...start.partial } : {};
    const fuse = Math.max(1, opts.fuse ?? DEFAULT_FUSE);
    const rows = opts.batch * train.dim;
    for (let s = resuming ? start.stepInEpoch : 0; s < perEpoch; ) {
      const toCheckpoint = opts.checkpointEvery ? opts.checkpointEvery - (step % opts.checkpointEvery) : Infinity;
      const chunk = Math.min(fuse, perEpoch - s, toCheckpoint);
      // Consecutive batches are contiguous in the epoch's buffer: one view feeds the whole chunk.
      const xs = buffer.subarray(s * rows, (s + chunk) * rows);
      const before = trainer.mark();
      const results = chunk === 1 ? [await trainer.step(xs, opts.batch)] : await trainer.stepMany(xs, opts.batch, chunk);
      if (chunk > 1 && !results.every(allFinite)) {
        // A fused chunk ran past a non-finite step. Replay it one step at a time from its start
        // (same batches, same noise): the trainer then stops right after the first bad step, as
        // single steps would, and the guard below names that step and term.
        trainer.rewind(before);
        results.length = 0;
        for (let i = 0; i < chunk; i++) {
          results.push(await trainer.step(xs.subarray(i * rows, (i + 1) * rows), opts.batch));
          if (!allFinite(results[i])) break;
        }
      }
      for (const losses of results) {
        step++;
        s++;
        for (const [k, v] of Object.entries(losses)) {
          if (!sane(v)) throw new DivergedError(step, k, v);
          sums[k] = (sums[k] ?? 0) + v;
        }
        opts.onStep?.(step, s, losses);
      }
      if (opts.checkpointEvery && step % opts.checkpointEvery === 0 && s < perEpoch)
        await opts.onCheckpoint?.({ step, epoch, stepInEpoch: s, shuffleState, partial: { ...sums } });
    }
    // Training on everything (--held-out 0) leaves no held-out set: its report is empty.
    const held = heldOut.n > 0 ? await trainer.evaluate(heldOut.images, heldOut.n, opts.heldOutBatch ?? 1000) : {};
    // A non-finite held-out loss is divergence too: stop before the epoch is reported or saved.
    for (const [k, v] of Object.entries(held)) if (!sane(v)) throw new DivergedError(step, `held-out ${k}`, v);
    const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / perEpoch]));
    const report = { epoch, steps: perEpoch, train: means, heldOut: held, seconds: (performance.now() - began) / 1000 };
    reports.push(report);
    await opts.onEpoch?.(report);
    await opts.onCheckpoint?.({ step, epoch: epoch + 1, stepInEpoch: 0, shuffleState: rng.state(), partial: {} });
  }
  return reports;
};
