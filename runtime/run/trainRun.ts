// A training run in a directory: compile, train with checkpoints and metrics, resume after a
// crash, and export forward graphs with the trained weights inside. Every failure comes back
// as a one-line reason with an exit code, and nothing already written is overwritten without
// --force; even then the old run stays whole until the new one has its first checkpoint.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { compileModel, type Artifacts } from '../../compiler/compile';
import { showError } from '../../compiler/ir/types';
import type { ModelDef } from '../../compiler/model';
import type { OptimizerKind } from '../../compiler/optim/optimizer';
import { badValue, LIMIT, checkAgainst, readCheckpoint, writeCheckpoint, type Checkpoint } from '../host/checkpoint';
import { outsideRange } from '../host/data/range';
import { stampDiffers, stampOf, type DataStamp } from './dataStamp';
import { DEFAULT_HELD_OUT, SPLIT_SEED, splitHeldOut, splitIndices, type Dataset } from '../core/dataset';
import { DivergedError, trainEpochs, type EpochReport, type LoopPosition } from '../core/loop';
import type { ProviderRequest } from '../host/session';
import { Trainer } from '../core/trainer';
import { openTrainer } from '../host/trainer';
import { exportForward } from './export';
import type { FloatArray } from '../core/init';
import { parseLrSchedule } from '../core/lrSchedule';
import { CliError, EXIT, failure, type Failure } from '../core/failure';
import { appendNoFollow, cannotCreate, isNonEmptyDir, lstatOrNull, makeDir, statSafeIsDir, writeFileAtomic } from '../host/fsx';
import { mayReplace, refuseLinks } from './guard';
import { lockRun } from './lock';
import { runFiles, type RunFiles } from './layout';
import { newRecord, readRecord, writeRecord, type RunRecord } from './record';
import { reconcile } from './resume';
import { checkMemory } from './memoryCheck';
import { DEFAULT_FUSE, HELD_OUT_BATCH } from '../core/loop';
import { discard, RUN_WRITTEN, stageBeside, swapIn } from './stage';

export interface TrainSettings {
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  /** See parseLrSchedule; default constant. */
  readonly lrSchedule?: string;
  readonly seed: number;
  readonly optimizer: OptimizerKind;
  readonly provider: ProviderRequest;
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
  /** Whether the data was thresholded at 0.5 (recorded so a resume and evaluation use the same data). */
  readonly binarise?: boolean;
  /** Optimizer hyperparameters beyond the defaults (e.g. adagrad's initialAccumulator); library use only. */
  readonly optimizerHyper?: Readonly<Record<string, number>>;
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
  /** Read a version-1 checkpoint (no checksum) on resume. */
  readonly legacy?: boolean;
  /**
   * On resume: the settings the user gave explicitly (flag names in TrainSettings' spelling).
   * The others come from run.json; undefined means all were given (library calls).
   */
  readonly explicit?: ReadonlySet<string>;
  /** Extra top-level fields for a new run.json (e.g. another command's `params` or `split`). */
  readonly record?: Readonly<Record<string, unknown>>;
  readonly log: (line: string) => void;
  /** Refuse a run whose estimate exceeds this many bytes (--max-memory); the available memory always applies. */
  readonly maxMemory?: number;
  /** Bytes available to the run (default: MemAvailable); a seam for tests. */
  readonly availableMemory?: () => number;
  /** Where the memory estimate line goes (the CLI: stdout's first line); default `log`. */
  readonly onEstimate?: (line: string) => void;
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
  const why = makeDir(f.artifacts);
  if (why) throw new CliError(why, EXIT.cantCreate);
  for (const [name, bytes] of Object.entries(a.files)) writeFileAtomic(join(f.artifacts, name), bytes);
  writeFileAtomic(f.manifest, JSON.stringify(a.manifest, null, 2));
};

