// sparsifyK (Makhzani & Frey 2013) run in onnxruntime at f64: exactly k non-zeros per row, the
// k largest, kept unchanged; the gradient is the upstream cotangent on the support and zero
// off it; eval mode keeps min(width, round(α·k)); bad k / α are Lefts naming the path. Then the
// same through the public path: an autoencoder with a k-sparse code, compiled by compileModel,
// one SGD step of the runtime Trainer (whose velocity slot is then exactly the gradient), and the
// compiled encode.onnx.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { describe, expect } from 'vitest';
import { grad } from '../compiler/autodiff/grad';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import { autoencoder, dense, flow, input, mse, sparsifyK } from '../dsl';
import { Rng } from '../runtime/core/random';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { apply, inScope } from '../dsl/tensor';
import { compileOutputs, dataInput, errorOf, harness, matrix, valOf } from './support/dslHarness';

const SEED = 0x5a7e;

/** Rows of distinct, non-zero values (so the top k is unambiguous), a width and a k. */
const rowsArb = (kArb: (w: number) => fc.Arbitrary<number>) =>
  fc.integer({ min: 2, max: 12 }).chain((w) =>
    fc.record({
      w: fc.constant(w),
      k: kArb(w),
      rows: fc.array(
        fc.uniqueArray(
          fc.double({ min: -100, max: 100, noNaN: true }).filter((v) => v !== 0),
          { minLength: w, maxLength: w },
        ),
        { minLength: 1, maxLength: 4 },
      ),
      upstream: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 4 * w, maxLength: 4 * w }),
    }),
  );

/** Indices of the `kept` largest entries of `row`. */
const topIndices = (row: readonly number[], kept: number): Set<number> =>
  new Set(
    row
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, kept)
      .map(([, i]) => i),
  );

/** Build sparsify(x) and d/dx Σ sparsify(x) ⊙ R, and run them on `rows`. */
const sparsifyWithGrad = async (mode: 'train' | 'eval', w: number, k: number, rows: number[][], upstream: readonly number[], alpha?: number) => {
  const h = harness(mode);
  const x = dataInput(h, 'x', [w] as const);
  const r = dataInput(h, 'R', [w] as const);
  const y = sparsifyK(k, alpha === undefined ? {} : { alpha })(x);
  const loss = apply('reduceSum', [apply('mul', [y, r], {}, [w] as const)], { axes: [0, 1], keepdims: false }, [] as const);
  const grads = grad(h.g, valOf(loss), [valOf(x)]);
  if (E.isLeft(grads)) throw new Error(showError(grads.left));
  const [dx] = grads.right;
  const runner = await compileOutputs(h, { y, dx });
  const b = rows.length;
  const R = upstream.slice(0, b * w);
  try {
    const out = await runner({ x: matrix(rows.flat(), b, w), R: matrix(R, b, w) });
    return { y: out.y, dx: out.dx, R };
  } finally {
    await runner.release();
  }
};

