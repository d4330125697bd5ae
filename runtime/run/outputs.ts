// Where a command may write an output file: never over one of its own inputs, never inside a
// run directory except among that run's own outputs, never over a file Hourglass can tell it
// did not write, and only with the extension the command writes.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as E from 'fp-ts/Either';
import { EXIT, failure, type Failure } from '../core/failure';
import { lstatOrNull } from '../host/fsx';
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
  /** The command's run directory and the names in it that are this command's own outputs. */
  readonly run?: { readonly dir: string; readonly own: readonly string[] };
  /** Recognises an existing file at the output as one Hourglass wrote (may be replaced). */
  readonly ours?: (existing: string) => boolean;
}

/** Why `out` may not be written under `rule`, or right when it may. */
export const checkOutputFile = (out: string, rule: OutputRule): E.Either<Failure, void> => {
  const bad = (code: Failure['exitCode'], why: string) => E.left(failure(code, `${out}: ${why}`));
  if (!rule.exts.some((x) => out.toLowerCase().endsWith(x)))
    return bad(EXIT.usage, `${rule.flag} must end in ${rule.exts.join(' or ')}`);
  for (const input of rule.inputs ?? []) if (lstatOrNull(input) && sameFile(out, input)) return bad(EXIT.cantCreate, `is an input of this command (${input}); write the output elsewhere`);
  const run = enclosingRun(out);
  if (run) {
    const rel = relative(real(run), join(real(dirname(resolve(out))), resolve(out).split(sep).pop()!));
    const own = rule.run && real(rule.run.dir) === real(run) && rule.run.own.includes(rel);
    if (!own) return bad(EXIT.cantCreate, `is inside the run directory ${run}, where only the run's own files go; write it outside the run`);
  }
  const st = lstatOrNull(out);
  if (st && !st.isFile()) return bad(EXIT.cantCreate, 'exists and is not a regular file');
  if (st && rule.ours && !rule.ours(out)) return bad(EXIT.cantCreate, 'exists and was not written by Hourglass; not replacing it (remove it yourself or pick another path)');
  return E.right(undefined);
};

/** Is `path` a manifest.json `hourglass compile` or train wrote (model, specHash, params)? */
export const isOurManifest = (path: string): boolean => {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return typeof m.model === 'string' && typeof m.specHash === 'string' && Array.isArray(m.params);
  } catch {
    return false;
  }
};
