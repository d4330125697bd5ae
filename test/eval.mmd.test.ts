// The MMD estimate: symmetric, near 0 for two samples of one distribution, clearly positive for
// a shifted one, and growing with the shift.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { mmdRbf } from '../runtime/analysis/eval/mmd';
import { Rng } from '../runtime/core/random';

const normal = (m: number, d: number, seed: number, shift = 0) => {
  const rng = Rng.seeded(seed);
  const out = new Float64Array(m * d);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() + shift;
  return out;
};

describe('mmdRbf', () => {
  test('symmetric in its two samples', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (m, mb, d, seed) => {
        const a = normal(m, d, seed);
        const b = normal(mb, d, seed + 1, 0.5);
        expect(mmdRbf(a, m, b, mb, d)).toBeCloseTo(mmdRbf(b, mb, a, m, d), 10);
      }),
      { numRuns: 50 },
    );
  });

  test('≈ 0 for the same distribution, positive and growing with a shift', () => {
    const m = 600;
    const d = 3;
    const same = mmdRbf(normal(m, d, 1), m, normal(m, d, 2), m, d);
    expect(Math.abs(same)).toBeLessThan(0.005);
    const small = mmdRbf(normal(m, d, 1, 0.5), m, normal(m, d, 2), m, d);
    const large = mmdRbf(normal(m, d, 1, 1.5), m, normal(m, d, 2), m, d);
    expect(small).toBeGreaterThan(10 * Math.abs(same));
    expect(large).toBeGreaterThan(small);
  });
});
