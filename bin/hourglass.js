#!/usr/bin/env node
// The `hourglass` command. An installed package runs its compiled JavaScript (dist/). A checkout
// runs dist/ too while no source is newer than the last `npm run build`, and otherwise its
// TypeScript sources through tsx, so a fresh clone works without a build and an edit is never
// hidden by a stale one.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'runtime', 'cli', 'main.js');
const source = join(root, 'runtime', 'cli', 'main.ts');

/** The newest modification time under `path` (a file or a folder of sources), in ms. */
const newest = (path) => {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
};

const fresh = () => {
  if (!existsSync(compiled)) return false;
  if (!existsSync(source)) return true; // an installed package: dist/ is all there is
  let started;
  try {
    started = JSON.parse(readFileSync(join(root, 'dist', 'build.json'), 'utf8')).started;
  } catch {
    return false;
  }
  const sources = ['index.ts', 'dsl', 'compiler', 'runtime', 'examples', 'web', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
  return sources.every((p) => newest(join(root, p)) < started);
};

if (fresh()) await import(pathToFileURL(compiled).href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
}
