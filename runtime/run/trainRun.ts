// A training run in a directory: compile, train with checkpoints and metrics, resume after a
// crash, and export forward graphs with the trained weights inside. Every failure comes back
// as a one-line reason with an exit code, and nothing already written is overwritten without
// --force; even then the old run stays whole until the new one has its first checkpoint.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { compileModel, type Artifacts } from '../../compiler/compile';
import { showError } from '../../compiler/ir/types';
import type { Manifest } from '../../compiler/manifest';
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

/** This call's settings, merged with the run's own (run.json) when resuming; what the merge changed. */
const settingsFor = (req: RunRequest): E.Either<Failure, { record?: RunRecord; s: TrainSettings; changed: Changes }> => {
  if (!req.resume) return E.right({ s: req.settings, changed: {} });
  const rec = readRecord(runFiles(req.dir).settings);
  // A checkpoint alone (e.g. downloaded from the browser page) is adopted: this call's settings
  // become its run.json. The checkpoint is still checked in full against the compiled model.
  if (E.isLeft(rec) && rec.left.exitCode !== EXIT.noInput) return rec;
  if (E.isLeft(rec)) {
    req.log(`${req.dir}: no run.json beside the checkpoint; adopting it with this command's settings`);
    return E.right({ s: req.settings, changed: {} });
  }
  const merged = reconcile(rec.right.settings, req.settings, req.explicit, runFiles(req.dir).settings);
  if (E.isLeft(merged)) return merged;
  return E.right({ record: rec.right, s: merged.right.settings, changed: merged.right.changed });
};

type Changes = Record<string, { from: unknown; to: unknown }>;

/** The data against the model and the run being resumed (shape, range, batch, files, spec); its split. */
const checkData = (req: RunRequest, s: TrainSettings, m: Manifest, record: RunRecord | undefined): E.Either<Failure, { train: Dataset; heldOut: Dataset }> => {
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
    return left(EXIT.usage, `${req.specPath}: is not the model of the run being resumed (spec hash ${m.specHash.slice(0, 12)}, ${runFiles(req.dir).settings} has ${record.specHash.slice(0, 12)})`);
  return E.right({ train, heldOut });
};

/** The checkpoint to resume from, checked against the model and this run's epochs; later metrics trimmed. */
const resumePoint = (req: RunRequest, f: RunFiles, s: TrainSettings, m: Manifest, trainN: number, record: RunRecord | undefined): E.Either<Failure, Checkpoint> => {
  const c = readCheckpoint(f.checkpoint, { legacy: req.legacy });
  if (E.isLeft(c)) return left(EXIT.dataErr, c.left);
  if (c.right.meta.specHash !== m.specHash)
    return left(EXIT.usage, `${f.checkpoint}: was written for a different model or optimizer than ${req.specPath} (spec hash differs)`);
  const fits = checkAgainst(c.right, [...m.params, ...m.optimizer.state], f.checkpoint);
  if (E.isLeft(fits)) return left(EXIT.dataErr, fits.left);
  const checkpoint = fits.right;
  // The position must be one this run's epochs can hold (the checksum only says the file is whole).
  const perEpoch = Math.floor(trainN / s.batch);
  const { step, epoch, stepInEpoch } = checkpoint.meta;
  const lastEpoch = Math.max(s.epochs, Number(record?.settings.epochs) || 0) + 1;
  if (epoch > lastEpoch || stepInEpoch >= perEpoch || step !== (epoch - 1) * perEpoch + stepInEpoch)
    return left(
      EXIT.dataErr,
      `${f.checkpoint}: bad checkpoint position: epoch ${epoch}, step ${stepInEpoch} of it, step ${step} overall, but this run has ${perEpoch} steps per epoch and at most ${lastEpoch - 1} epochs`,
    );
  // Metrics past the checkpoint go; a damaged line is refused before anything is written.
  const torn = trimMetrics(f.metrics, checkpoint.meta.epoch, req.log);
  return torn ? E.left(torn) : E.right(checkpoint);
};

/** run.json first (from here on the directory is marked as Hourglass's own), then the artifacts. */
const startRecord = (req: RunRequest, f: RunFiles, s: TrainSettings, compiled: Artifacts): RunRecord => {
  const m = compiled.manifest;
  const dataStamp = Object.fromEntries([s.data, s.heldOutData].flatMap((n) => (n === undefined ? [] : [[n, stampOf(n)]])).filter(([, v]) => v));
  const record = newRecord({ ...req.record, written: RUN_WRITTEN, dataStamp, spec: req.specPath, model: m.model, specHash: m.specHash, settings: { ...s }, params: req.model.specParams ?? {}, split: splitRecord({ ...req, settings: s }) });
  writeRecord(f.settings, record);
  writeArtifacts(f, compiled);
  writeFileAtomic(f.metrics, '');
  return record;
};