/**
 * Keep the metrics of finished epochs only (a crash may have left a line past the checkpoint).
 * A torn last line (a crash mid-write) is dropped with a note; a bad line elsewhere is refused.
 */
const trimMetrics = (path: string, beforeEpoch: number, log: (line: string) => void): Failure | null => {
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim()) continue;
    let epoch: unknown;
    try {
      epoch = (JSON.parse(l) as { epoch?: unknown }).epoch;
    } catch {
      epoch = undefined;
    }
    if (typeof epoch !== 'number') {
      const last = lines.slice(i + 1).every((r) => !r.trim());
      if (!last) return failure(EXIT.dataErr, `${path}: line ${i + 1} is not a metrics record (${JSON.stringify(l.slice(0, 40))}); fix or remove it`);
      log(`${path}: dropped an incomplete last line (line ${i + 1}, ${l.length} bytes), left by an interrupted write`);
      continue;
    }
    if (epoch < beforeEpoch) kept.push(l);
  }
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
  return null;
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

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The spec's own functions (objective, layers) run inside compileModel: an exception there is
 * the spec's, not Hourglass's, and comes back as a compile error naming the model.
 */
export const guardSpec = (build: () => ReturnType<typeof compileModel>): ReturnType<typeof compileModel> => {
  try {
    return build();
  } catch (err) {
    return E.left({ path: '', message: `threw while building the graph: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` });
  }
};

const left = (code: Failure['exitCode'], message: string) => E.left(failure(code, message));

/**
 * May a run be written to `dir`? Cheap (no spec, no data), so the CLI asks before loading
 * anything: a file in the way, a non-empty directory without --resume/--force, a --force on
 * something Hourglass did not create, an unwritable place, a resume without a checkpoint.
 */
export const checkOutput = (dir: string, o: { resume?: boolean; force?: boolean }): E.Either<Failure, { replacing: boolean }> => {
  if (o.resume && o.force) return left(EXIT.usage, '--resume and --force exclude each other');
  const st = lstatOrNull(dir);
  if (st && !st.isDirectory() && !(st.isSymbolicLink() && statSafeIsDir(dir)))
    return left(EXIT.cantCreate, `${dir}: exists and is not a directory; --out names a run directory`);
  const replacing = !o.resume && isNonEmptyDir(dir);
  if (replacing && !o.force)
    return left(EXIT.cantCreate, `${dir}: run directory exists and is not empty; pass --resume to continue it or --force to replace it`);
  if (replacing) {
    const ok = mayReplace(dir);
    if (E.isLeft(ok)) return ok;
  }
  const f = runFiles(dir);
  if (o.resume) {
    if (!existsSync(f.checkpoint)) return left(EXIT.noInput, `${f.checkpoint}: nothing to resume (no checkpoint in ${dir})`);
    const links = refuseLinks(dir);
    if (E.isLeft(links)) return links;
  }
  const cannot = cannotCreate(dir);
  if (cannot) return left(EXIT.cantCreate, cannot);
  return E.right({ replacing });
};

/** One writer per run directory: the lock (see lock.ts) is held from before the first check to the end. */
export const trainRun = async (req: RunRequest): Promise<E.Either<Failure, RunSummary>> => {
  const lock = takeRunLock(req.dir, 'train');
  if (E.isLeft(lock)) return lock;
  try {
    return await trainRunLocked(req);
  } finally {
    lock.right();
  }
};

/** Make the parent of run directory `dir` (the lock lives there) and lock `dir`. */
export const takeRunLock = (dir: string, command: string): E.Either<Failure, () => void> => {
  // Nothing is created where no run can be written (under a file, on /proc): say so first.
  const cannot = cannotCreate(dir);
  if (cannot) return left(EXIT.cantCreate, cannot);
  const why = makeDir(dirname(resolve(dir)));
  if (why) return left(EXIT.cantCreate, why);
  return lockRun(dir, command);
};

