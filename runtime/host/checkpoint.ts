// Checkpoints on disk: written atomically (a temporary file created exclusively, fsync, rename)
// so a crash at any moment leaves either the old checkpoint or the new one, never a torn file.
// The format itself lives in checkpointCodec.ts, shared with the browser page.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../core/checkpointCodec';
import { writeFileAtomic } from './fsx';

export * from '../core/checkpointCodec';

export const writeCheckpoint = (path: string, c: Checkpoint): void => writeFileAtomic(path, encodeCheckpoint(c));

export const readCheckpoint = (path: string, o: { legacy?: boolean } = {}): E.Either<string, Checkpoint> => {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return E.left(`${path}: cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return decodeCheckpoint(bytes, path, o);
};
