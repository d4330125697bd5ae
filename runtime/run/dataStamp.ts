// The data file a run trained on, as size and SHA-256, recorded in run.json: a resume on a file
// changed at the same path (rows added, removed or edited) would silently train another run.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export interface DataStamp {
  readonly size: number;
  readonly sha256: string;
}

/** The stamp of `name` when it is a regular file (built-in sets like `mnist` have none). */
export const stampOf = (name: string): DataStamp | undefined => {
  try {
    const st = statSync(name);
    if (!st.isFile()) return undefined;
    return { size: st.size, sha256: createHash('sha256').update(readFileSync(name)).digest('hex') };
  } catch {
    return undefined;
  }
};

/** Why the file at `name` is not the one `recorded` describes, or null (cheap size check first). */
export const stampDiffers = (name: string, recorded: DataStamp): string | null => {
  let size: number;
  try {
    size = statSync(name).size;
  } catch {
    return null; // Missing: the data loader already said so.
  }
  if (size !== recorded.size) return `${name}: changed since the run started (${size} bytes; run.json recorded ${recorded.size}); resume on the same data, or start a new run`;
  const now = stampOf(name);
  if (now && now.sha256 !== recorded.sha256)
    return `${name}: changed since the run started (SHA-256 ${now.sha256.slice(0, 12)}…; run.json recorded ${recorded.sha256.slice(0, 12)}…); resume on the same data, or start a new run`;
  return null;
};
