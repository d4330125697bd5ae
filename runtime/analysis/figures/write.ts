// Figures to disk: <run-dir>/figures/<file>, each written atomically and marked as Hourglass's
// (host/marks.ts), and index.json listing titles and captions (what the report reads).
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../host/fsx';
import { markSvg } from '../../host/marks';
import type { Figure } from './build';

export interface FigureIndexEntry {
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly paper?: string;
}

/** The files a figures folder gets, by name: each figure (SVGs marked; PNGs are marked when encoded), then index.json. */
export const figureFiles = (figures: readonly Figure[]): { readonly name: string; readonly bytes: string | Uint8Array }[] => {
  const index: FigureIndexEntry[] = figures.map(({ file, title, caption, paper }) => ({ file, title, caption, paper }));
  return [
    ...figures.map((f) => ({ name: f.file, bytes: typeof f.bytes === 'string' && f.file.endsWith('.svg') ? markSvg(f.bytes) : f.bytes })),
    { name: 'index.json', bytes: JSON.stringify(index, null, 2) },
  ];
};

/** The file names an index.json written by writeFigures lists, or null when `path` is not one. */
export const figureIndexNames = (path: string): string[] | null => {
  try {
    const index = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!Array.isArray(index)) return null;
    const ok = index.every((e: Partial<FigureIndexEntry> | null) => e !== null && typeof e === 'object' && typeof e.file === 'string' && typeof e.title === 'string' && typeof e.caption === 'string');
    return ok ? index.map((e: FigureIndexEntry) => e.file) : null;
  } catch {
    return null;
  }
};

/** Listed by the index.json beside it (figures written before they were marked). */
export const listedByFigureIndex = (path: string): boolean => figureIndexNames(join(dirname(path), 'index.json'))?.includes(basename(path)) ?? false;

export const writeFigures = (dir: string, figures: readonly Figure[]): string[] => {
  mkdirSync(dir, { recursive: true });
  const files = figureFiles(figures);
  for (const f of files) writeFileAtomic(join(dir, f.name), f.bytes);
  return files.slice(0, -1).map((f) => join(dir, f.name));
};
