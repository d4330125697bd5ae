// The two divergences of the DSL, run in onnxruntime at f64 and checked against independent
// plain-JS computations: the closed-form KL(q ‖ N(0, I)) against a Monte-Carlo estimate of
// E_q[log q(z) − log p(z)] (seeded samples, f64, within 4 standard errors) and 0 at q = p; the
// MMD V-statistic's defining properties for the RBF and IMQ kernels (below a distribution-free
// 1/n bound for two samples of one distribution, with its exact null mean; growing with a mean
// shift; symmetric; exactly 0 for a = b; ≥ 0; equal to a plain-JS V-statistic), and the `mmd`
// term against the prior's noise input.
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { kl, mmd, mmdBetween, standardNormal, type Gaussian, type Kernel } from '../dsl';
import { Rng } from '../runtime/core/random';
import { compileOutputs, dataInput, harness, matrix, type Runner } from './support/dslHarness';

const SEED = 0xd1f;

// ---------------------------------------------------------------- KL

/** The analytic KL term for codes of width d, run on a batch of μ and log σ² rows. */
const klRunner = async (d: number, beta = 1) => {
  const h = harness('train', 'kl_test');
  const q: Gaussian<readonly [number]> = { kind: 'gaussian', mean: dataInput(h, 'mu', [d] as const), logVar: dataInput(h, 'logVar', [d] as const) };
  const term = kl(q, standardNormal(d), { beta });
  expect(term.weight).toBe(beta);
  const runner = await compileOutputs(h, { kl: term.value });
  return async (mu: readonly number[], logVar: readonly number[]) => {
    const b = mu.length / d;
    return (await runner({ mu: matrix(mu, b, d), logVar: matrix(logVar, b, d) })).kl[0];
  };
};

/**
 * E_q[log q(z) − log p(z)] by Monte Carlo in plain JS, with its standard error. With
 * z = μ + σ ε, log q(z) − log p(z) = Σ_i −½ log σ_i² − ½ ε_i² + ½ z_i² (the 2π terms cancel).
 */
const monteCarloKl = (mu: readonly number[], logVar: readonly number[], samples: number, rng: Rng) => {
  const d = mu.length;
  const sigma = logVar.map((lv) => Math.exp(lv / 2));
  // Welford's running mean and variance (no cancellation between Σv² and n·mean²).
  let mean = 0;
  let m2 = 0;
  for (let s = 0; s < samples; s++) {
    let v = 0;
    for (let i = 0; i < d; i++) {
      const eps = rng.normal();
      const z = mu[i] + sigma[i] * eps;
      v += -0.5 * logVar[i] - 0.5 * eps * eps + 0.5 * z * z;
    }
    const delta = v - mean;
    mean += delta / (s + 1);
    m2 += delta * (v - mean);
  }
  return { mean, stdErr: Math.sqrt(m2 / (samples - 1) / samples) };
};

const gaussianParams = (maxD: number) =>
  fc.integer({ min: 1, max: maxD }).chain((d) =>
    fc.record({
      mu: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
      logVar: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
      seed: fc.integer(),
    }),
  );

