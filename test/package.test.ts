// The package as a user gets it: `npm pack`, installed into a fresh project outside the repo
// (the tarball unpacked as node_modules/hourglass, its declared dependencies linked from this
// checkout's node_modules, as `npm install` would hoist them, without reaching a registry). A spec
// there imports from 'hourglass' and fp-ts, type-checks, compiles, trains one epoch and encodes
// through the installed `hourglass` command; docs/library.md's library example runs as written.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = resolve(__dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-pack-'));
const project = join(tmp, 'user-project');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};
const hourglass = (...args: string[]) => run([join(project, 'node_modules', 'hourglass', 'bin', 'hourglass.js'), ...args]);

let packed: { files: { path: string }[] };
beforeAll(() => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', tmp], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packed = JSON.parse(out)[0];
  const modules = join(project, 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', join(tmp, (packed as unknown as { filename: string }).filename), '-C', modules]);
  execFileSync('mv', [join(modules, 'package'), join(modules, 'hourglass')]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const manifest = JSON.parse(readFileSync(join(modules, 'hourglass', 'package.json'), 'utf8'));
  for (const dep of Object.keys(manifest.dependencies)) {
    mkdirSync(dirname(join(modules, dep)), { recursive: true });
    symlinkSync(join(repo, 'node_modules', dep), join(modules, dep));
  }
});

describe('installing', () => {
  test('npm reads .npmrc without warnings and skips dependencies\' install scripts (no CUDA feed)', () => {
    const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['config', 'get', 'ignore-scripts'], { cwd: repo, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Unknown (project|user|env) config/);
    expect(r.stdout.trim()).toBe('true');
    expect(readFileSync(join(repo, '.ci', 'run'), 'utf8')).toMatch(/export ONNXRUNTIME_NODE_INSTALL=skip\n(.*\n)*npm ci/);
  });
});

describe('the packed package', () => {
  test('ships the entry and the sources it needs, not the tests', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ['index.ts', 'package.json', 'bin/hourglass.js', 'dsl/index.ts', 'compiler/compile.ts', 'runtime/run/train.ts']) expect(paths).toContain(p);
    expect(paths.some((p) => p.startsWith('test/'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'hourglass', 'package.json'), 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './index.ts', default: './index.ts' });
  });

  test("a spec outside the repo importing 'hourglass' and fp-ts type-checks, compiles, trains one epoch and encodes", () => {
    writeFileSync(
      join(project, 'spec.ts'),
      `import { autoencoder, bernoulli, dense, flow, gaussianHead, kl, relu, reparameterise, standardNormal } from 'hourglass';
import { pipe } from 'fp-ts/function';
const latent = pipe(1, (n) => n + 1);
export default autoencoder({ name: 'outside', input: [784], encoder: flow(dense(16), relu, gaussianHead(2)), decoder: flow(dense(16), relu, dense(784)), likelihood: bernoulli })
  .objective(({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(latent === 2 ? 2 : 2)) }));
`,
    );
    const c = hourglass('compile', 'spec.ts', '--out', 'compiled');
    expect(c.code, c.err).toBe(0);
    expect(existsSync(join(project, 'compiled', 'manifest.json'))).toBe(true);
    const t = hourglass('train', 'spec.ts', '--data', 'mnist', '--epochs', '1', '--batch', '200', '--threads', '1', '--out', 'run');
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/epoch 1\/1/);
    const e = hourglass('encode', 'run', '--data', 'mnist', '--limit', '20', '--out', 'codes.npy');
    expect(e.code, e.err).toBe(0);
    expect(readFileSync(join(project, 'codes.npy')).subarray(0, 128).toString('latin1')).toContain("'shape': (20, 2)");
  });

  test("docs/library.md's library example runs as written", () => {
    const example = readFileSync(join(repo, 'docs', 'library-example.ts'), 'utf8');
    // docs/library.md shows the same code (from the first import on).
    const page = readFileSync(join(repo, 'docs', 'library.md'), 'utf8');
    expect(page).toContain(example.slice(example.indexOf('import * as E')).trim());
    writeFileSync(join(project, 'example.ts'), example);
    const r = run(['--import', 'tsx', 'example.ts']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^compiled vae: .*encode\.onnx/m);
    expect(r.out).toMatch(/held-out loss \d+\.\d\d/);
    expect(r.out).toMatch(/codes 20, images 7840, checkpoint at step \d+/);
  });
});
