// Which directories Hourglass may replace or write into. It only ever removes what it created:
// a run directory (marked by run.json), never the current directory, one of its parents, the
// home directory or the root, and never a folder that merely happens to be in the way.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import * as E from 'fp-ts/Either';
import { EXIT, failure, type Failure } from '../core/failure';
import { lstatOrNull } from '../host/fsx';
import { runFiles } from './layout';
import { readRecord } from './record';

const listing = (dir: string, max = 5): string => {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return '';
  }
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
};

/** A directory that contains the current directory (or is it), the home directory or the root. */
const protectedReason = (abs: string): string | null => {
  const cwd = process.cwd();
  if (abs === resolve(sep)) return 'the root directory';
  if (abs === resolve(homedir())) return 'the home directory';
  const rel = relative(abs, cwd);
  if (rel === '') return 'the current directory';
  if (!rel.startsWith('..') && !rel.startsWith(sep)) return 'a parent of the current directory';
  return null;
};

/** May --force replace `dir`? Only an existing Hourglass run directory that is not protected. */
export const mayReplace = (dir: string): E.Either<Failure, void> => {
  const abs = resolve(dir);
  const why = protectedReason(abs);
  if (why) return E.left(failure(EXIT.cantCreate, `${dir}: refusing --force on ${why}; it would have removed ${listing(abs) || 'everything in it'}`));
  const rec = readRecord(runFiles(dir).settings);
  if (E.isLeft(rec))
    return E.left(
      failure(
        EXIT.cantCreate,
        `${dir}: refusing --force: not a Hourglass run directory (${rec.left.message.replace(`${runFiles(dir).settings}: `, 'run.json: ')}); it would have removed ${listing(abs)}. Pick another --out or remove it yourself`,
      ),
    );
  return E.right(undefined);
};

/** The names Hourglass writes in a run directory, with their temporary files. */
const WRITTEN = ['run.json', 'metrics.jsonl', 'checkpoint.hgck', 'artifacts', 'exported'];

/** Refuse a run directory with a symbolic link where Hourglass writes (the write would escape). */
export const refuseLinks = (dir: string): E.Either<Failure, void> => {
  const check = (p: string) => lstatOrNull(p)?.isSymbolicLink() ?? false;
  const candidates: string[] = [];
  for (const n of WRITTEN) candidates.push(join(dir, n), join(dir, `${n}.tmp`));
  for (const sub of ['artifacts', 'exported']) {
    const d = join(dir, sub);
    if (lstatOrNull(d)?.isDirectory()) for (const n of readdirSync(d)) candidates.push(join(d, n));
  }
  const link = candidates.find(check);
  return link ? E.left(failure(EXIT.cantCreate, `${link}: is a symbolic link inside the run directory; Hourglass never writes through links — remove it`)) : E.right(undefined);
};
