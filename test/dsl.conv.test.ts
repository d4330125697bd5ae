// Image layers built through the DSL: their values against plain loops (f64, onnxruntime), batch
// norm's statistics and buffers, dropout's replayable mask, and build errors that name the path.
import { fc, test as ftest } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import {
  autoencoder, avgPool2d, batchNorm, bernoulli, conv2d, convTranspose2d, dense, dropout, flatten, flow, input, leakyRelu, maxPool2d, maxUnpool2d, mse, relu, reshape, upsample,
  type T,
} from '../dsl';
import { normalQuantile } from '../dsl/dropout';
import type { Shape } from '../dsl/tensor';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { compileOutputs, dataInput, errorOf, harness } from './support/dslHarness';
import { fcParams, rng } from './support/finiteDiff';

const feed = (data: ArrayLike<number>, dims: number[]) => ({ data: Float64Array.from(data), dims });
const randoms = (n: number, seed: number) => {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => -2 + 4 * r());
};

/** Evaluate `f` on x [B, ...shape] in an f64 graph of the given mode. */
const evalLayer = async (shape: number[], B: number, x: Float64Array, f: (t: T<Shape>) => T<Shape>, mode: 'train' | 'eval' = 'train', extra: Record<string, ReturnType<typeof feed>> = {}) => {
  const h = harness(mode);
  const xt = dataInput(h, 'x', shape);
  const y = f(xt);
  const run = await compileOutputs(h, { y });
  try {
    const feeds = { x: feed(x, [B, ...shape]), ...extra };
    // Every declared input must be fed: parameters at their initial values.
    for (const [name, p] of [...h.s.ctx.params, ...h.s.ctx.buffers]) if (!(name in feeds)) (feeds as Record<string, ReturnType<typeof feed>>)[name] = feed(new Array(p.shape.reduce((a, b) => a * b, 1)).fill(p.init.kind === 'constant' ? p.init.value : 0.5), [...p.shape]);
    return { y: (await run(feeds)).y, shape: y.shape, h };
  } finally {
    await run.release();
  }
};

const at = (x: ArrayLike<number>, dims: number[], idx: number[]) => x[idx.reduce((s, v, i) => s * dims[i] + v, 0)];

describe('image layers against plain loops', () => {
  ftest.prop({ c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 5 }), w: fc.integer({ min: 1, max: 5 }), f: fc.integer({ min: 1, max: 3 }), seed: fc.integer() }, fcParams(15))(
    'upsample(f) repeats each pixel into an f×f block',
    async ({ c, h, w, f, seed }) => {
      const x = randoms(2 * c * h * w, seed);
      const { y, shape } = await evalLayer([c, h, w], 2, x, (t) => upsample(f)(t as T<readonly [number, number, number]>));
      expect(shape).toEqual([c, h * f, w * f]);
      for (let n = 0; n < 2; n++)
        for (let k = 0; k < c; k++)
          for (let i = 0; i < h * f; i++)
            for (let j = 0; j < w * f; j++) expect(at(y, [2, c, h * f, w * f], [n, k, i, j])).toBe(at(x, [2, c, h, w], [n, k, Math.floor(i / f), Math.floor(j / f)]));
    },
  );

  ftest.prop({ k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 2 }), h: fc.integer({ min: 3, max: 7 }), seed: fc.integer() }, fcParams(15))(
    'avgPool2d: window means with padding counted as zeros (tiling windows by reshape, the rest by a fixed conv)',
    async ({ k, s, p, h, seed }) => {
      const pad = Math.min(p, k - 1);
      const c = 2;
      const x = randoms(c * h * h, seed);
      const { y, shape } = await evalLayer([c, h, h], 1, x, (t) => avgPool2d(k, { stride: s, padding: pad })(t as T<readonly [number, number, number]>));
      const ho = Math.floor((h + 2 * pad - k) / s) + 1;
      expect(shape).toEqual([c, ho, ho]);
      for (let ch = 0; ch < c; ch++)
        for (let i = 0; i < ho; i++)
          for (let j = 0; j < ho; j++) {
            let sum = 0;
            for (let a = 0; a < k; a++)
              for (let b = 0; b < k; b++) {
                const r = i * s + a - pad;
                const q = j * s + b - pad;
                if (r >= 0 && r < h && q >= 0 && q < h) sum += at(x, [1, c, h, h], [0, ch, r, q]);
              }
            expect(at(y, [1, c, ho, ho], [0, ch, i, j])).toBeCloseTo(sum / (k * k), 12);
          }
    },
  );

  test('maxUnpool2d puts values back at the switches; without them (decoding a code), at each window’s top-left', async () => {
    const x = [1, 5, 2, 0, 3, 4, 8, 6, 7, 0, 1, 2, 9, 3, 4, 5];
    const pool = maxPool2d(2);
    const withSwitches = await evalLayer([1, 4, 4], 1, Float64Array.from(x), (t) => maxUnpool2d(pool)(pool(t as T<readonly [1, 4, 4]>)));
    expect(Array.from(withSwitches.y)).toEqual([0, 5, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 9, 0, 0, 5]);
    const h = harness('eval');
    const z = dataInput(h, 'z', [1, 2, 2]);
    const run = await compileOutputs(h, { y: maxUnpool2d(maxPool2d(2))(z) });
    const { y } = await run({ z: feed([5, 8, 9, 5], [1, 1, 2, 2]) });
    await run.release();
    expect(Array.from(y)).toEqual([5, 0, 8, 0, 0, 0, 0, 0, 9, 0, 5, 0, 0, 0, 0, 0]);
  });

  test('leakyRelu(0.2)', async () => {
    const { y } = await evalLayer([4], 1, Float64Array.from([-2, -0.5, 0.5, 3]), (t) => leakyRelu(0.2)(t));
    expect(Array.from(y)).toEqual([-0.4, -0.1, 0.5, 3].map((v) => expect.closeTo(v, 14)));
  });
});

