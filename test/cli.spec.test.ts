// Loading a user's spec: one that never returns is stopped after --spec-timeout and named; a
// default export that is a module namespace gets a message saying what to export instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'hourglass.js');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-spec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hourglass = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { code: r.status, err: r.stderr.trim() };
};

describe('loading a spec', () => {
  test('a spec that never returns is stopped after --spec-timeout, naming it', () => {
    const spec = join(tmp, 'endless.ts');
    writeFileSync(spec, 'while (true) {}\nexport default 1;\n');
    for (const cmd of [['compile', spec, '--out', join(tmp, 'c')], ['train', spec, '--data', 'mnist', '--out', join(tmp, 't')]]) {
      const r = hourglass([...cmd, '--no-typecheck', '--spec-timeout', '2']);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/endless\.ts: did not finish loading and building within 2 s/);
      expect(r.code).toBe(EXIT.dataErr);
    }
    expect(existsSync(join(tmp, 'c'))).toBe(false);
  });

  test('a module namespace as the default export gets a message, not a TypeError', () => {
    writeFileSync(join(tmp, 'parts.ts'), 'export const width = 3;\n');
    const spec = join(tmp, 'namespace.ts');
    writeFileSync(spec, "import * as parts from './parts';\nexport default parts;\n");
    const r = hourglass(['compile', spec, '--out', join(tmp, 'ns')]);
    expect(r.err).toMatch(/^hourglass: .*namespace\.ts: the default export is a module namespace \(import \* as …\), not a model/);
    expect(r.code).toBe(EXIT.dataErr);
  });

  test('a spec whose objective throws is bad content, not an internal error', () => {
    const spec = join(tmp, 'throws.ts');
    writeFileSync(
      spec,
      `import { autoencoder, dense, mse } from '${join(repo, 'dsl')}';
export default autoencoder({ name: 'throws', input: [4], encoder: dense(2), decoder: dense(4), likelihood: mse })
  .objective(() => { throw new Error('boom'); });
`,
    );
    const r = hourglass(['compile', spec, '--out', join(tmp, 'th'), '--no-typecheck']);
    expect(r.err).toMatch(/^hourglass: .*throws\.ts: threw while building the graph: boom$/);
    expect(r.code).toBe(EXIT.dataErr);
  });

  test('a missing spec is missing input', () => {
    const r = hourglass(['compile', join(tmp, 'nope.ts'), '--out', join(tmp, 'n')]);
    expect(r.err).toMatch(/nope\.ts: no such file/);
    expect(r.code).toBe(EXIT.noInput);
  });
});
