// The README stays a front page: at most 250 lines, its model is examples/vae.ts as written, and
// every page it links to exists. Its tables and discussion live in docs/ (docs/layout.md lists them).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('is at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  test('shows the VAE exactly as examples/vae.ts writes it', () => {
    const model = /## A model[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(model, 'a ```ts block under "## A model"').toBeDefined();
    expect(readFileSync(join(ROOT, 'examples/vae.ts'), 'utf8')).toContain(model!.trim());
  });

  test('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((l) => !existsSync(join(ROOT, l)))).toEqual([]);
  });
});
