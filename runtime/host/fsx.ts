// File-system steps that must not lose data: atomic writes that never follow links, and checks
// before writing. Every failure here is the output's fault, so it ends as "cannot create output".
import { accessSync, closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT } from '../core/failure';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

/** lstat, or null when nothing is there. */
export const lstatOrNull = (path: string) => {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
};

/** Refuse to write at `path` when it is a symbolic link (the write would land elsewhere). */
export const refuseLink = (path: string): void => {
  if (lstatOrNull(path)?.isSymbolicLink()) throw new CliError(`${path}: is a symbolic link; Hourglass never writes through links`, EXIT.cantCreate);
};

/**
 * Open `path` for writing, created exclusively (O_CREAT|O_EXCL, which never follows a link).
 * A stale regular file left by a crash is removed first; anything else there is refused.
 */
const openExclusive = (path: string): number => {
  try {
    return openSync(path, 'wx');
  } catch (err) {
    if (code(err) !== 'EEXIST') throw new CliError(`${path}: cannot write (${code(err)})`, EXIT.cantCreate);
    const st = lstatOrNull(path);
    if (!st?.isFile()) throw new CliError(`${path}: exists and is not a regular file (a link?); remove it first`, EXIT.cantCreate);
    unlinkSync(path);
    try {
      return openSync(path, 'wx');
    } catch (again) {
      throw new CliError(`${path}: cannot write (${code(again)})`, EXIT.cantCreate);
    }
  }
};

/** Write a whole file atomically: an exclusive temporary file, fsync, rename over `path`. */
export const writeFileAtomic = (path: string, data: string | Uint8Array | readonly Uint8Array[]): void => {
  refuseLink(path);
  const tmp = `${path}.tmp`;
  const fd = openExclusive(tmp);
  try {
    const chunks = typeof data === 'string' ? [new TextEncoder().encode(data)] : data instanceof Uint8Array ? [data] : data;
    for (const c of chunks) writeSync(fd, c);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    throw new CliError(`${path}: cannot write (${code(err)})`, EXIT.cantCreate);
  }
};

/** Append to a file without following a link at its name. */
export const appendNoFollow = (path: string, text: string): void => {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    throw new CliError(`${path}: cannot append (${code(err)}${code(err) === 'ELOOP' ? ': a symbolic link' : ''})`, EXIT.cantCreate);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
};

/**
 * Create `dir` one level at a time (Node's recursive mkdir loops forever on /proc), refusing
 * a file in the way. Returns why it cannot be created and written, or null.
 */
export const makeDir = (dir: string): string | null => {
  const abs = resolve(dir);
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    const st = lstatOrNull(p);
    if (st) {
      const isDir = st.isDirectory() || (st.isSymbolicLink() && statSafeIsDir(p));
      if (!isDir) return `${dir}: cannot write here (${p === abs ? 'exists and is not a directory' : `${p} is not a directory`})`;
      break;
    }
    missing.unshift(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  try {
    for (const m of missing) mkdirSync(m);
    accessSync(abs, constants.W_OK);
    return null;
  } catch (err) {
    return `${dir}: cannot write here (${code(err)})`;
  }
};

export const statSafeIsDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Kernel file systems no run belongs on (statfs magic numbers): proc, sysfs, debugfs, cgroup. */
const SPECIAL_FS = new Set([0x9fa0, 0x62656572, 0x64626720, 0x27e0eb, 0x63677270]);

/**
 * Why `dir` could not be created and written, or null — without creating anything: the nearest
 * existing ancestor must be a writable directory on an ordinary file system.
 */
export const cannotCreate = (dir: string): string | null => {
  const abs = resolve(dir);
  let p = abs;
  for (;;) {
    const st = lstatOrNull(p);
    if (st) {
      if (!(st.isDirectory() || (st.isSymbolicLink() && statSafeIsDir(p))))
        return `${dir}: cannot write here (${p === abs ? 'exists and is not a directory' : `${p} is not a directory`})`;
      try {
        accessSync(p, constants.W_OK);
      } catch (err) {
        return `${dir}: cannot write here (${code(err)})`;
      }
      try {
        if (SPECIAL_FS.has(Number(statfsSync(p).type))) return `${dir}: cannot write here (${p} is a kernel file system)`;
      } catch {
        // statfs unsupported: creating will tell.
      }
      return null;
    }
    const up = dirname(p);
    if (up === p) return `${dir}: cannot write here (no existing parent)`;
    p = up;
  }
};

/** Why `dir` cannot be written (created if missing), or null when it can. */
export const unwritable = (dir: string): string | null => makeDir(dir);

export const isNonEmptyDir = (dir: string): boolean => statSafeIsDir(dir) && readdirSync(dir).length > 0;

/** Make the folder of an output file; a failure is a one-line "cannot create output". */
export const ensureParent = (path: string): void => {
  const why = makeDir(dirname(path));
  if (why) throw new CliError(why, EXIT.cantCreate);
};