describe('batchNorm', () => {
  test('training: per-channel batch statistics, and the running averages move towards them', async () => {
    const [B, c, h] = [3, 2, 2];
    const x = randoms(B * c * h * h, 7).map((v, i) => v * (1 + (Math.floor(i / (h * h)) % c)) + 3);
    const hs = harness('train');
    const y = batchNorm({ momentum: 0.25 })(dataInput(hs, 'x', [c, h, h]));
    const next = [...hs.s.ctx.bufferUpdates.entries()];
    expect(next.map(([n]) => n).sort()).toEqual(['batchNorm0.runningMean', 'batchNorm0.runningVar']);
    const run = await compileOutputs(hs, { y, ...Object.fromEntries(next.map(([n, v]) => [n.split('.')[1], v])) });
    const out = await run({
      x: feed(x, [B, c, h, h]),
      'batchNorm0.gamma': feed([1, 1], [c, 1, 1]),
      'batchNorm0.beta': feed([0, 0], [c, 1, 1]),
      'batchNorm0.runningMean': feed([0, 0], [c, 1, 1]),
      'batchNorm0.runningVar': feed([1, 1], [c, 1, 1]),
    });
    await run.release();
    for (let ch = 0; ch < c; ch++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let n = 0; n < B; n++)
        for (let p = 0; p < h * h; p++) {
          xs.push(x[(n * c + ch) * h * h + p]);
          ys.push(out.y[(n * c + ch) * h * h + p]);
        }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const m = mean(xs);
      const variance = mean(xs.map((v) => (v - m) ** 2));
      expect(mean(ys)).toBeCloseTo(0, 10);
      expect(mean(ys.map((v) => v * v))).toBeCloseTo(variance / (variance + 1e-5), 10);
      expect(out.runningMean[ch]).toBeCloseTo(0.25 * m, 12);
      expect(out.runningVar[ch]).toBeCloseTo(0.75 + 0.25 * variance, 12);
    }
  });

  test('eval: normalises with the running statistics, not the batch', async () => {
    const { y } = await evalLayer([2], 2, Float64Array.from([1, 2, 3, 4]), (t) => batchNorm({ name: 'bn' })(t), 'eval', {
      'bn.gamma': feed([2, 1], [2]),
      'bn.beta': feed([0, 1], [2]),
      'bn.runningMean': feed([1, 2], [2]),
      'bn.runningVar': feed([4, 1], [2]),
    });
    const expected = [2 * (1 - 1) / Math.sqrt(4 + 1e-5), (2 - 2) / Math.sqrt(1 + 1e-5) + 1, (2 * (3 - 1)) / Math.sqrt(4 + 1e-5), (4 - 2) / Math.sqrt(1 + 1e-5) + 1];
    expected.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  test('compiled: the running statistics are buffers, carried by the train step and fed to encode', async () => {
    const m = autoencoder({
      name: 'bn_ae',
      input: input([1, 8, 8]),
      encoder: flow(conv2d(4, { kernel: 3, padding: 1 }), batchNorm(), relu, flatten, dense(3)),
      decoder: flow(dense(64), reshape([1, 8, 8])),
      likelihood: mse,
    }).objective(({ x, code, decoder }) => ({ reconstruction: mse(decoder(code), x) }));
    const c = compileModel(m.def, { optimizer: { kind: 'adam', lr: 1e-2, hyper: {} } });
    if (E.isLeft(c)) throw new Error(showError(c.left));
    const man = c.right.manifest;
    const buffers = man.params.filter((p) => p.buffer).map((p) => p.name);
    expect(buffers).toEqual(['encoder.batchNorm0.runningMean', 'encoder.batchNorm0.runningVar']);
    for (const b of buffers) {
      expect(man.carry).toContainEqual({ output: `next.${b}`, input: b });
      expect(man.artifacts.encode.inputs.map((i) => i.name)).toContain(b);
      expect(man.optimizer.state.some((s) => s.name.endsWith(b)), 'no optimizer slots for a buffer').toBe(false);
    }
    const tr = await openTrainer(c.right, { seed: 3, threads: 1 });
    const x = Float32Array.from({ length: 16 * 64 }, (_, i) => ((i * 7919) % 13) / 13);
    await tr.step(x, 16);
    const snap = tr.snapshot();
    expect(Array.from(snap['encoder.batchNorm0.runningMean']).some((v) => v !== 0), 'the running mean moved').toBe(true);
    expect(Array.from(snap['encoder.batchNorm0.runningVar']).some((v) => v !== 1), 'the running variance moved').toBe(true);
  });
});

describe('dropout', () => {
  test('Φ⁻¹ matches known quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.281551566, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6);
  });

  test('training keeps units whose noise exceeds Φ⁻¹(p), scaled by 1/(1 − p); eval passes x through', async () => {
    const n = 4000;
    const x = Float64Array.from({ length: n }, (_, i) => 1 + (i % 5));
    const r = rng(5);
    const eps = Float64Array.from({ length: n }, () => {
      // Box–Muller normal draws for the noise input.
      const u = Math.max(r(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
    });
    const p = 0.3;
    const { y } = await evalLayer([n], 1, x, (t) => dropout(p, { name: 'drop' })(t), 'train', { 'noise.drop': feed(eps, [1, n]) });
    const threshold = normalQuantile(p);
    y.forEach((v, i) => expect(v).toBeCloseTo(eps[i] > threshold ? x[i] / (1 - p) : 0, 12));
    const kept = Array.from(y).filter((v) => v !== 0).length / n;
    expect(Math.abs(kept - (1 - p))).toBeLessThan(0.03);
    const ev = await evalLayer([n], 1, x, (t) => dropout(p)(t), 'eval');
    expect(Array.from(ev.y)).toEqual(Array.from(x));
  });
});

describe('build errors name the path and the shapes', () => {
  const errorOfModel = (def: ModelDef) => {
    const c = compileModel(def, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
    if (E.isRight(c)) throw new Error('expected a compile error');
    return showError(c.left);
  };

  test('a decoder whose sizes tsc cannot compute, ending one pixel short, names its last layer', () => {
    // Typed loosely on purpose: the asymmetric padding hides the sizes from tsc, as a computed one would.
    type Loose = (p: object) => { objective: (o: (a: { x: T<Shape>; code: T<Shape>; decoder: (z: T<Shape>) => T<Shape> }) => object) => { def: ModelDef } };
    const m = (autoencoder as unknown as Loose)({
      name: 'chairs',
      input: input([1, 32, 32]),
      encoder: flow(conv2d(8, { kernel: 4, stride: 2, padding: 1 }), relu, flatten, dense(8)),
      decoder: flow(dense(8 * 16 * 16), reshape([8, 16, 16]), convTranspose2d(1, { kernel: 3, stride: 2, padding: [1, 1, 1, 1] })),
      likelihood: bernoulli,
    }).objective(({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) }));
    expect(errorOfModel(m.def)).toBe("chairs.decoder.convT0: expected [1, 32, 32] (the input's shape), got [1, 31, 31]");
  });

  test('a kernel that does not fit', () => {
    const h = harness('train', 'm');
    const x = dataInput(h, 'x', [1, 3, 3]);
    expect(errorOf(conv2d(2, { kernel: 5 })(x as T<readonly [1, 3, 3]>) as T<Shape>)).toMatch(/^m\.conv0: conv2d: a 5×5 kernel .* does not fit f64\[B, 1, 3, 3\]/);
  });

  test('a vector fed to a conv layer, a bad reshape, unpooling the wrong shape', () => {
    const h = harness('train', 'm');
    const v = dataInput(h, 'v', [12]);
    expect(errorOf(conv2d(2, { kernel: 1 })(v as never) as T<Shape>)).toBe('m.conv0: expects an image [C, H, W] per example, got [12]');
    expect(errorOf(reshape([5, 2])(v))).toBe('m.reshape: expected a shape of 12 values like [12], got [5, 2]');
    const img = dataInput(h, 'img', [2, 8, 8]);
    const pool = maxPool2d(2);
    pool(img as T<readonly [2, 8, 8]>);
    expect(errorOf(maxUnpool2d(pool)(upsample(2)(pool(img as T<readonly [2, 8, 8]>))) as T<Shape>)).toBe('m.maxUnpool0: expected [2, 4, 4] (the pooled shape), got [2, 8, 8]');
  });
});
