// A training run in a directory: compile, train with checkpoints and metrics, resume after a
// crash, and export forward graphs with the trained weights inside. Every failure comes back
// as a one-line reason, and nothing already written is overwritten without --force.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { compileModel, type Artifacts } from '../../compiler/compile';
import { showError } from '../../compiler/ir/types';
import type { ModelDef } from '../../compiler/model';
import type { OptimizerKind } from '../../compiler/optim/optimizer';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../checkpoint';
import { DEFAULT_HELD_OUT, SPLIT_SEED, splitHeldOut, splitIndices, type Dataset } from '../data/dataset';
import { DivergedError, trainEpochs, type EpochReport, type LoopPosition } from '../loop';
import type { Provider } from '../session';
import { Trainer } from '../trainer';
import { exportForward } from './export';
import type { FloatArray } from '../init';
import { parseLrSchedule } from '../lrSchedule';
import { isNonEmptyDir, unwritable, writeFileAtomic } from './fsx';
import { runFiles, type RunFiles } from './layout';

export interface TrainSettings {
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  /** See parseLrSchedule; default constant. */
  readonly lrSchedule?: string;
  readonly seed: number;
  readonly optimizer: OptimizerKind;
  readonly provider: Provider;
  readonly dtype: 'f32' | 'f64';
  readonly data: string;
  readonly checkpointEvery: number;
  /** Steps per call of the fused graph (default: the loop's). */
  readonly fuse?: number;
  readonly threads?: number;
  /** Fraction of `data` held out (default 0.2; 0 trains on everything). */
  readonly heldOut?: number;
  /** A separate held-out data set (then all of `data` trains); its name as given. */
  readonly heldOutData?: string;
  /** Pixels thresholded at 0.5 (recorded so evaluation loads the data the same way). */
  readonly binarise?: boolean;
}

export interface RunRequest {
  readonly model: ModelDef;
  readonly specPath: string;
  readonly dir: string;
  readonly settings: TrainSettings;
  readonly data: Dataset;
  /** The data set named by settings.heldOutData, loaded. */
  readonly heldOutSet?: Dataset;
  readonly resume?: boolean;
  readonly force?: boolean;
  readonly log: (line: string) => void;
  readonly onStep?: (step: number, stepInEpoch: number, stepsPerEpoch: number, losses: Record<string, number>) => void;
  readonly onEpoch?: (r: EpochReport) => void;
  /** Extra held-out metrics for an epoch's metrics.jsonl line (`eval`), from the weights after it. */
  readonly evalAtEpoch?: (epoch: number, weights: Readonly<Record<string, FloatArray>>) => Promise<Record<string, number | string> | undefined>;
}

export interface RunSummary {
  readonly dir: string;
  readonly reports: readonly EpochReport[];
  readonly resumedFrom?: number;
  readonly exported: readonly string[];
}

const writeArtifacts = (f: RunFiles, a: Artifacts) => {
  mkdirSync(f.artifacts, { recursive: true });
  for (const [name, bytes] of Object.entries(a.files)) writeFileAtomic(join(f.artifacts, name), bytes);
  writeFileAtomic(f.manifest, JSON.stringify(a.manifest, null, 2));
};

/** Keep the metrics of finished epochs only (a crash may have left a line past the checkpoint). */
const trimMetrics = (path: string, beforeEpoch: number) => {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && (JSON.parse(l) as { epoch: number }).epoch < beforeEpoch);
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
};

/** Train on all of `data` when a separate held-out set is given, else on its split. */
export const splitOf = (data: Dataset, heldOutSet: Dataset | undefined, fraction = DEFAULT_HELD_OUT) =>
  heldOutSet ? { train: data, heldOut: heldOutSet } : splitHeldOut(data, fraction);

/** run.json's `split`: enough for `hourglass data` / evaluate to rebuild exactly the same rows. */
export const splitRecord = (req: RunRequest) => {
  const common = { data: req.settings.data, seed: SPLIT_SEED, binarise: req.settings.binarise ?? false };
  if (req.heldOutSet) return { ...common, heldOut: 0, heldOutData: req.settings.heldOutData, train: req.data.n, heldOutN: req.heldOutSet.n };
  const fraction = req.settings.heldOut ?? DEFAULT_HELD_OUT;
  const { train, heldOut } = splitIndices(req.data.n, fraction);
  return { ...common, heldOut: fraction, train: train.length, heldOutN: heldOut.length };
};

