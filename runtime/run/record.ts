// run.json: the run directory's marker and record. Written first, before anything else in the
// directory, so a folder without it was not made by Hourglass and is never removed by it.
//
// Format "hourglass.run", version 1:
//   { format, version, created, spec, model, specHash, settings, history, ...more }
// Fields other commands add (e.g. `params`, `split`) ride along untouched: readers keep every
// field they do not know, and writers update by spreading the record they read.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import { EXIT, failure, type Failure } from '../core/failure';
import { lstatOrNull, writeFileAtomic } from '../host/fsx';

export const RUN_FORMAT = 'hourglass.run';
export const RUN_VERSION = 1;

/** One resume: when, from which step, and the settings it changed (old → new). */
export interface RunHistoryEntry {
  readonly at: string;
  readonly event: 'created' | 'resumed';
  readonly step?: number;
  readonly changed?: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
}

export interface RunRecord {
  readonly format: typeof RUN_FORMAT;
  readonly version: number;
  readonly created: string;
  readonly spec: string;
  readonly model: string;
  readonly specHash: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly history: readonly RunHistoryEntry[];
  readonly [more: string]: unknown;
}

export const newRecord = (r: Pick<RunRecord, 'spec' | 'model' | 'specHash' | 'settings'> & Record<string, unknown>): RunRecord => {
  const created = new Date().toISOString();
  return { format: RUN_FORMAT, version: RUN_VERSION, created, ...r, history: [{ at: created, event: 'created' }] };
};

export const writeRecord = (path: string, r: RunRecord): void => writeFileAtomic(path, `${JSON.stringify(r, null, 2)}\n`);

/** The record at `path`, checked for the format tag; a left says what is wrong with the file. */
export const readRecord = (path: string): E.Either<Failure, RunRecord> => {
  const st = lstatOrNull(path);
  if (!st) return E.left(failure(EXIT.noInput, `${path}: no such file (not a Hourglass run directory)`));
  if (!st.isFile()) return E.left(failure(EXIT.dataErr, `${path}: is not a regular file`));
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return E.left(failure(EXIT.dataErr, `${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`));
  }
  const o = r as Partial<RunRecord> | null;
  if (typeof o !== 'object' || o === null || o.format !== RUN_FORMAT)
    return E.left(failure(EXIT.dataErr, `${path}: not a Hourglass run record (no "format": "${RUN_FORMAT}")`));
  if (o.version !== RUN_VERSION) return E.left(failure(EXIT.dataErr, `${path}: unsupported run record version ${JSON.stringify(o.version)} (this Hourglass reads ${RUN_VERSION})`));
  if (typeof o.settings !== 'object' || o.settings === null || typeof o.specHash !== 'string')
    return E.left(failure(EXIT.dataErr, `${path}: run record without settings or specHash`));
  const bad = badSetting(o.settings as Record<string, unknown>);
  if (bad) return E.left(failure(EXIT.dataErr, `${path}: settings.${bad}; fix run.json or start a new run`));
  return E.right({ ...o, history: Array.isArray(o.history) ? o.history : [] } as RunRecord);
};

const posInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
/** Each recorded setting's type and range (those present; the CLI's flag ranges). */
const SETTING_RULES: Record<string, [(v: unknown) => boolean, string]> = {
  epochs: [posInt, 'a positive integer'],
  batch: [posInt, 'a positive integer'],
  checkpointEvery: [posInt, 'a positive integer'],
  fuse: [(v) => v === undefined || posInt(v), 'a positive integer'],
  threads: [(v) => v === undefined || v === null || posInt(v), 'a positive integer'],
  lr: [(v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a positive number'],
  seed: [(v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'an integer in [0, 2^32)'],
  heldOut: [(v) => v === undefined || (typeof v === 'number' && v >= 0 && v < 1), 'a fraction in [0, 1)'],
  optimizer: [(v) => typeof v === 'string', 'an optimizer name'],
  dtype: [(v) => v === 'f32' || v === 'f64', '"f32" or "f64"'],
  data: [(v) => typeof v === 'string' && v !== '', 'a data set name or path'],
  binarise: [(v) => v === undefined || typeof v === 'boolean', 'true or false'],
  lrSchedule: [(v) => v === undefined || typeof v === 'string', 'a schedule string'],
};

/** The first recorded setting outside its type or range, as `name = value (must be …)`, or null. */
const badSetting = (s: Record<string, unknown>): string | null => {
  for (const [k, [ok, rule]] of Object.entries(SETTING_RULES)) if (k in s && !ok(s[k])) return `${k} = ${JSON.stringify(s[k])} (must be ${rule})`;
  return null;
};

/** Is `dir` a run directory: does it hold a run.json with the format tag? */
export const isRunDir = (runJson: string): boolean => E.isRight(readRecord(runJson));
