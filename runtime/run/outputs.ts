// Where a command may write an output file: never over one of its own inputs, never inside a
// run directory except among that run's own outputs, never through a link or over something
// that is not a regular file, only with the extension the command writes, and over an existing
// file only when Hourglass can prove it wrote it (host/marks.ts: a PNG's Software chunk, an
// SVG's comment, a page's generator tag, a JSON's own fields) or the user passed --force. A .npy
// carries no mark, so an existing one is replaced only with --force (docs/safety.md).
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as E from 'fp-ts/Either';
import { EXIT, failure, type Failure } from '../core/failure';
import { lstatOrNull, writeFileAtomic } from '../host/fsx';
import { isMarkedPng, isMarkedSvg } from '../host/marks';
import { isRunDir } from './record';

/** The run directory `path` lies in (the nearest ancestor with a run.json), or null. */
export const enclosingRun = (path: string): string | null => {
  let d = dirname(resolve(path));
  for (;;) {
    if (isRunDir(join(d, 'run.json'))) return d;
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
};

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** Are `a` and `b` the same file (same inode, or the same path once links are resolved)? */
const sameFile = (a: string, b: string): boolean => {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return real(a) === real(b);
  }
};

export interface OutputRule {
  /** The flag naming the output, for messages (e.g. "--out"). */
  readonly flag: string;
  /** Extensions the command writes (with the dot), e.g. ['.html']. */
  readonly exts: readonly string[];
  /** Files the command reads: the output may not be one of them. */
  readonly inputs?: readonly string[];
  /**
   * The command's run directory and the names in it that are this command's own outputs
   * (a name ending in `/`: everything in that folder).
   */
  readonly run?: { readonly dir: string; readonly own: readonly string[] };
  /** Recognises an existing file at the output as one Hourglass wrote (default: by its mark, see hasMark). */
  readonly ours?: (existing: string) => boolean;
  /** --force: replace an existing regular file even when Hourglass cannot tell it wrote it. */
  readonly force?: boolean;
}

/** What writing the output will do: create a new file, or replace one Hourglass may replace. */
export type OutputPlan = 'create' | 'replace';

/** Does the file carry the mark Hourglass puts in what it writes (PNG, SVG)? A .npy never does. */
export const hasMark = (path: string): boolean => {
  const p = path.toLowerCase();
  return p.endsWith('.png') ? isMarkedPng(path) : p.endsWith('.svg') ? isMarkedSvg(path) : false;
};

const ownName = (own: readonly string[], rel: string) => own.some((o) => (o.endsWith('/') ? rel.startsWith(o) : rel === o));

/** Why `out` may not be written under `rule`, or whether it will be created or replaced. */
export const checkOutputFile = (out: string, rule: OutputRule): E.Either<Failure, OutputPlan> => {
  const bad = (code: Failure['exitCode'], why: string) => E.left(failure(code, `${out}: ${why}`));
  if (!rule.exts.some((x) => out.toLowerCase().endsWith(x)))
    return bad(EXIT.usage, `${rule.flag} must end in ${rule.exts.join(' or ')}`);
  for (const input of rule.inputs ?? []) if (lstatOrNull(input) && sameFile(out, input)) return bad(EXIT.cantCreate, `is an input of this command (${input}); write the output elsewhere`);
  const run = enclosingRun(out);
  if (run) {
    const rel = relative(real(run), join(real(dirname(resolve(out))), resolve(out).split(sep).pop()!)).split(sep).join('/');
    const own = rule.run && real(rule.run.dir) === real(run) && ownName(rule.run.own, rel);
    if (!own) return bad(EXIT.cantCreate, `is inside the run directory ${run}, where only the run's own files go; write it outside the run`);
  }
  // The atomic writer's temporary file is `<out>.tmp`, and it clears a stale one: a file of the
  // user's at that name would be lost, so it is judged like the output itself.
  const tmp = lstatOrNull(`${out}.tmp`);
  if (tmp && !rule.force) return bad(EXIT.cantCreate, `${out}.tmp exists (left by an interrupted write, or yours); Hourglass writes through that name: remove it, pass --force, or pick another ${rule.flag}`);
  if (tmp && !tmp.isFile()) return bad(EXIT.cantCreate, `${out}.tmp exists and is not a regular file; remove it or pick another ${rule.flag}`);
  const st = lstatOrNull(out);
  if (!st) return E.right('create');
  if (st.isSymbolicLink()) return bad(EXIT.cantCreate, 'is a symbolic link; Hourglass never writes through links (remove it or pick another path)');
  if (!st.isFile()) return bad(EXIT.cantCreate, 'exists and is not a regular file');
  if (rule.force || (rule.ours ?? hasMark)(out)) return E.right('replace');
  const why = out.toLowerCase().endsWith('.npy') ? 'exists (a .npy carries no mark of the program that wrote it)' : 'exists and carries no mark of Hourglass';
  return bad(EXIT.cantCreate, `${why}; not replacing it: pass --force to replace it, or pick another ${rule.flag}`);
};

/**
 * Write an output checked by checkOutputFile: atomically, never through a link, and a file
 * planned as new is created exclusively (one that appeared since the check is not replaced).
 */
export const writeOutput = (path: string, data: string | Uint8Array, plan: OutputPlan): void => writeFileAtomic(path, data, { replace: plan === 'replace' });

/** Is `path` a manifest.json `hourglass compile` or train wrote (model, specHash, params)? */
export const isOurManifest = (path: string): boolean => {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return typeof m.model === 'string' && typeof m.specHash === 'string' && Array.isArray(m.params);
  } catch {
    return false;
  }
};