export const trainRun = async (req: RunRequest): Promise<E.Either<string, RunSummary>> => {
  const f = runFiles(req.dir);
  const s = req.settings;
  if (req.resume && req.force) return E.left('--resume and --force exclude each other');
  if (!req.resume && isNonEmptyDir(f.dir) && !req.force)
    return E.left(`${f.dir}: run directory exists and is not empty; pass --resume to continue it or --force to replace it`);
  if (req.resume && !existsSync(f.checkpoint)) return E.left(`${f.checkpoint}: nothing to resume (no checkpoint in ${f.dir})`);
  const cannot = unwritable(f.dir);
  if (cannot) return E.left(cannot);

  const lrAt = parseLrSchedule(s.lrSchedule ?? 'constant', s.lr, s.epochs);
  if (E.isLeft(lrAt)) return lrAt;
  // Scheduled models (k-annealing) are compiled per epoch; the run keeps epoch 1's build and hash.
  const compileFor = (epoch: number) =>
    compileModel(req.model, { optimizer: { kind: s.optimizer, lr: s.lr, hyper: {} }, dtype: s.dtype, progress: { epoch, epochs: s.epochs } });
  const compiled = compileFor(1);
  if (E.isLeft(compiled)) return E.left(`${req.specPath}: ${showError(compiled.left)}`);
  const m = compiled.right.manifest;
  const wants = m.inputShape.reduce((a, b) => a * b, 1);
  if (req.data.dim !== wants)
    return E.left(`${s.data}: examples have shape [${req.data.shape.join(', ')}], but ${m.model} expects [${m.inputShape.join(', ')}]`);

  let checkpoint: Checkpoint | undefined;
  if (req.resume) {
    const c = readCheckpoint(f.checkpoint);
    if (E.isLeft(c)) return c;
    checkpoint = c.right;
    if (checkpoint.meta.specHash !== m.specHash)
      return E.left(`${f.checkpoint}: was written for a different model or optimizer than ${req.specPath} (spec hash differs)`);
  } else {
    if (req.force) rmSync(f.dir, { recursive: true, force: true });
    mkdirSync(f.dir, { recursive: true });
    writeArtifacts(f, compiled.right);
    writeFileAtomic(f.settings, JSON.stringify({ spec: req.specPath, model: m.model, specHash: m.specHash, settings: s, params: req.model.specParams ?? {}, split: splitRecord(req) }, null, 2));
    writeFileSync(f.metrics, '');
  }

  const trainerOpts = { seed: s.seed, provider: s.provider, threads: s.threads, lr: s.lr, log: req.log };
  let trainer = await Trainer.create(compiled.right, trainerOpts);
  let resumeFrom: LoopPosition | undefined;
  if (checkpoint) {
    trainer.restore(checkpoint.tensors, checkpoint.meta.noiseState);
    trainer.setLearningRate(checkpoint.meta.lr);
    const { step, epoch, stepInEpoch, shuffleState, partial } = checkpoint.meta;
    resumeFrom = { step, epoch, stepInEpoch, shuffleState, partial };
    trimMetrics(f.metrics, epoch);
    req.log(`resuming ${f.dir} at step ${step} (epoch ${epoch}, step ${stepInEpoch} of it)`);
  }

  const { train, heldOut } = splitOf(req.data, req.heldOutSet, req.settings.heldOut);
  const save = (p: LoopPosition) =>
    writeCheckpoint(f.checkpoint, {
      meta: { ...p, noiseState: trainer.noiseState(), lr: trainer.learningRate, specHash: m.specHash },
      tensors: trainer.snapshot(),
    });
  let lastSaved = checkpoint?.meta.step ?? 0;
  try {
    const perEpoch = Math.floor(train.n / s.batch);
    let position = resumeFrom;
    const loopOpts = (epochs: number) => ({
      epochs,
      batch: s.batch,
      seed: s.seed,
      resumeFrom: position,
      lrAt: lrAt.right,
      fuse: s.fuse,
      checkpointEvery: s.checkpointEvery,
      onCheckpoint: (p: LoopPosition) => {
        save(p);
        lastSaved = p.step;
        position = p;
      },
      onStep: (step: number, inEpoch: number, losses: Record<string, number>) => req.onStep?.(step, inEpoch, perEpoch, losses),
      onEpoch: async (r: EpochReport) => {
        const extra = await req.evalAtEpoch?.(r.epoch, trainer.snapshot());
        appendFileSync(f.metrics, `${JSON.stringify({ epoch: r.epoch, steps: r.steps, seconds: r.seconds, train: r.train, heldOut: r.heldOut, ...(extra ? { eval: extra } : {}) })}\n`);
        req.onEpoch?.(r);
      },
    });
    const reports: EpochReport[] = [];
    if (Object.keys(m.scheduled).length === 0) reports.push(...(await trainEpochs(trainer, train, heldOut, loopOpts(s.epochs))));
    else {
      // A scheduled hyperparameter (k-annealing) changes the training graph: one epoch at a time,
      // each continuing from the last one's end position exactly as a resume would.
      let hash = m.specHash;
      const first = position?.epoch ?? 1;
      for (let epoch = first; epoch <= s.epochs; epoch++) {
        const built = compileFor(epoch);
        if (E.isLeft(built)) return E.left(`${req.specPath}: ${showError(built.left)}`);
        const changed = built.right.manifest.specHash !== hash;
        if (changed) {
          const next = await Trainer.create(built.right, trainerOpts);
          next.restore(trainer.snapshot(), trainer.noiseState());
          next.setLearningRate(trainer.learningRate);
          trainer = next;
          hash = built.right.manifest.specHash;
        }
        if (changed || epoch === first)
          req.log(`epoch ${epoch}: ${Object.entries(built.right.manifest.scheduled).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
        reports.push(...(await trainEpochs(trainer, train, heldOut, loopOpts(epoch))));
      }
    }
    const exported = await exportForward(compiled.right, trainer.snapshot(), f.exported);
    return E.right({ dir: f.dir, reports, resumedFrom: checkpoint?.meta.step, exported });
  } catch (err) {
    if (err instanceof DivergedError)
      return E.left(`${err.message}; the last good checkpoint is ${f.checkpoint} (step ${lastSaved}) — lower the learning rate and --resume`);
    throw err;
  }
};
