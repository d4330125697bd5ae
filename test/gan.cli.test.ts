// `hourglass gan` end to end on a tiny spec: train, resume to more rounds, samples; and one-line
// failures with their exit codes for a spec that is not a GAN and a directory that is taken.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'hourglass.js');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-gan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hourglass = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};

const spec = join(tmp, 'tiny-gan.ts');
writeFileSync(
  spec,
  `import { conv2d, convTranspose2d, dense, flatten, flow, gan, leakyRelu, relu, reshape, tanh } from '${join(repo, 'dsl')}';
export default gan({
  name: 'tiny_gan',
  input: [1, 28, 28],
  latent: 8,
  generator: flow(dense(4 * 7 * 7), relu, reshape([4, 7, 7]), convTranspose2d(4, { kernel: 4, stride: 2, padding: 1 }), relu, convTranspose2d(1, { kernel: 4, stride: 2, padding: 1 }), tanh),
  discriminator: flow(conv2d(4, { kernel: 4, stride: 2, padding: 1 }), leakyRelu(0.2), flatten, dense(1)),
});
`,
);

describe('hourglass gan', () => {
  const out = join(tmp, 'run');
  const metrics = () => readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { round: number });

  test('trains, writes artifacts, metrics, a checkpoint and samples; --resume extends the run', () => {
    const r = hourglass('gan', spec, '--data', 'mnist', '--out', out, '--rounds', '3', '--batch', '8', '--k', '2', '--samples', '4', '--threads', '1');
    expect(r.code, r.err).toBe(0);
    for (const f of ['gan.json', 'artifacts/manifest.json', 'artifacts/generator_step.onnx', 'artifacts/discriminator_step.onnx', 'artifacts/generate.onnx', 'checkpoint.hgck', 'samples.png', 'samples.npy'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(metrics().map((m) => m.round)).toEqual([1, 2, 3]);
    const again = hourglass('gan', spec, '--data', 'mnist', '--out', out, '--rounds', '5', '--batch', '8', '--k', '2', '--samples', '4', '--threads', '1', '--resume', '--no-typecheck');
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain('resuming');
    expect(metrics().map((m) => m.round)).toEqual([1, 2, 3, 4, 5]);
  });

  test('a taken directory: exit 73 without --resume/--force, and --force refuses a directory that is not a GAN run', () => {
    const r = hourglass('gan', spec, '--data', 'mnist', '--out', out, '--rounds', '1', '--no-typecheck');
    expect(r.code).toBe(73);
    expect(r.err).toMatch(/^hourglass: .*not empty/);
    const other = join(tmp, 'mine');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'keep me');
    const f = hourglass('gan', spec, '--data', 'mnist', '--out', other, '--rounds', '1', '--force', '--no-typecheck');
    expect(f.code).toBe(73);
    expect(f.err).toMatch(/not a GAN run/);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  test('a spec that is not a GAN: exit 65; a missing spec: exit 66', () => {
    const r = hourglass('gan', join(repo, 'examples', 'vae.ts'), '--data', 'mnist', '--out', join(tmp, 'x'), '--no-typecheck');
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/^hourglass: .*the default export is not a GAN/);
    expect(hourglass('gan', join(tmp, 'nope.ts'), '--data', 'mnist', '--out', join(tmp, 'y'), '--no-typecheck').code).toBe(66);
  });
});