/** Puts the checkpoint into the trainer and notes the resume in run.json; the loop's position. */
const resumeTrainer = (req: RunRequest, trainer: Trainer, checkpoint: Checkpoint, f: RunFiles, record: RunRecord, s: TrainSettings, changed: Changes): LoopPosition => {
  trainer.restore(checkpoint.tensors, checkpoint.meta.noiseState);
  const { step, epoch, stepInEpoch, shuffleState, partial } = checkpoint.meta;
  // Record what this resume changed; keep every field others wrote.
  const entry = { at: new Date().toISOString(), event: 'resumed' as const, step, ...(Object.keys(changed).length ? { changed } : {}) };
  writeRecord(f.settings, { ...record, settings: { ...record.settings, ...s }, history: [...record.history, entry] });
  const what = Object.entries(changed).map(([k, v]) => `${k} ${v.from} → ${v.to}`);
  req.log(`resuming ${f.dir} at step ${step} (epoch ${epoch}, step ${stepInEpoch} of it)${what.length ? `, with ${what.join(', ')}` : ''}`);
  return { step, epoch, stepInEpoch, shuffleState, partial };
};

/** The command that reruns this run (every flag of it, not the defaults') with a lower learning rate. */
const rerunCommand = (req: RunRequest, s: TrainSettings, extra: '--resume' | '--force', lr: number): string => {
  const flags = [
    ['--epochs', s.epochs], ['--batch', s.batch], ['--seed', s.seed], ['--optimizer', s.optimizer], ['--dtype', s.dtype],
    ['--lr-schedule', s.lrSchedule], ['--checkpoint-every', s.checkpointEvery], ['--fuse', s.fuse], ['--threads', s.threads],
    ['--provider', Array.isArray(s.provider) ? s.provider.join(',') : s.provider],
    ...(s.heldOutData !== undefined ? [['--held-out-data', s.heldOutData]] : [['--held-out', s.heldOut]]),
    ...Object.entries(req.model.specParams ?? {}).map(([k, v]) => ['--set', `${k}=${v}`]),
  ].flatMap(([k, v]) => (v === undefined ? [] : [String(k), String(v)]));
  return ['hourglass', 'train', req.specPath, '--data', s.data, '--out', req.dir, extra, ...(extra === '--force' ? [...flags, ...(s.binarise ? ['--binarise'] : [])] : []), '--lr', String(lr)]
    .map((a) => (a.startsWith('--') ? a : shellQuote(a)))
    .join(' ');
};

/** A divergence as a one-line failure: resume from the last good checkpoint, or start again. */
const divergedFailure = (err: DivergedError, req: RunRequest, s: TrainSettings, at: { f: RunFiles; lastSaved?: number; staged?: string }) => {
  const lower = Number((s.lr / 10).toPrecision(3));
  if (at.lastSaved !== undefined && at.f.dir === runFiles(req.dir).dir)
    return left(
      EXIT.dataErr,
      `${err.message}; the last good checkpoint is ${at.f.checkpoint} (step ${at.lastSaved}) — lower the learning rate and resume: ${rerunCommand(req, s, '--resume', lower)}`,
    );
  const kept = at.staged ? `; the previous run in ${req.dir} is unchanged` : '';
  return left(EXIT.dataErr, `${err.message} before the first checkpoint, so nothing was saved${kept} — lower the learning rate and start again: ${rerunCommand(req, s, '--force', lower)}`);
};

interface Training {
  readonly req: RunRequest;
  readonly s: TrainSettings;
  readonly compiled: Artifacts;
  readonly compileFor: (epoch: number) => ReturnType<typeof compileModel>;
  readonly train: Dataset;
  readonly heldOut: Dataset;
  /** The trainer, replaced when a scheduled model's graph changes. */
  trainer: Trainer;
  readonly trainerOpts: Parameters<typeof openTrainer>[1];
}

