// The linear probe (logistic regression compiled and trained by Hourglass): error 0 on a
// perfectly separable set, about chance when the labels are independent of the features.
import { describe, expect, test } from 'vitest';
import { linearProbe, type Labelled } from '../runtime/analysis/eval/probe';
import { Rng } from '../runtime/core/random';

const blobs = (n: number, seed: number, informative: boolean): Labelled => {
  const rng = Rng.seeded(seed);
  const centres = [[4, 0, 0], [0, 4, 0], [0, 0, 4]];
  const x = new Float32Array(n * 3);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng.uniform() * 3);
    labels[i] = informative ? c : Math.floor(rng.uniform() * 3);
    for (let j = 0; j < 3; j++) x[i * 3 + j] = (informative ? centres[c][j] : 0) + 0.3 * rng.normal();
  }
  return { x, labels, n, dim: 3 };
};

describe('linear probe', () => {
  test('separable classes: zero error on training and test rows', async () => {
    const r = await linearProbe(blobs(600, 1, true), blobs(300, 2, true), { epochs: 5, threads: 1 });
    expect(r.trainError).toBe(0);
    expect(r.testError).toBe(0);
    expect(r.classes).toBe(3);
    expect(r.protocol).toMatch(/logistic regression \(3 features → 3 classes.*Adam.*600 rows.*300 test rows/);
  });

  test('labels independent of the features: test error near chance (2/3)', async () => {
    const r = await linearProbe(blobs(600, 3, false), blobs(600, 4, false), { epochs: 5, threads: 1 });
    expect(r.testError).toBeGreaterThan(0.55);
    expect(r.testError).toBeLessThan(0.78);
  });
});
