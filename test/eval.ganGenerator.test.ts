// A finished GAN run's generator opened for evaluation (eval/ganGenerator.ts) draws exactly what the
// GAN app drew from the same codes, and leaves the run's files as they were; the sample-quality
// metric reads it; `hourglass evaluate` on a GAN run accepts only --sample-quality (with the
// digits), and reports the metric as skipped for a model without a prior.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { digitsGan } from '../examples/gan';
import { openGanGenerator, isGanRun } from '../runtime/analysis/eval/ganGenerator';
import { digitGeneratorQuality } from '../runtime/analysis/eval/generatorQuality';
import { ganRun } from '../runtime/apps/gan/run';
import { splitHeldOut } from '../runtime/core/dataset';
import { Rng } from '../runtime/core/random';
import { loadNpy } from '../runtime/host/data/npy';
import { loadMnistDigits } from '../runtime/host/data/mnist';

const repo = resolve(__dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-gangen-'));
const cache = mkdtempSync(join(tmpdir(), 'hourglass-gangen-cache-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});
const hourglass = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'hourglass.js'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};

const dir = join(tmp, 'gan');
const lin = join(tmp, 'lin');
const SEED = 3;

beforeAll(async () => {
  const { train } = splitHeldOut(loadMnistDigits());
  const small = { ...train, n: 256, images: train.images.subarray(0, 256 * 784), labels: train.labels?.subarray(0, 256) };
  const model = digitsGan(8, 4).def;
  const settings = { rounds: 4, batch: 16, k: 1, lr: 2e-4, beta1: 0.5, optimizer: 'adam', seed: SEED, provider: 'cpu', dtype: 'f32', data: 'mnist', checkpointEvery: 100, samples: 6, threads: 1 } as const;
  const r = await ganRun({ model, specPath: 'examples/gan.ts', dir, settings, data: small, log: () => {} });
  if (E.isLeft(r)) throw new Error(r.left);
  const t = hourglass('train', 'examples/linear-ae.ts', '--set', 'r=3', '--data', 'mnist', '--epochs', '1', '--batch', '100', '--threads', '1', '--no-typecheck', '--out', lin);
  if (t.code !== 0) throw new Error(t.err);
}, 240_000);

describe('a GAN run opened for evaluation', () => {
  test('draws what the GAN app drew from the same codes, and writes nothing into the run', async () => {
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, f === 'artifacts' ? '' : readFileSync(join(dir, f)).toString('base64')]));
    expect(isGanRun(dir)).toBe(true);
    expect(isGanRun(lin)).toBe(false);
    const g = await openGanGenerator(dir, { threads: 1 });
    if (E.isLeft(g)) throw new Error(g.left);
    expect(g.right).toMatchObject({ latent: 8, rounds: 4, inputShape: [1, 28, 28] });
    // ganRun's samples: codes from Rng.seeded(seed ^ 0x5a3b1e), the generator's running statistics.
    const codes = new Float32Array(6 * 8);
    Rng.seeded(SEED ^ 0x5a3b1e).fillNormal(codes);
    const drawn = await g.right.generate(codes, 6);
    const written = loadNpy(join(dir, 'samples.npy'));
    if (E.isLeft(written)) throw new Error(written.left.message);
    expect(drawn.length).toBe(6 * 784);
    for (let i = 0; i < drawn.length; i++) expect(Math.abs(drawn[i] - written.right.values[i])).toBeLessThan(1e-6);
    const after = Object.fromEntries(readdirSync(dir).map((f) => [f, f === 'artifacts' ? '' : readFileSync(join(dir, f)).toString('base64')]));
    expect(after).toEqual(before);
  }, 60_000);

  test('the sample-quality metric reads it: shares in [0, 1], entropy within [0, log 10], a finite distance', async () => {
    process.env.HOURGLASS_CLASSIFIER_CACHE = cache;
    const g = await openGanGenerator(dir, { threads: 1 });
    if (E.isLeft(g)) throw new Error(g.left);
    const q = await digitGeneratorQuality(g.right.generate, g.right.latent, { samples: 200, trainRows: 500, budget: { epochs: 1, batch: 64, lr: 1e-3, seed: 1 }, threads: 1 });
    if (E.isLeft(q)) throw new Error(q.left);
    expect(q.right.samples).toBe(200);
    expect(q.right.images.length).toBe(200 * 784);
    for (const share of [q.right.confident, q.right.confidentReal]) expect(share >= 0 && share <= 1).toBe(true);
    expect(q.right.classEntropy).toBeGreaterThanOrEqual(0);
    expect(q.right.classEntropy).toBeLessThanOrEqual(Math.log(10) + 1e-9);
    expect(Number.isFinite(q.right.frechet) && q.right.frechet > 0).toBe(true);
  }, 120_000);

  test('hourglass evaluate: a GAN run takes only --sample-quality, and only on the digits (exit 2)', () => {
    const plain = hourglass('evaluate', dir, '--data', 'mnist');
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/a GAN run .*only --sample-quality applies/);
    const other = hourglass('evaluate', dir, '--data', 'fashion-mnist', '--sample-quality');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/pass --data mnist/);
  }, 60_000);

  test('hourglass evaluate --sample-quality on an autoencoder without a prior: skipped, with the reason', () => {
    const r = hourglass('evaluate', lin, '--data', 'mnist', '--split', 'held-out', '--limit', '100', '--sample-quality', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).sampleQuality.skipped).toMatch(/no prior/);
  }, 60_000);
});