describe('kl(q, standardNormal(d))', () => {
  const runners = new Map<number, Awaited<ReturnType<typeof klRunner>>>();
  const klFor = async (d: number) => runners.get(d) ?? runners.set(d, await klRunner(d)).get(d)!;
  let worstZ = 0;

  test.prop([gaussianParams(6)], { seed: SEED, numRuns: 20 })(
    'equals a 200k-sample Monte-Carlo estimate of E_q[log q − log p] within 4 standard errors',
    async ({ mu, logVar, seed }) => {
      const analytic = await (await klFor(mu.length))(mu, logVar);
      const mc = monteCarloKl(mu, logVar, 200_000, Rng.seeded(seed));
      // (At μ = 0, log σ² = 0 every sample is exactly 0: the standard error is 0 too.)
      if (mc.stdErr > 0) worstZ = Math.max(worstZ, Math.abs(analytic - mc.mean) / mc.stdErr);
      expect(Math.abs(analytic - mc.mean)).toBeLessThanOrEqual(4 * mc.stdErr + 1e-9);
      // And against the closed form evaluated here, term by term.
      const closed = 0.5 * mu.reduce((a, m, i) => a + m * m + Math.exp(logVar[i]) - 1 - logVar[i], 0);
      expect(analytic).toBeCloseTo(closed, 12);
    },
  );

  afterAll(() => console.log(`KL vs Monte Carlo: worst |analytic − MC| / stderr over the runs = ${worstZ.toFixed(2)}`));

  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 })], { seed: SEED + 1, numRuns: 15 })(
    'is 0 (to 1e-12) at μ = 0, log σ² = 0, for any width and batch',
    async (d, b) => {
      const zeros = new Array(b * d).fill(0);
      expect(Math.abs(await (await klFor(d))(zeros, zeros))).toBeLessThanOrEqual(1e-12);
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 6 }).chain((d) =>
        fc.integer({ min: 1, max: 4 }).chain((b) =>
          fc.record({
            d: fc.constant(d),
            mu: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: b * d, maxLength: b * d }),
            logVar: fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: b * d, maxLength: b * d }),
          }),
        ),
      ),
    ],
    { seed: SEED + 2, numRuns: 40 },
  )('is ≥ 0 and equals the batch mean of the per-example KLs', async ({ d, mu, logVar }) => {
    const value = await (await klFor(d))(mu, logVar);
    // ≥ 0 up to rounding: for a subnormal log σ², e^lv − 1 − lv evaluates to −lv (≈ −lv, at most ~1e−16).
    expect(value).toBeGreaterThanOrEqual(-1e-14);
    const b = mu.length / d;
    let sum = 0;
    for (let i = 0; i < b * d; i++) sum += 0.5 * (mu[i] * mu[i] + Math.exp(logVar[i]) - 1 - logVar[i]);
    expect(Math.abs(value - sum / b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(sum / b)));
  });

  test('β is the term weight, not a factor in its value', async () => {
    const run = await klRunner(2, 4);
    expect(await run([1, 0], [0, 0])).toBeCloseTo(0.5, 14);
  });
});

// ---------------------------------------------------------------- MMD

const KERNELS: readonly Kernel[] = ['rbf', 'imq'];

/** mmdBetween(a, b, kernel) on two [n, d] inputs; also mmd(b, a) and mmd(a, a) in the same graph. */
const mmdRunner = async (d: number, kernel: Kernel) => {
  const h = harness('train', 'mmd_test');
  const a = dataInput(h, 'a', [d] as const);
  const b = dataInput(h, 'b', [d] as const);
  const runner: Runner = await compileOutputs(h, { ab: mmdBetween(a, b, kernel), ba: mmdBetween(b, a, kernel), aa: mmdBetween(a, a, kernel) });
  return async (x: Float64Array, y: Float64Array) => {
    const n = x.length / d;
    const out = await runner({ a: matrix(x, n, d), b: matrix(y, n, d) });
    return { ab: out.ab[0], ba: out.ba[0], aa: out.aa[0] };
  };
};

const normals = (rng: Rng, n: number, d: number) => {
  const x = new Float64Array(n * d);
  rng.fillNormal(x);
  return x;
};

/** x + s in every coordinate: a mean shift of length s·√d. */
const shifted = (x: Float64Array, s: number) => x.map((v) => v + s);

/** A plain-JS V-statistic for one small case, to pin down the kernels' definitions. */
const mmdReference = (x: Float64Array, y: Float64Array, d: number, kernel: Kernel) => {
  const n = x.length / d;
  const k = (p: Float64Array, i: number, q: Float64Array, j: number) => {
    let r2 = 0;
    for (let t = 0; t < d; t++) r2 += (p[i * d + t] - q[j * d + t]) ** 2;
    return kernel === 'rbf' ? Math.exp(-r2 / d) : (2 * d) / (2 * d + r2);
  };
  const mean = (p: Float64Array, q: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += k(p, i, q, j);
    return s / (n * n);
  };
  return mean(x, x) + mean(y, y) - 2 * mean(x, y);
};

