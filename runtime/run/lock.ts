// One writer per run directory. The lock is a file beside the directory (not inside it, so the
// rename that swaps in a --force replacement never moves it), created exclusively (by link) and holding
// the owner's pid, host and start time. It is released on every exit path this process
// controls (return, throw, process.exit, SIGINT/SIGTERM/SIGHUP). A lock left by a process that
// died (SIGKILL, power loss) is never broken silently: the next writer is refused with the
// command that clears it, because only the user can know that no other machine still writes.
// The one exception is a caller that can prove the holder ended (a sweep that reaped its own
// child, or that Slurm reports the holder's task ended): `clearEndedLock`, which says so.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { EXIT, failure, type Failure } from '../core/failure';

/** Where the lock of run directory `dir` lives: `.<name>.hourglass-lock` next to it. */
export const lockPath = (dir: string): string => {
  const abs = resolve(dir);
  return join(dirname(abs), `.${basename(abs)}.hourglass-lock`);
};

export interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly command: string;
  /** The Slurm task that runs the holder (`<array job>_<task>` or `<job>`), when one does. */
  readonly slurm?: string;
}

/** This process's Slurm task, from the variables Slurm sets for a batch step. */
const slurmTask = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const array = env.SLURM_ARRAY_JOB_ID;
  const task = env.SLURM_ARRAY_TASK_ID;
  if (array && task) return `${array}_${task}`;
  return env.SLURM_JOB_ID || undefined;
};

/** Locks this process holds: path → nesting depth (the CLI takes it, then trainRun again). */
const held = new Map<string, number>();

const releaseAll = () => {
  for (const p of held.keys()) {
    try {
      unlinkSync(p);
    } catch {
      // Already gone: nothing to release.
    }
  }
  held.clear();
};

let hooked = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const onSignal = (sig: NodeJS.Signals) => {
  releaseAll();
  for (const s of SIGNALS) process.off(s, onSignal);
  // End as the signal would have ended us, so parents (a sweep) see the same thing.
  process.kill(process.pid, sig);
};
const hook = () => {
  if (hooked) return;
  hooked = true;
  process.on('exit', releaseAll);
  // Only when nobody else listens: a sweep or serve handles its own signals (and holds no lock).
  for (const s of SIGNALS) if (process.listenerCount(s) === 0) process.on(s, onSignal);
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const readHolder = (path: string): Holder | null => {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return null;
    return { pid: h.pid, host: h.host, started: String(h.started), command: String(h.command ?? ''), ...(typeof h.slurm === 'string' ? { slurm: h.slurm } : {}) };
  } catch {
    return null;
  }
};

/** Why `dir` is locked by someone else (one line), given the lock file there. */
const refusal = (dir: string, path: string): Failure => {
  const h = readHolder(path);
  const clear = `rm ${shellQuote(path)}`;
  if (!h) return failure(EXIT.busy, `${dir}: another hourglass is taking the run directory's lock right now (${path}); wait for it, or if none runs, clear it: ${clear}`);
  const who = `pid ${h.pid} on ${h.host} since ${h.started}${h.command ? ` (hourglass ${h.command})` : ''}`;
  if (h.host === hostname() && !alive(h.pid))
    return failure(EXIT.busy, `${dir}: locked by ${who}, which is no longer running (killed or crashed); if no other hourglass writes this run, clear the lock and rerun: ${clear}`);
  if (h.host !== hostname())
    return failure(EXIT.busy, `${dir}: in use by ${who}, another machine; wait for it to end (or, if it has, clear the lock: ${clear})`);
  return failure(EXIT.busy, `${dir}: in use by ${who}; wait for it to end or pick another --out`);
};

/**
 * Take the lock of run directory `dir` for `command` (e.g. "train"). The parent directory must
 * exist. Re-entrant within one process; returns the release function.
 */
export const lockRun = (dir: string, command: string): E.Either<Failure, () => void> => {
  const path = lockPath(dir);
  const release = () => {
    const n = held.get(path) ?? 0;
    if (n > 1) held.set(path, n - 1);
    else if (n === 1) {
      held.delete(path);
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    }
  };
  if (held.has(path)) {
    held.set(path, held.get(path)! + 1);
    return E.right(release);
  }
  // The holder is written to a file of our own first and then linked to the lock's name: link()
  // is atomic and fails when the name exists, so a rival never sees a lock without its holder.
  const tmp = `${path}.${process.pid}.tmp`;
  const task = slurmTask();
  const holder: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command, ...(task ? { slurm: task } : {}) };
  const dropTmp = () => {
    try {
      unlinkSync(tmp);
    } catch {
      // Never made, or already gone.
    }
  };
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeFileSync(fd, `${JSON.stringify(holder)}\n`); // loops until every byte is written
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    dropTmp();
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const full = ['ENOSPC', 'EDQUOT', 'EROFS'].includes(code);
    return E.left(failure(full ? EXIT.noSpace : EXIT.cantCreate, `${path}: cannot write the run directory's lock (${code}${full ? ': the disk is full; free some space and rerun' : ''})`));
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    dropTmp();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return E.left(refusal(dir, path));
    // A file system without hard links: create the lock itself exclusively (a rival may then,
    // for a moment, find it empty, and is told someone is taking it).
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeFileSync(fd, `${JSON.stringify(holder)}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (err2) {
      const code2 = (err2 as NodeJS.ErrnoException).code;
      if (code2 === 'EEXIST') return E.left(refusal(dir, path));
      return E.left(failure(EXIT.cantCreate, `${path}: cannot create the run directory's lock (${code2 ?? code})`));
    }
  }
  dropTmp();
  hook();
  held.set(path, 1);
  return E.right(release);
};

/** Who holds the lock of run directory `dir`, or null when it is free (or unreadable). */
export const lockHolder = (dir: string): Holder | null => readHolder(lockPath(dir));

/**
 * Remove the lock of `dir` when `ended` proves its holder has ended (returns the reason, or null
 * to keep it). The lock is first renamed to a name of our own, so a rival taking the freed name
 * meanwhile is never removed; if what was moved is not the holder judged, it is put back.
 * Returns the one line to print, or null when nothing was removed.
 */
export const clearEndedLock = (dir: string, ended: (h: Holder) => string | null): string | null => {
  const path = lockPath(dir);
  const judged = readHolder(path);
  if (!judged) return null;
  const why = ended(judged);
  if (why === null) return null;
  const moved = `${path}.ended.${process.pid}`;
  try {
    renameSync(path, moved);
  } catch {
    return null; // gone already, or not ours to move
  }
  const what = readHolder(moved);
  if (!what || JSON.stringify(what) !== JSON.stringify(judged)) {
    try {
      linkSync(moved, path);
    } catch {
      // A new holder took the name meanwhile: its lock stands; ours goes.
    }
    unlinkSync(moved);
    return null;
  }
  unlinkSync(moved);
  return `${dir}: cleared the run lock of pid ${judged.pid} on ${judged.host} (hourglass ${judged.command}${judged.slurm ? `, Slurm task ${judged.slurm}` : ''}): ${why}`;
};
