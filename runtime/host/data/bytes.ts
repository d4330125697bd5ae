// Reading a data file's bytes, gunzipping `.gz` files, with failures as values.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as E from 'fp-ts/Either';
import { dataError, type DataError } from './errors';

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const readDataFile = (path: string): E.Either<DataError, Buffer> => {
  let raw: Buffer;
  try {
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
