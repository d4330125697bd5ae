// `hourglass evaluate` through the real binary: the JSON object's metrics on a tiny VAE and a
// linear autoencoder, the table, metrics that do not apply reported as skipped, and one-line
// failures with the documented exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = resolve(__dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-evaluate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hourglass = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'hourglass.js'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};
const vae = join(tmp, 'vae');
const lin = join(tmp, 'lin');

beforeAll(() => {
  for (const [spec, out, sets] of [
    ['examples/vae.ts', vae, ['--set', 'latent=3', '--set', 'hidden=32']],
    ['examples/linear-ae.ts', lin, ['--set', 'r=3', '--lr', '3e-3']],
  ] as const) {
    const r = hourglass('train', spec, ...sets, '--data', 'mnist', '--epochs', '1', '--batch', '100', '--threads', '1', '--no-typecheck', '--out', out);
    if (r.code !== 0) throw new Error(r.err);
  }
}, 240_000);

describe('hourglass evaluate', () => {
  test('a VAE: objective terms, IWAE ≥ ELBO, probe on codes and pixels, MMD, as one JSON object', () => {
    const r = hourglass('evaluate', vae, '--data', 'mnist', '--split', 'held-out', '--limit', '300', '--samples', '2', '--iwae', '8', '--probe', '--probe-limit', '1000', '--probe-epochs', '2', '--mmd', '--disentanglement', '--json');
    expect(r.code, r.err).toBe(0);
    const ev = JSON.parse(r.out);
    expect(ev).toMatchObject({ model: 'vae', data: 'mnist', split: 'held-out', n: 300 });
    expect(Object.keys(ev.objective.terms).sort()).toEqual(['kl', 'loss', 'reconstruction']);
    expect(ev.objective.terms.loss).toBeCloseTo(ev.objective.terms.reconstruction + ev.objective.terms.kl, 3);
    expect(ev.objective.squaredError).toBeGreaterThan(0);
    expect(ev.iwae.k).toBe(8);
    expect(ev.iwae.iwae).toBeGreaterThanOrEqual(ev.iwae.elbo);
    // The ELBO from the IWAE samples estimates minus the objective (Bernoulli: no constants).
    expect(-ev.iwae.elbo).toBeCloseTo(ev.objective.terms.loss, -1);
    expect(ev.probe.codes.features).toBe(3);
    expect(ev.probe.pixels.features).toBe(784);
    expect(ev.probe.pixels.testError).toBeLessThan(0.5);
    expect(Number.isFinite(ev.mmd.mmd2)).toBe(true);
    expect(ev.disentanglement.skipped).toMatch(/64×64/);
    for (const k of ['objective', 'iwae', 'probe', 'mmd']) expect(typeof ev.protocol[k]).toBe('string');
  });

  test('a linear autoencoder: PCA angles and error ratio in the table; IWAE skipped', () => {
    const r = hourglass('evaluate', lin, '--data', 'mnist', '--split', 'held-out', '--pca', '--iwae', '4', '--probe-limit', '2000');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/principal angles to the top-3 PCA subspace, degrees +[\d.]+, [\d.]+, [\d.]+/);
    expect(r.out).toMatch(/autoencoder \/ PCA +[\d.]+ \/ [\d.]+ = [\d.]+/);
    expect(r.out).toMatch(/iwae +skipped: the encoder is not Gaussian/);
    expect(r.out).toMatch(/protocol:\n {2}objective: /);
    const ratio = Number(/= ([\d.]+)\n/.exec(r.out)![1]);
    expect(ratio).toBeGreaterThan(0.99); // PCA is the optimum on its own training rows; close on held-out ones
  });

  test('one-line failures: not a run (66), a split of foreign data (2), a bad count (commander)', () => {
    const notRun = hourglass('evaluate', tmp, '--data', 'mnist');
    expect(notRun.code).toBe(66);
    expect(notRun.err).toMatch(/^hourglass: .*run\.json: missing/);
    const foreign = hourglass('evaluate', vae, '--data', 'shapes:20', '--split', 'train');
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain("not the run's training data (mnist)");
    expect(hourglass('evaluate', vae, '--data', 'mnist', '--iwae', '0').code).not.toBe(0);
  });
});
