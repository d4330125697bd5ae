// The linear probe (logistic regression compiled and trained by Hourglass): error 0 on a
// perfectly separable set, about chance when the labels are independent of the features.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { L2_GRID, linearProbe, type Labelled } from '../runtime/analysis/eval/probe';
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

  // The probe as an instrument: its L2 weight is the candidate with the least validation error.
  test('property: the chosen L2 weight is a candidate with the least validation error, recorded in the protocol', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.boolean(), fc.subarray([0, 1e-3, 1e-2, 1e-1, 1], { minLength: 2 }), async (seed, informative, grid) => {
        const r = await linearProbe(blobs(200, seed, informative), blobs(100, seed + 1, informative), { epochs: 3, threads: 1, l2: grid });
        expect(r.selection.map((c) => c.l2)).toEqual([...grid].sort((a, b) => a - b));
        const least = Math.min(...r.selection.map((c) => c.validationError));
        expect(r.selection.find((c) => c.l2 === r.l2)!.validationError).toBe(least);
        // Ties go to the smallest λ.
        expect(r.l2).toBe(r.selection.find((c) => c.validationError === least)!.l2);
        expect(r.protocol).toContain('chosen from');
      }),
      { numRuns: 6 },
    );
  }, 120_000);

  test('a given L2 weight is used as is, with no selection; the default chooses from L2_GRID', async () => {
    const fixed = await linearProbe(blobs(300, 5, true), blobs(100, 6, true), { epochs: 3, threads: 1, l2: 1e-3 });
    expect(fixed.l2).toBe(1e-3);
    expect(fixed.selection).toEqual([]);
    const chosen = await linearProbe(blobs(300, 5, true), blobs(100, 6, true), { epochs: 3, threads: 1 });
    expect(chosen.selection.map((c) => c.l2)).toEqual(L2_GRID);
    expect(L2_GRID).toContain(chosen.l2);
  }, 60_000);

  // Many noise features and few rows: without a penalty the probe fits the noise; the chosen weight is positive.
  test('few rows and many noise features: the chosen L2 weight is positive and beats no penalty on held-out rows', async () => {
    const noisy = (n: number, seed: number): Labelled => {
      const rng = Rng.seeded(seed);
      const dim = 300;
      const x = new Float32Array(n * dim);
      const labels = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        labels[i] = i % 2;
        for (let j = 0; j < dim; j++) x[i * dim + j] = rng.normal() + (j < 5 ? 0.6 * (2 * labels[i] - 1) : 0);
      }
      return { x, labels, n, dim };
    };
    const train = noisy(120, 7);
    const test = noisy(2000, 8);
    const chosen = await linearProbe(train, test, { epochs: 40, threads: 1 });
    const none = await linearProbe(train, test, { epochs: 40, threads: 1, l2: 0 });
    expect(chosen.l2).toBeGreaterThan(0);
    expect(none.trainError).toBe(0); // 300 features, 120 rows: separable, and fitted exactly
    expect(chosen.testError).toBeLessThan(none.testError);
  }, 60_000);
});
