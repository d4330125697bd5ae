// Replacing a run without a window where neither run exists on disk: the new run is built in a
// hidden sibling directory and swapped in by rename once it has its first checkpoint. Until
// then the old run is untouched; a failure before that removes only the sibling.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from '../core/failure';

/** A fresh hidden directory next to `dir`, on the same file system (rename stays atomic). */
export const stageBeside = (dir: string): string => {
  const abs = resolve(dir);
  try {
    const staged = mkdtempSync(join(dirname(abs), `.${basename(abs)}.hourglass-new-`));
    // The replacement keeps the directory's mode (mkdtemp makes 0700).
    chmodSync(staged, statSync(abs).mode & 0o7777);
    return staged;
  } catch (err) {
    throw new CliError(`${dirname(abs)}: cannot create a staging directory next to ${basename(abs)} (${(err as NodeJS.ErrnoException).code})`, EXIT.cantCreate);
  }
};

/**
 * Put `staged` where `dir` is. The old run is first renamed aside (so a crash between the two
 * renames leaves it whole, next to `dir`), then removed once the new one is in place.
 */
export const swapIn = (staged: string, dir: string): void => {
  const abs = resolve(dir);
  const aside = join(dirname(abs), `.${basename(abs)}.hourglass-old-${process.pid}-${Date.now()}`);
  renameSync(abs, aside);
  try {
    renameSync(staged, abs);
  } catch (err) {
    renameSync(aside, abs);
    throw err;
  }
  // The user's own files in the old run (notes, a thesis) move into the new one; only what
  // Hourglass wrote (run.json's `written`, or the names every run writes) is removed.
  const ours = new Set(writtenBy(aside));
  let kept = true;
  for (const name of readdirSync(aside)) {
    if (ours.has(name) || ours.has(name.replace(/\.tmp$/, ''))) continue;
    if (existsSync(join(abs, name))) kept = false;
    else renameSync(join(aside, name), join(abs, name));
  }
  // A name both runs use would be lost: keep the old run aside rather than remove it.
  if (kept) rmSync(aside, { recursive: true, force: true });
};

/** What Hourglass writes in a run directory: the names every run holds and the commands add. */
export const RUN_WRITTEN = ['run.json', 'metrics.jsonl', 'checkpoint.hgck', 'artifacts', 'exported', 'report.html', 'figures'];

/** The names run.json of `dir` lists as written by Hourglass (RUN_WRITTEN for older runs). */
const writtenBy = (dir: string): readonly string[] => {
  try {
    const w = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { written?: unknown }).written;
    return Array.isArray(w) && w.every((n) => typeof n === 'string' && !n.includes('/')) ? [...w, 'run.json'] : RUN_WRITTEN;
  } catch {
    return RUN_WRITTEN;
  }
};

export const discard = (staged: string): void => rmSync(staged, { recursive: true, force: true });
