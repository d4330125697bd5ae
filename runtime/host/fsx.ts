// File-system steps that must not lose data: atomic writes that never follow links, and checks
// before writing. Every failure here is the output's fault, so it ends as "cannot create output".
import { accessSync, closeSync, constants, fstatSync, fsyncSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
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
    if (code(err) !== 'EEXIST') throw writeFailure(path, err, 0);
    const st = lstatOrNull(path);
    if (!st?.isFile()) throw new CliError(`${path}: exists and is not a regular file (a link?); remove it first`, EXIT.cantCreate);
    unlinkSync(path);
    try {
      return openSync(path, 'wx');
    } catch (again) {
      throw writeFailure(path, again, 0);
    }
  }
};

/** A full or read-only disk: the user's situation to fix (free space, then --resume), not a bug. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

const writeFailure = (path: string, err: unknown, bytes: number): CliError => {
  if (err instanceof CliError) return err;
  const c = code(err);
  if (NO_SPACE.has(c))
    return new CliError(
      `${path}: ${c === 'EROFS' ? 'the file system is read-only' : c === 'EDQUOT' ? 'the disk quota is exhausted' : 'no space left on the device'} (${c})${bytes > 0 ? ` writing ${bytes} bytes; free at least that much` : '; free some space'} and rerun (a train: with --resume)`,
      EXIT.noSpace,
    );
  return new CliError(`${path}: cannot write (${c})`, EXIT.cantCreate);
};

/**
 * Test seam (HOURGLASS_FAULT, never set in use): `<kind>:<file name>[:<nth>]` makes the nth
 * write of that file name (`*`: any file; every write when nth is omitted) fail as a full disk would: `enospc` writes
 * half the bytes and then fails with ENOSPC; `short` writes at most half of what is asked per
 * call (a short write the loop must finish).
 */
const FAULT = (() => {
  const m = /^(enospc|short):([^:]+)(?::(\d+))?$/.exec(process.env.HOURGLASS_FAULT ?? '');
  return m ? { kind: m[1] as 'enospc' | 'short', name: m[2], nth: m[3] ? Number(m[3]) : undefined, seen: 0 } : undefined;
})();

type Writer = (fd: number, buf: Uint8Array, off: number, len: number) => number;
const plainWrite: Writer = (fd, buf, off, len) => writeSync(fd, buf, off, len);

/** The writer for one file: the real one, or the fault the seam asks for at this file. */
const writerFor = (path: string): Writer => {
  if (!FAULT || (FAULT.name !== '*' && basename(path) !== FAULT.name)) return plainWrite;
  FAULT.seen++;
  if (FAULT.nth !== undefined && FAULT.seen !== FAULT.nth) return plainWrite;
  if (FAULT.kind === 'short') return (fd, buf, off, len) => writeSync(fd, buf, off, Math.max(1, len >> 1));
  let budget: number | undefined;
  return (fd, buf, off, len) => {
    budget ??= len >> 1;
    if (budget <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write (injected)'), { code: 'ENOSPC' });
    const n = writeSync(fd, buf, off, Math.min(len, budget));
    budget -= n;
    return n;
  };
};

/** Write every byte of `chunks` at the file's position, looping over short writes. */
const writeAll = (fd: number, chunks: readonly Uint8Array[], write: Writer): void => {
  for (const c of chunks)
    for (let off = 0; off < c.length; ) {
      const n = write(fd, c, off, c.length - off);
      if (!(n > 0)) throw Object.assign(new Error('write wrote nothing'), { code: 'EIO' });
      off += n;
    }
};

const toChunks = (data: string | Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] =>
  typeof data === 'string' ? [new TextEncoder().encode(data)] : data instanceof Uint8Array ? [data] : data;

/**
 * Put the finished temporary file at `path` only if nothing is there: link(2) fails with EEXIST
 * rather than replace (rename would). A file system without hard links falls back to a rename
 * after one more look.
 */
const publishNew = (tmp: string, path: string): void => {
  try {
    linkSync(tmp, path);
  } catch (err) {
    if (code(err) === 'EEXIST') throw new CliError(`${path}: appeared while Hourglass was writing it; not replacing it (rerun to see why)`, EXIT.cantCreate);
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK'].includes(code(err)) || lstatOrNull(path)) throw err;
    renameSync(tmp, path);
    return;
  }
  unlinkSync(tmp);
};

/**
 * Write a whole file atomically: an exclusive temporary file, every byte written (short writes
 * looped), fsync, rename over `path`. On any failure the temporary file is removed and `path`
 * keeps its old content; a full disk ends as EXIT.noSpace naming the path and the bytes.
 * With `replace: false` the file is created exclusively: one that exists by then is kept.
 */
export const writeFileAtomic = (path: string, data: string | Uint8Array | readonly Uint8Array[], opts: { readonly replace?: boolean } = {}): void => {
  refuseLink(path);
  const tmp = `${path}.tmp`;
  const chunks = toChunks(data);
  const bytes = chunks.reduce((a, c) => a + c.length, 0);
  const fd = openExclusive(tmp);
  try {
    try {
      writeAll(fd, chunks, writerFor(path));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.replace === false) publishNew(tmp, path);
    else renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone (the rename happened, or the open failed).
    }
    throw writeFailure(path, err, bytes);
  }
};

/**
 * Append to a file without following a link at its name. All of `text` or nothing: a failed
 * append (a full disk) truncates the file back to its old length, so no torn line stays.
 */
export const appendNoFollow = (path: string, text: string): void => {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    if (NO_SPACE.has(code(err))) throw writeFailure(path, err, Buffer.byteLength(text));
    throw new CliError(`${path}: cannot append (${code(err)}${code(err) === 'ELOOP' ? ': a symbolic link' : ''})`, EXIT.cantCreate);
  }
  const chunks = toChunks(text);
  try {
    const before = fstatSync(fd).size;
    try {
      writeAll(fd, chunks, writerFor(path));
    } catch (err) {
      try {
        ftruncateSync(fd, before);
      } catch {
        // Nothing more can be done; the reader drops a torn last line.
      }
      throw writeFailure(path, err, chunks[0].length);
    }
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
