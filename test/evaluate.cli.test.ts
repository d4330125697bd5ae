// `hourglass evaluate` through the real binary: the JSON object's metrics on a tiny VAE and a
// linear autoencoder, the table, metrics that do not apply reported as skipped, and one-line
// failures with the documented exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseEvalPlan } from '../runtime/analysis/eval/duringTraining';

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

describe('train --eval', () => {
  test('parseEvalPlan: defaults, and refusals naming what is accepted', () => {
    expect(parseEvalPlan('iwae,probe')).toEqual(E.right({ iwae: 50, probe: true }));
    expect(parseEvalPlan('iwae=7, mmd ,pca')).toEqual(E.right({ iwae: 7, mmd: true, pca: true }));
    for (const bad of ['iwae=0', 'probe=3', 'fid', ''])
      expect(E.isLeft(parseEvalPlan(bad)) && E.getOrElse(() => '')(E.swap(parseEvalPlan(bad)))).toMatch(/--eval/);
  });

  test('held-out metrics join metrics.jsonl on the chosen epochs', () => {
    const run = join(tmp, 'eval-run');
    const r = hourglass('train', 'examples/vae.ts', '--set', 'latent=2', '--set', 'hidden=16', '--data', 'mnist', '--epochs', '2', '--batch', '200', '--threads', '1', '--no-typecheck', '--eval', 'iwae=4,mmd', '--eval-every', '2', '--out', run);
    expect(r.code, r.err).toBe(0);
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].eval).toBeUndefined();
    expect(lines[1].eval.iwaeK).toBe(4);
    expect(lines[1].eval.iwae).toBeGreaterThanOrEqual(lines[1].eval.elbo);
    expect(Number.isFinite(lines[1].eval.mmd2)).toBe(true);
    expect(hourglass('train', 'examples/vae.ts', '--data', 'mnist', '--eval', 'iwae', '--held-out', '0', '--no-typecheck', '--out', join(tmp, 'x')).code).toBe(2);
  });
});
