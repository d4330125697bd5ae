// The Higgins et al. 2017 metric: ≈ 100% for codes equal to the true factors, ≈ chance (20%) for
// codes that ignore them; rendered factors match the shapes data set.
import { describe, expect, test } from 'vitest';
import { FACTORS, generateShapes } from '../runtime/host/data/shapes';
import { higginsMetric, renderFactors } from '../runtime/analysis/eval/disentanglement';
import { Rng } from '../runtime/core/random';

const opts = { L: 32, trainPoints: 300, testPoints: 300, probe: { epochs: 30, threads: 1 } };

describe('Higgins disentanglement metric', () => {
  test('codes = the true factors: ≈ 100%', async () => {
    const r = await higginsMetric(async (f) => ({ codes: f, dim: FACTORS.length }), opts);
    expect(r.accuracy).toBeGreaterThan(0.97);
    expect(r.chance).toBeCloseTo(0.2, 10);
    expect(r.protocol).toMatch(/L = 32 pairs.*300 points.*300 fresh points/);
  });

  test('codes independent of the factors: ≈ chance', async () => {
    const rng = Rng.seeded(3);
    const r = await higginsMetric(async (_f, count) => {
      const codes = new Float64Array(count * 6);
      rng.fillNormal(codes);
      return { codes, dim: 6 };
    }, opts);
    expect(r.accuracy).toBeGreaterThan(0.1);
    expect(r.accuracy).toBeLessThan(0.32);
  });

  test('renderFactors draws what the data set draws', () => {
    const d = generateShapes(5, 2);
    expect(renderFactors(d.factors!.values, 5)).toEqual(d.images);
  });
});
