// Figures to disk: <run-dir>/figures/<file>, each written atomically, and index.json listing
// titles and captions (what the report reads).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../host/fsx';
import type { Figure } from './build';

export interface FigureIndexEntry {
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly paper?: string;
}

export const writeFigures = (dir: string, figures: readonly Figure[]): string[] => {
  mkdirSync(dir, { recursive: true });
  const written = figures.map((f) => {
    const path = join(dir, f.file);
    writeFileAtomic(path, f.bytes);
    return path;
  });
  const index: FigureIndexEntry[] = figures.map(({ file, title, caption, paper }) => ({ file, title, caption, paper }));
  writeFileAtomic(join(dir, 'index.json'), JSON.stringify(index, null, 2));
  return written;
};
