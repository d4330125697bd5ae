// File-system steps that must not lose data: atomic writes and checks before writing.
import { accessSync, constants, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Write a whole file atomically: temporary file, fsync, rename. */
export const writeFileAtomic = (path: string, data: string | Uint8Array): void => {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
};

/** Why `dir` cannot be written (created if missing), or null when it can. */
export const unwritable = (dir: string): string | null => {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return `${dir}: cannot write here (${code})`;
  }
};

export const isNonEmptyDir = (dir: string): boolean => existsSync(dir) && readdirSync(dir).length > 0;

export const ensureParent = (path: string): void => {
  mkdirSync(dirname(path), { recursive: true });
};
