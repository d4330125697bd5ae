// Reading a data file's bytes, gunzipping `.gz` files, with failures as values.
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as E from 'fp-ts/Either';
import { dataError, type DataError } from './errors';

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const readDataFile = (path: string): E.Either<DataError, Buffer> => {
  let raw: Buffer;
  try {
    // Never open a FIFO or device (the read would block or never end): regular files only.
    const st = statSync(path);
    if (!st.isFile() && !st.isDirectory()) return E.left(dataError(path, 'is not a regular file (a pipe, device or socket)'));
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return E.left(dataError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a data file' : reason(e)));
  }
  if (!path.endsWith('.gz')) return E.right(raw);
  try {
    return E.right(gunzipSync(raw));
  } catch (e) {
    return E.left(dataError(path, `corrupt gzip data (${reason(e)})`));
  }
};
