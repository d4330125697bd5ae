// Checkpoints: one file holding the training position, the random streams and every carried
// tensor, written atomically (write a temporary file, fsync, rename) so a crash at any moment
// leaves either the old checkpoint or the new one, never a torn file.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpointCodec';

export * from './checkpointCodec';

export const writeCheckpoint = (path: string, c: Checkpoint): void => {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of encodeCheckpoint(c)) writeSync(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
};

export const readCheckpoint = (path: string): E.Either<string, Checkpoint> => {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return E.left(`${path}: cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return decodeCheckpoint(bytes, path);
};
