// Replacing a run without a window where neither run exists on disk: the new run is built in a
// hidden sibling directory and swapped in by rename once it has its first checkpoint. Until
// then the old run is untouched; a failure before that removes only the sibling.
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from '../core/failure';

/** A fresh hidden directory next to `dir`, on the same file system (rename stays atomic). */
export const stageBeside = (dir: string): string => {
  const abs = resolve(dir);
  try {
    return mkdtempSync(join(dirname(abs), `.${basename(abs)}.hourglass-new-`));
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
  rmSync(aside, { recursive: true, force: true });
};

export const discard = (staged: string): void => rmSync(staged, { recursive: true, force: true });
