// A finished run as its readers need it (evaluate, encode / reconstruct / sample, the library's
// openRun): its run.json (spec, parameters, settings, split), its manifest and its trained tensors;
// and the rows of a data set that a run's split calls `train` or `held-out`. Failures carry the exit
// code they deserve (core/failure.ts): 66 missing input, 65 bad content, 2 a contradicting flag.
import { existsSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import type { Manifest } from '../../compiler/manifest';
import { readCheckpoint } from '../host/checkpoint';
import { DEFAULT_HELD_OUT, SPLIT_SEED, splitHeldOut, type Dataset } from '../core/dataset';
import { showDataError } from '../host/data/errors';
import { resolveDataset } from '../host/data/resolve';
import type { FloatArray } from '../core/init';
import { runFiles } from './layout';
import { readRecord, type RunRecord } from './record';
import { EXIT, failure, type ExitCode, type Failure } from '../core/failure';

export type SplitName = 'train' | 'held-out' | 'all';
export const SPLITS: readonly SplitName[] = ['train', 'held-out', 'all'];

/** run.json's `split` (runs written before it existed held out 20% of `settings.data`). */
export interface SplitRecord {
  readonly data: string;
  /** Fraction of `data` held out; 0 when the run trained on all of it. */
  readonly heldOut: number;
  readonly heldOutData?: string;
  readonly seed: number;
  readonly train?: number;
  readonly heldOutN?: number;
  readonly binarise?: boolean;
}

export interface RunInfo {
  readonly dir: string;
  readonly spec: string;
  readonly model: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly split: SplitRecord;
  readonly manifest: Manifest;
  /** run.json as written, fields readers do not know included (absent for a model evaluated while it trains). */
  readonly record?: RunRecord;
}

const fail = (message: string, exitCode: ExitCode): E.Either<Failure, never> => E.left(failure(exitCode, message));

const readJson = (path: string): E.Either<Failure, Record<string, unknown>> => {
  if (!existsSync(path)) return fail(`${path}: missing (not a training run directory?)`, EXIT.noInput);
  try {
    return E.right(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
  } catch (err) {
    return fail(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, EXIT.dataErr);
  }
};

export const readRun = (dir: string): E.Either<Failure, RunInfo> => {
  const f = runFiles(dir);
  // run.json has one reader (record.ts); only the message for a missing one is this command's.
  if (!existsSync(f.settings)) return fail(`${f.settings}: missing (not a training run directory?)`, EXIT.noInput);
  const run = readRecord(f.settings);
  if (E.isLeft(run)) return run;
  const manifest = readJson(f.manifest);
  if (E.isLeft(manifest)) return manifest;
  const r = run.right as { spec?: string; model?: string; params?: Record<string, number | string>; settings?: Record<string, unknown>; split?: SplitRecord };
  const settings = r.settings ?? {};
  // A record from before `split` existed: the settings' fraction (20% when none) of `settings.data`.
  const split: SplitRecord = r.split ?? {
    data: String(settings.data ?? ''),
    heldOut: typeof settings.heldOut === 'number' ? settings.heldOut : DEFAULT_HELD_OUT,
    seed: SPLIT_SEED,
    ...(settings.binarise === true ? { binarise: true } : {}),
  };
  return E.right({ dir, spec: String(r.spec ?? ''), model: String(r.model ?? ''), params: r.params ?? {}, settings, split, manifest: manifest.right as unknown as Manifest, record: run.right });
};

/** The trained parameters (the last checkpoint, written at the end of every epoch). */
export const readWeights = (dir: string): E.Either<Failure, Readonly<Record<string, FloatArray>>> => {
  const f = runFiles(dir);
  if (!existsSync(f.checkpoint)) return fail(`${f.checkpoint}: missing (train the run first)`, EXIT.noInput);
  const c = readCheckpoint(f.checkpoint);
  return E.isLeft(c) ? fail(c.left, EXIT.dataErr) : E.right(c.right.tensors);
};

/** Load a data set as the run loaded its training data (binarised if it was). */
export const loadLikeRun = (name: string, split: SplitRecord): E.Either<Failure, Dataset> =>
  E.mapLeft((e: Parameters<typeof showDataError>[0]) => failure(EXIT.dataErr, showDataError(e)))(resolveDataset(name, { binarise: split.binarise ?? false }));

/**
 * The rows of `d` (loaded from `name`) that the run's split calls `which`: on the run's training
 * data, its train / held-out rows; on its separate held-out data (--held-out-data), all of it is
 * held out. Any other data set only has `all`.
 */
export const selectSplit = (d: Dataset, name: string, split: SplitRecord, which: SplitName): E.Either<Failure, Dataset> => {
  if (which === 'all') return E.right(d);
  if (split.heldOutData !== undefined && name === split.heldOutData) {
    if (which === 'held-out') return E.right(d);
    return fail(`--split train: ${name} is the run's separate held-out set; its training data is ${split.data}`, EXIT.usage);
  }
  if (name !== split.data) return fail(`--split ${which}: ${name} is not the run's training data (${split.data}); use --split all`, EXIT.usage);
  if (split.heldOutData !== undefined || split.heldOut === 0) {
    if (which === 'train') return E.right(d);
    return fail(`--split held-out: the run trained on all of ${name}${split.heldOutData ? ` and held out ${split.heldOutData}` : ''}`, EXIT.usage);
  }
  const parts = splitHeldOut(d, split.heldOut, split.seed);
  return E.right(which === 'train' ? parts.train : parts.heldOut);
};