describe('sparsifyK', () => {
  test.prop([rowsArb((w) => fc.integer({ min: 1, max: w }))], { seed: SEED, numRuns: 60 })(
    'train mode: exactly k non-zeros per row, the k largest, equal to the input; gradient = R on the support, 0 off it',
    async ({ w, k, rows, upstream }) => {
      const { y, dx, R } = await sparsifyWithGrad('train', w, k, rows, upstream);
      rows.forEach((row, b) => {
        const keep = topIndices(row, k);
        let nonZeros = 0;
        for (let i = 0; i < w; i++) {
          const at = b * w + i;
          if (y[at] !== 0) nonZeros++;
          if (keep.has(i)) {
            expect(y[at]).toBe(row[i]);
            expect(dx[at]).toBe(R[at]);
          } else {
            expect(Math.abs(y[at])).toBe(0);
            expect(Math.abs(dx[at])).toBe(0);
          }
        }
        expect(nonZeros).toBe(k);
      });
    },
  );

  test.prop([rowsArb((w) => fc.integer({ min: 1, max: w })), fc.double({ min: 1, max: 5, noNaN: true })], { seed: SEED + 1, numRuns: 40 })(
    'eval mode keeps min(width, round(α·k)) per row; train mode ignores α',
    async ({ w, k, rows, upstream }, alpha) => {
      const kept = Math.min(w, Math.round(alpha * k));
      for (const [mode, expected] of [
        ['eval', kept],
        ['train', k],
      ] as const) {
        const { y, dx } = await sparsifyWithGrad(mode, w, k, rows, upstream, alpha);
        rows.forEach((row, b) => {
          const keep = topIndices(row, expected);
          const slice = Array.from(y.subarray(b * w, (b + 1) * w));
          expect(slice.filter((v) => v !== 0).length).toBe(expected);
          slice.forEach((v, i) => (keep.has(i) ? expect(v).toBe(row[i]) : expect(Math.abs(v)).toBe(0)));
          Array.from(dx.subarray(b * w, (b + 1) * w)).forEach((g, i) => {
            if (!keep.has(i)) expect(Math.abs(g)).toBe(0);
          });
        });
      }
    },
  );

  test('a worked example: [3, -1, 7, 2] with k = 2 keeps 3 and 7; with α = 1.5 at eval keeps 3 entries', async () => {
    const row = [3, -1, 7, 2];
    const train = await sparsifyWithGrad('train', 4, 2, [row], [1, 2, 3, 4]);
    // x ⊙ mask gives −0 for a dropped negative entry; `+ 0` folds it into +0 for the comparison.
    const plain = (a: Float64Array) => Array.from(a, (v) => v + 0);
    expect(plain(train.y)).toEqual([3, 0, 7, 0]);
    expect(plain(train.dx)).toEqual([1, 0, 3, 0]);
    const evalMode = await sparsifyWithGrad('eval', 4, 2, [row], [1, 2, 3, 4], 1.5);
    expect(plain(evalMode.y)).toEqual([3, 0, 7, 2]);
  });

  describe('bad k or α is a Left naming the path and the width', () => {
    const failure = (k: number, alpha?: number, width = 10, mode: 'train' | 'eval' = 'train') => {
      const h = harness(mode, 'ksp');
      const x = dataInput(h, 'x', [width] as const);
      const nodesBefore = h.g.nodes.length;
      const msg = errorOf(inScope(h.s, 'encoder', () => sparsifyK(k, alpha === undefined ? {} : { alpha })(x)));
      expect(h.g.nodes.length).toBe(nodesBefore); // nothing was added to the graph
      return msg;
    };

    test.prop([fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 30 })], { seed: SEED + 2, numRuns: 50 })(
      'k > width',
      (width, extra) => {
        const msg = failure(width + extra, undefined, width);
        expect(msg).toMatch(/^ksp\.encoder\.sparsifyK: /);
        expect(msg).toContain(`k = ${width + extra}`);
        expect(msg).toContain(`[1, ${width}]`);
        expect(msg).toContain(`width ${width}`);
      },
    );

    test('k = 0, negative k, non-integer k, NaN k', () => {
      for (const k of [0, -3, 2.5, NaN]) {
        const msg = failure(k);
        expect(msg).toBe(`ksp.encoder.sparsifyK: k = ${k} must be an integer in [1, 10] for codes of width 10`);
      }
    });

    test('α < 1, NaN or infinite, in either mode', () => {
      for (const mode of ['train', 'eval'] as const)
        for (const alpha of [0.5, 0, -2, NaN, Infinity]) {
          const msg = failure(3, alpha, 10, mode);
          expect(msg).toBe(`ksp.encoder.sparsifyK: alpha must be ≥ 1, got ${alpha}`);
        }
    });

    test('the error flows on through later layers unchanged', () => {
      const h = harness('train', 'ksp');
      const x = dataInput(h, 'x', [6] as const);
      const bad = sparsifyK(7)(x);
      const after = apply('relu', [bad], {}, bad.shape, 'relu');
      expect(errorOf(after)).toBe(errorOf(bad));
      expect(errorOf(after)).toBe('ksp.sparsifyK: k = 7 must be an integer in [1, 6] for codes of width 6');
    });
  });

  describe('through compileModel and the runtime Trainer (f64)', () => {
    /** x ∈ R^d → dense(w) → sparsifyK(k, α) → dense(d), squared error. */
    const model = (d: number, w: number, k: number, alpha: number) =>
      autoencoder({ name: 'ks', input: input([d]), encoder: flow(dense(w), sparsifyK(k, { alpha })), decoder: dense(d), likelihood: mse }).objective(
        ({ x, code, decoder }) => ({ reconstruction: mse(decoder(code), x) }),
      ).def;

    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 2, max: 16 }), alpha: fc.double({ min: 1, max: 4, noNaN: true }), seed: fc.integer(), batch: fc.integer({ min: 1, max: 8 }) })
      .chain((r) => fc.record({ k: fc.integer({ min: 1, max: r.w }), r: fc.constant(r) }));

    test.prop([arb], { seed: SEED + 3, numRuns: 25 })(
      'one train step on one example: the gradient of the code layer is non-zero on exactly the k largest pre-activations, zero elsewhere; encode.onnx keeps min(width, round(α·k)) per row',
      async ({ k, r: { d, w, alpha, seed, batch } }) => {
        const c = compileModel(model(d, w, k, alpha), { optimizer: { kind: 'sgd', lr: 0.1, hyper: { momentum: 0 } }, dtype: 'f64' });
        if (E.isLeft(c)) throw new Error(showError(c.left));
        const trainer = await openTrainer(c.right, { seed: seed | 0, threads: 1 });
        const before = trainer.snapshot();
        const W = before['encoder.dense0.W'] as Float64Array; // [d, w]
        const b = before['encoder.dense0.b'] as Float64Array; // [w]
        const rng = Rng.seeded(seed ^ 0x51);
        const x = new Float64Array(d);
        rng.fillNormal(x);
        // The pre-activations in plain JS; the k largest are the support (continuous draws: no ties).
        const h = Array.from({ length: w }, (_, j) => b[j] + x.reduce((a, xi, i) => a + xi * W[i * w + j], 0));
        const support = topIndices(h, k);

        await trainer.step(x, 1);
        // SGD with momentum 0: velocity = 0·velocity + g, so the carried velocity is the gradient.
        const after = trainer.snapshot();
        const gb = after['sgd.velocity.encoder.dense0.b'];
        const gW = after['sgd.velocity.encoder.dense0.W'];
        expect(gb.length).toBe(w);
        let nonZeros = 0;
        for (let j = 0; j < w; j++) {
          if (gb[j] !== 0) nonZeros++;
          if (support.has(j)) {
            expect(gb[j]).not.toBe(0);
          } else {
            expect(gb[j]).toBe(0);
            // dL/dW[i][j] = x_i · dL/dh_j: a whole zero column, and the parameter did not move.
            for (let i = 0; i < d; i++) expect(gW[i * w + j]).toBe(0);
            expect(after['encoder.dense0.b'][j]).toBe(b[j]);
          }
        }
        expect(nonZeros).toBe(k);

        // Encoding (eval mode) keeps α·k per row, whatever k the train step used.
        const kept = Math.min(w, Math.round(alpha * k));
        const encode = await ort.InferenceSession.create(c.right.files['encode.onnx'], { executionProviders: ['cpu'], intraOpNumThreads: 1 });
        try {
          const xs = new Float64Array(batch * d);
          rng.fillNormal(xs);
          const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float64', xs, [batch, d]) };
          for (const p of c.right.manifest.artifacts.encode.inputs.filter((i) => i.role === 'param'))
            feeds[p.name] = new ort.Tensor('float64', after[p.name] as Float64Array, p.shape as number[]);
          const code = (await encode.run(feeds)).code;
          expect(code.dims).toEqual([batch, w]);
          const data = code.data as Float64Array;
          for (let e = 0; e < batch; e++) expect(Array.from(data.subarray(e * w, (e + 1) * w)).filter((v) => v !== 0).length).toBe(kept);
        } finally {
          await encode.release();
        }
      },
    );
  });
});