const trainRunLocked = async (req: RunRequest): Promise<E.Either<Failure, RunSummary>> => {
  const dir = req.dir;

  // The output first: cheap checks that must hold before anything is read, compiled or touched.
  const out = checkOutput(dir, { resume: req.resume, force: req.force });
  if (E.isLeft(out)) return out;
  const replacing = out.right.replacing;
  let record: RunRecord | undefined;
  let s = req.settings;
  let changed: Record<string, { from: unknown; to: unknown }> = {};
  if (req.resume) {
    const rec = readRecord(runFiles(dir).settings);
    // A checkpoint alone (e.g. downloaded from the browser page) is adopted: this call's settings
    // become its run.json. The checkpoint is still checked in full against the compiled model.
    if (E.isLeft(rec) && rec.left.exitCode !== EXIT.noInput) return rec;
    if (E.isLeft(rec)) req.log(`${dir}: no run.json beside the checkpoint; adopting it with this command's settings`);
    else {
      record = rec.right;
      const merged = reconcile(record.settings, s, req.explicit, runFiles(dir).settings);
      if (E.isLeft(merged)) return merged;
      s = merged.right.settings;
      changed = merged.right.changed;
    }
  }

  const lrAt = parseLrSchedule(s.lrSchedule ?? 'constant', s.lr, s.epochs);
  if (E.isLeft(lrAt)) return left(EXIT.usage, lrAt.left);
  // Scheduled models (k-annealing) are compiled per epoch; the run keeps epoch 1's build and hash.
  const compileFor = (epoch: number) =>
    guardSpec(() => compileModel(req.model, { optimizer: { kind: s.optimizer, lr: s.lr, hyper: s.optimizerHyper ?? {} }, dtype: s.dtype, progress: { epoch, epochs: s.epochs } }));
  const compiled = compileFor(1);
  if (E.isLeft(compiled)) return left(EXIT.dataErr, `${req.specPath}: ${showError(compiled.left)}`);
  const m = compiled.right.manifest;
  const wants = m.inputShape.reduce((a, b) => a * b, 1);
  if (req.data.dim !== wants)
    return left(EXIT.dataErr, `${s.data}: examples have shape [${req.data.shape.join(', ')}], but ${m.model} expects [${m.inputShape.join(', ')}]`);
  // The held-out set too: outside the range it would be reported as divergence.
  for (const [name, set] of [[s.data, req.data], [s.heldOutData, req.heldOutSet]] as const) {
    const why = set ? outsideRange(String(name), set.images, m.dataRange, m.model) : null;
    if (why) return left(EXIT.dataErr, why);
  }
  const { train, heldOut } = splitOf(req.data, req.heldOutSet, s.heldOut);
  if (s.batch > train.n) return left(EXIT.usage, `--batch ${s.batch} is larger than the ${train.n} training examples of ${s.data} (${heldOut.n} more are held out)`);
  // The data files must be the ones the run started on (same size and hash).
  const stamps = record?.dataStamp as Record<string, DataStamp> | undefined;
  for (const name of [s.data, s.heldOutData]) {
    const why = name !== undefined && stamps?.[name] ? stampDiffers(name, stamps[name]) : null;
    if (why) return left(EXIT.usage, why);
  }
  if (record && record.specHash !== m.specHash)
    return left(EXIT.usage, `${req.specPath}: is not the model of the run being resumed (spec hash ${m.specHash.slice(0, 12)}, ${runFiles(dir).settings} has ${record.specHash.slice(0, 12)})`);

  // Before the big allocations (parameters, state, the sessions' arenas): say what the run needs,
  // and refuse in one line when it cannot fit.
  const need = checkMemory(compiled.right, { batch: s.batch, fuse: Math.max(1, Math.min(s.fuse ?? DEFAULT_FUSE, Math.floor(train.n / s.batch))), req, trainValues: train.images.length, evalBatch: Math.min(HELD_OUT_BATCH, heldOut.n) }, req.onEstimate ?? req.log);
  if (need) return E.left(need);

  const cannot = makeDir(dir);
  if (cannot) return left(EXIT.cantCreate, cannot);

  let checkpoint: Checkpoint | undefined;
  // A replacement is built beside the old run and swapped in at its first checkpoint.
  const staged = replacing ? stageBeside(dir) : undefined;
  let f = runFiles(staged ?? dir);
  const swap = () => {
    if (staged && f.dir === staged) {
      swapIn(staged, dir);
      f = runFiles(dir);
    }
  };
  if (req.resume) {
    const c = readCheckpoint(f.checkpoint, { legacy: req.legacy });
    if (E.isLeft(c)) return left(EXIT.dataErr, c.left);
    if (c.right.meta.specHash !== m.specHash)
      return left(EXIT.usage, `${f.checkpoint}: was written for a different model or optimizer than ${req.specPath} (spec hash differs)`);
    const fits = checkAgainst(c.right, [...m.params, ...m.optimizer.state], f.checkpoint);
    if (E.isLeft(fits)) return left(EXIT.dataErr, fits.left);
    checkpoint = fits.right;
    // The position must be one this run's epochs can hold (the checksum only says the file is whole).
    const perEpoch = Math.floor(train.n / s.batch);
    const { step, epoch, stepInEpoch } = checkpoint.meta;
    const lastEpoch = Math.max(s.epochs, Number(record?.settings.epochs) || 0) + 1;
    if (epoch > lastEpoch || stepInEpoch >= perEpoch || step !== (epoch - 1) * perEpoch + stepInEpoch)
      return left(
        EXIT.dataErr,
        `${f.checkpoint}: bad checkpoint position: epoch ${epoch}, step ${stepInEpoch} of it, step ${step} overall, but this run has ${perEpoch} steps per epoch and at most ${lastEpoch - 1} epochs`,
      );
    // Metrics past the checkpoint go; a damaged line is refused before anything is written.
    const torn = trimMetrics(f.metrics, checkpoint.meta.epoch, req.log);
    if (torn) return E.left(torn);
  }

  try {
    if (!record) {
      // run.json first: from here on the directory is marked as Hourglass's own.
      const dataStamp = Object.fromEntries([s.data, s.heldOutData].flatMap((n) => (n === undefined ? [] : [[n, stampOf(n)]])).filter(([, v]) => v));
      record = newRecord({ ...req.record, written: RUN_WRITTEN, dataStamp, spec: req.specPath, model: m.model, specHash: m.specHash, settings: { ...s }, params: req.model.specParams ?? {}, split: splitRecord({ ...req, settings: s }) });
      writeRecord(f.settings, record);
      writeArtifacts(f, compiled.right);
      writeFileAtomic(f.metrics, '');
    }

    // The learning rate has one writer per event: the compiled manifest (s.lr) when a trainer is
    // opened, and the schedule (lrAt) at the start of every epoch, a resumed one included.
    const trainerOpts = { seed: s.seed, provider: s.provider, threads: s.threads, log: req.log };
    let trainer = await openTrainer(compiled.right, trainerOpts);
    let resumeFrom: LoopPosition | undefined;
    if (checkpoint) {
      trainer.restore(checkpoint.tensors, checkpoint.meta.noiseState);
      const { step, epoch, stepInEpoch, shuffleState, partial } = checkpoint.meta;
      resumeFrom = { step, epoch, stepInEpoch, shuffleState, partial };
      // Record what this resume changed; keep every field others wrote.
      const entry = { at: new Date().toISOString(), event: 'resumed' as const, step, ...(Object.keys(changed).length ? { changed } : {}) };
      writeRecord(f.settings, { ...record!, settings: { ...record!.settings, ...s }, history: [...record!.history, entry] });
      const what = Object.entries(changed).map(([k, v]) => `${k} ${v.from} → ${v.to}`);
      req.log(`resuming ${f.dir} at step ${step} (epoch ${epoch}, step ${stepInEpoch} of it)${what.length ? `, with ${what.join(', ')}` : ''}`);
    }

    const save = (p: LoopPosition) => {
      const tensors = trainer.snapshot();
      // Never save what the reader would refuse (weights past ±1e18): that is divergence.
      for (const [name, t] of Object.entries(tensors)) {
        if (badValue(name, t)) throw new DivergedError(p.step, `weight ${name}`, t.find((v) => !(Math.abs(v) <= LIMIT)) ?? NaN);
      }
      writeCheckpoint(f.checkpoint, {
        meta: { ...p, noiseState: trainer.noiseState(), lr: trainer.learningRate, specHash: m.specHash },
        tensors,
      });
      swap();
    };
    let lastSaved = checkpoint?.meta.step;
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
          appendNoFollow(f.metrics, `${JSON.stringify({ epoch: r.epoch, steps: r.steps, seconds: r.seconds, train: r.train, heldOut: r.heldOut, ...(extra ? { eval: extra } : {}) })}\n`);
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
          if (E.isLeft(built)) return left(EXIT.dataErr, `${req.specPath}: ${showError(built.left)}`);
          const differs = built.right.manifest.specHash !== hash;
          if (differs) {
            const next = await openTrainer(built.right, trainerOpts);
            next.restore(trainer.snapshot(), trainer.noiseState());
            trainer = next;
            hash = built.right.manifest.specHash;
          }
          if (differs || epoch === first)
            req.log(`epoch ${epoch}: ${Object.entries(built.right.manifest.scheduled).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
          reports.push(...(await trainEpochs(trainer, train, heldOut, loopOpts(epoch))));
        }
      }
      swap();
      const exported = await exportForward(compiled.right, trainer.snapshot(), f.exported);
      return E.right({ dir: f.dir, reports, resumedFrom: checkpoint?.meta.step, exported });
    } catch (err) {
      if (!(err instanceof DivergedError)) throw err;
      const lower = Number((s.lr / 10).toPrecision(3));
      // Every flag of the run, so the advice reruns this run and not the defaults' run.
      const flags = [
        ['--epochs', s.epochs], ['--batch', s.batch], ['--seed', s.seed], ['--optimizer', s.optimizer], ['--dtype', s.dtype],
        ['--lr-schedule', s.lrSchedule], ['--checkpoint-every', s.checkpointEvery], ['--fuse', s.fuse], ['--threads', s.threads],
        ['--provider', Array.isArray(s.provider) ? s.provider.join(',') : s.provider],
        ...(s.heldOutData !== undefined ? [['--held-out-data', s.heldOutData]] : [['--held-out', s.heldOut]]),
        ...Object.entries(req.model.specParams ?? {}).map(([k, v]) => ['--set', `${k}=${v}`]),
      ].flatMap(([k, v]) => (v === undefined ? [] : [String(k), String(v)]));
      const cmd = (extra: string) =>
        ['hourglass', 'train', req.specPath, '--data', s.data, '--out', dir, extra, ...(extra === '--force' ? [...flags, ...(s.binarise ? ['--binarise'] : [])] : []), '--lr', String(lower)]
          .map((a) => (a.startsWith('--') ? a : shellQuote(a)))
          .join(' ');
      if (lastSaved !== undefined && f.dir === runFiles(dir).dir)
        return left(
          EXIT.dataErr,
          `${err.message}; the last good checkpoint is ${f.checkpoint} (step ${lastSaved}) — lower the learning rate and resume: ${cmd('--resume')}`,
        );
      const kept = staged ? `; the previous run in ${dir} is unchanged` : '';
      return left(EXIT.dataErr, `${err.message} before the first checkpoint, so nothing was saved${kept} — lower the learning rate and start again: ${cmd('--force')}`);
    }
  } finally {
    if (staged && f.dir === staged) discard(staged);
  }
};
