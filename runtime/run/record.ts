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
  return E.right({ ...o, history: Array.isArray(o.history) ? o.history : [] } as RunRecord);
};

/** Is `dir` a run directory: does it hold a run.json with the format tag? */
export const isRunDir = (runJson: string): boolean => E.isRight(readRecord(runJson));