/** Every epoch; a scheduled model (k-annealing) one epoch at a time, its graph rebuilt when it changes. */
const trainAll = async (t: Training, loopOpts: (epochs: number) => Parameters<typeof trainEpochs>[3], first: number): Promise<E.Either<Failure, EpochReport[]>> => {
  const { req, s, compiled } = t;
  const m = compiled.manifest;
  if (Object.keys(m.scheduled).length === 0) return E.right(await trainEpochs(t.trainer, t.train, t.heldOut, loopOpts(s.epochs)));
  // Each epoch continues from the last one's end position exactly as a resume would.
  const reports: EpochReport[] = [];
  let hash = m.specHash;
  for (let epoch = first; epoch <= s.epochs; epoch++) {
    const built = t.compileFor(epoch);
    if (E.isLeft(built)) return left(EXIT.dataErr, `${req.specPath}: ${showError(built.left)}`);
    const differs = built.right.manifest.specHash !== hash;
    if (differs) {
      const next = await openTrainer(built.right, t.trainerOpts);
      next.restore(t.trainer.snapshot(), t.trainer.noiseState());
      t.trainer = next;
      hash = built.right.manifest.specHash;
    }
    if (differs || epoch === first) req.log(`epoch ${epoch}: ${Object.entries(built.right.manifest.scheduled).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
    reports.push(...(await trainEpochs(t.trainer, t.train, t.heldOut, loopOpts(epoch))));
  }
  return E.right(reports);
};

/** The learning-rate schedule, the compiled model and the checked data; refused when the run cannot fit. */
const prepare = (req: RunRequest, s: TrainSettings, record: RunRecord | undefined) => {
  const lrAt = parseLrSchedule(s.lrSchedule ?? 'constant', s.lr, s.epochs);
  if (E.isLeft(lrAt)) return left(EXIT.usage, lrAt.left);
  // Scheduled models (k-annealing) are compiled per epoch; the run keeps epoch 1's build and hash.
  const compileFor = (epoch: number) =>
    guardSpec(() => compileModel(req.model, { optimizer: { kind: s.optimizer, lr: s.lr, hyper: s.optimizerHyper ?? {} }, dtype: s.dtype, progress: { epoch, epochs: s.epochs } }));
  const compiled = compileFor(1);
  if (E.isLeft(compiled)) return left(EXIT.dataErr, `${req.specPath}: ${showError(compiled.left)}`);
  const m = compiled.right.manifest;
  const data = checkData(req, s, m, record);
  if (E.isLeft(data)) return data;
  const { train, heldOut } = data.right;

  // Before the big allocations (parameters, state, the sessions' arenas): say what the run needs,
  // and refuse in one line when it cannot fit.
  const need = checkMemory(compiled.right, { batch: s.batch, fuse: Math.max(1, Math.min(s.fuse ?? DEFAULT_FUSE, Math.floor(train.n / s.batch))), req, trainValues: train.images.length, evalBatch: Math.min(HELD_OUT_BATCH, heldOut.n) }, req.onEstimate ?? req.log);
  if (need) return E.left(need);
  return E.right({ lrAt: lrAt.right, compileFor, compiled: compiled.right, train, heldOut });
};

const trainRunLocked = async (req: RunRequest): Promise<E.Either<Failure, RunSummary>> => {
  const dir = req.dir;

  // The output first: cheap checks that must hold before anything is read, compiled or touched.
  const out = checkOutput(dir, { resume: req.resume, force: req.force });
  if (E.isLeft(out)) return out;
  const replacing = out.right.replacing;
  const settings = settingsFor(req);
  if (E.isLeft(settings)) return settings;
  let record = settings.right.record;
  const { s, changed } = settings.right;

  const ready = prepare(req, s, record);
  if (E.isLeft(ready)) return ready;
  const { lrAt, compileFor, compiled, train, heldOut } = ready.right;
  const m = compiled.manifest;

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
    const c = resumePoint(req, f, s, m, train.n, record);
    if (E.isLeft(c)) return c;
    checkpoint = c.right;
  }

  try {
    record ??= startRecord(req, f, s, compiled);

    // The learning rate has one writer per event: the compiled manifest (s.lr) when a trainer is
    // opened, and the schedule (lrAt) at the start of every epoch, a resumed one included.
    const trainerOpts = { seed: s.seed, provider: s.provider, threads: s.threads, log: req.log };
    const t: Training = { req, s, compiled, compileFor, train, heldOut, trainer: await openTrainer(compiled, trainerOpts), trainerOpts };
    const resumeFrom = checkpoint ? resumeTrainer(req, t.trainer, checkpoint, f, record, s, changed) : undefined;

    const save = (p: LoopPosition) => {
      const tensors = t.trainer.snapshot();
      // Never save what the reader would refuse (weights past ±1e18): that is divergence.
      for (const [name, v] of Object.entries(tensors)) {
        if (badValue(name, v)) throw new DivergedError(p.step, `weight ${name}`, v.find((x) => !(Math.abs(x) <= LIMIT)) ?? NaN);
      }
      writeCheckpoint(f.checkpoint, {
        meta: { ...p, noiseState: t.trainer.noiseState(), lr: t.trainer.learningRate, specHash: m.specHash },
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
        lrAt,
        fuse: s.fuse,
        checkpointEvery: s.checkpointEvery,
        onCheckpoint: (p: LoopPosition) => {
          save(p);
          lastSaved = p.step;
          position = p;
        },
        onStep: (step: number, inEpoch: number, losses: Record<string, number>) => req.onStep?.(step, inEpoch, perEpoch, losses),
        onEpoch: async (r: EpochReport) => {
          const extra = await req.evalAtEpoch?.(r.epoch, t.trainer.snapshot());
          appendNoFollow(f.metrics, `${JSON.stringify({ epoch: r.epoch, steps: r.steps, seconds: r.seconds, train: r.train, heldOut: r.heldOut, ...(extra ? { eval: extra } : {}) })}\n`);
          req.onEpoch?.(r);
        },
      });
      const reports = await trainAll(t, loopOpts, position?.epoch ?? 1);
      if (E.isLeft(reports)) return reports;
      swap();
      const exported = await exportForward(compiled, t.trainer.snapshot(), f.exported);
      return E.right({ dir: f.dir, reports: reports.right, resumedFrom: checkpoint?.meta.step, exported });
    } catch (err) {
      if (!(err instanceof DivergedError)) throw err;
      return divergedFailure(err, req, s, { f, lastSaved, staged });
    }
  } finally {
    if (staged && f.dir === staged) discard(staged);
  }
};