/** E g(t) for t ~ χ²_d, by Simpson's rule in u = √t (where the density times dt/du = 2u is smooth). */
const chiSquareMean = (g: (t: number) => number, d: number): number => {
  // Γ(d/2) for an integer d, from Γ(1) = 1 and Γ(½) = √π.
  let gammaHalfD = d % 2 === 0 ? 1 : Math.sqrt(Math.PI);
  for (let a = d % 2 === 0 ? 1 : 0.5; a < d / 2 - 1e-9; a++) gammaHalfD *= a;
  const f = (u: number) => ((2 * u ** (d - 1) * Math.exp((-u * u) / 2)) / (2 ** (d / 2) * gammaHalfD)) * g(u * u);
  const steps = 20_000;
  const hi = 20 + 2 * Math.sqrt(d);
  const du = hi / steps;
  let sum = f(0) + f(hi);
  for (let i = 1; i < steps; i++) sum += (i % 2 ? 4 : 2) * f(i * du);
  return (sum * du) / 3;
};

/**
 * E k(x, x') for x, x' independent N(0, I_d), where ‖x − x'‖² = 2χ²_d: RBF exp(−2χ²_d/d) has
 * the closed form (1 + 4/d)^(−d/2); IMQ 2d/(2d + 2χ²_d) = d/(d + χ²_d) is integrated numerically.
 */
const expectedKernel = (kernel: Kernel, d: number): number =>
  kernel === 'rbf' ? (1 + 4 / d) ** (-d / 2) : chiSquareMean((t) => d / (d + t), d);

test('the χ² quadrature reproduces the closed forms (total mass 1, mean d, the RBF expectation)', () => {
  for (const d of [1, 2, 3, 5, 8]) {
    expect(chiSquareMean(() => 1, d)).toBeCloseTo(1, 9);
    expect(chiSquareMean((t) => t, d)).toBeCloseTo(d, 9);
    expect(chiSquareMean((t) => Math.exp((-2 * t) / d), d)).toBeCloseTo(expectedKernel('rbf', d), 9);
  }
});

/**
 * Gretton et al. (2012, JMLR, "A kernel two-sample test", Theorem 7): for a kernel with
 * 0 ≤ k ≤ K and two samples of size n from the *same* distribution, McDiarmid's inequality gives
 * P(MMD_b > √(2K/n) + ε) ≤ exp(−ε² n / 4K). Both kernels here lie in (0, 1], so K = 1, and with
 * probability ≥ 1 − α the squared statistic stays below (2/n)(1 + √(2 ln(1/α)))². It holds for
 * every n and every distribution (no asymptotics), it shrinks like 1/n, and with α = 1e-6 a
 * correct implementation fails it for at most one seed in a million.
 */
const nullBound = (n: number, alpha = 1e-6) => (2 / n) * (1 + Math.sqrt(2 * Math.log(1 / alpha))) ** 2;

describe.each(KERNELS)('mmdBetween, %s kernel', (kernel) => {
  const runners = new Map<number, Awaited<ReturnType<typeof mmdRunner>>>();
  const mmdFor = async (d: number) => runners.get(d) ?? runners.set(d, await mmdRunner(d, kernel)).get(d)!;
  const seen = { same: [] as number[], shift05: [] as number[], boundUse: [] as number[] };

  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 300, max: 1200 }), fc.integer()], { seed: SEED + 3, numRuns: 12 })(
    'random d, n: ≈ 0 for two samples of N(0, I) (below the distribution-free bound ~78/n), strictly increasing in a mean shift 0 < 0.5 < 1 < 2; symmetric; 0 for a = b; ≥ 0',
    async (d, n, seed) => {
      const rng = Rng.seeded(seed);
      const a = normals(rng, n, d);
      const b = normals(rng, n, d);
      const run = await mmdFor(d);
      const values: number[] = [];
      for (const s of [0, 0.5, 1, 2]) {
        const r = await run(a, shifted(b, s));
        expect(r.ab).toBeGreaterThanOrEqual(0);
        // Symmetric up to the summation order of the reductions.
        expect(Math.abs(r.ab - r.ba)).toBeLessThanOrEqual(1e-12);
        expect(r.aa).toBe(0);
        values.push(r.ab);
      }
      expect(values[0]).toBeLessThan(nullBound(n));
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
      seen.same.push(values[0] * n);
      seen.shift05.push(values[1] * n);
      seen.boundUse.push(values[0] / nullBound(n));
      // a and b fed as the very same data: exactly 0 too.
      expect((await run(a, a)).ab).toBe(0);
    },
  );

  afterAll(() => {
    const fmt = (xs: number[]) => `max ${Math.max(...xs).toFixed(3)}, min ${Math.min(...xs).toFixed(3)}`;
    console.log(
      `${kernel}: n·MMD² same distribution ${fmt(seen.same)} (at most ${(100 * Math.max(...seen.boundUse)).toFixed(1)}% of the bound); shifted by 0.5: ${fmt(seen.shift05)}`,
    );
  });

  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer()], { seed: SEED + 5, numRuns: 3 })(
    'the null scale is 1/n: over 200 pairs of samples (n = 100) the mean of n·MMD² is the exact E = 2(1 − E k(x, x′)) within 4 standard errors',
    async (d, seed) => {
      // E MMD²_b = (1/n)E k(x,x) + ((n−1)/n)E k(x,x′), twice, − 2E k(x,y) = (2/n)(1 − E k(x,x′)), as k(x,x) = 1:
      // exact at every n, so n·MMD² has a mean that does not depend on n — the 1/n of the bound above.
      const n = 100;
      const reps = 200;
      const rng = Rng.seeded(seed);
      const run = await mmdFor(d);
      let mean = 0;
      let m2 = 0;
      for (let i = 0; i < reps; i++) {
        const v = n * (await run(normals(rng, n, d), normals(rng, n, d))).ab;
        const delta = v - mean;
        mean += delta / (i + 1);
        m2 += delta * (v - mean);
      }
      const stdErr = Math.sqrt(m2 / (reps - 1) / reps);
      const expected = 2 * (1 - expectedKernel(kernel, d));
      console.log(`${kernel}, d = ${d}: mean n·MMD² over ${reps} null pairs ${mean.toFixed(4)} ± ${stdErr.toFixed(4)}, exact ${expected.toFixed(4)}`);
      expect(Math.abs(mean - expected)).toBeLessThanOrEqual(4 * stdErr);
    },
  );

  test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 40 }), fc.double({ min: 0, max: 1000, noNaN: true }), fc.integer()], { seed: SEED + 6, numRuns: 10 })(
    'the mmd(z, standardNormal(d)) term is the V-statistic between z and the prior-sample noise input, weighted by λ',
    async (d, n, lambda, seed) => {
      const h = harness('train', 'mmd_term');
      const z = dataInput(h, 'z', [d] as const);
      const term = mmd(z, standardNormal(d), { lambda, kernel });
      expect(term.weight).toBe(lambda);
      expect([...h.s.ctx.noises.values()]).toEqual([{ name: 'prior0', shape: [d], kind: 'normal' }]);
      const runner = await compileOutputs(h, { mmd: term.value });
      try {
        const rng = Rng.seeded(seed);
        const x = normals(rng, n, d);
        const prior = shifted(normals(rng, n, d), 0.3);
        const value = (await runner({ z: matrix(x, n, d), 'noise.prior0': matrix(prior, n, d) })).mmd[0];
        expect(Math.abs(value - mmdReference(x, prior, d, kernel))).toBeLessThanOrEqual(1e-12);
      } finally {
        await runner.release();
      }
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 5 }).chain((d) =>
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.record({
            d: fc.constant(d),
            a: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * d, maxLength: n * d }),
            b: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * d, maxLength: n * d }),
          }),
        ),
      ),
    ],
    { seed: SEED + 4, numRuns: 40 },
  )('matches a plain-JS V-statistic on small samples; ≥ 0 and symmetric for any samples', async ({ d, a, b }) => {
    const x = Float64Array.from(a);
    const y = Float64Array.from(b);
    const r = await (await mmdFor(d))(x, y);
    const ref = mmdReference(x, y, d, kernel);
    expect(Math.abs(r.ab - ref)).toBeLessThanOrEqual(1e-12);
    expect(r.ab).toBeGreaterThanOrEqual(-1e-15);
    expect(Math.abs(r.ab - r.ba)).toBeLessThanOrEqual(1e-14);
    expect(r.aa).toBe(0);
  });
});
