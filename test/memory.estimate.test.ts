// The memory estimate (runtime/run/memory.ts) from a real compile: it grows with the batch and
// with the model's width, counts Adam's two slots per parameter, and the size parser's units.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { describe, expect } from 'vitest';
import { compileModel } from '../compiler/compile';
import { autoencoder, bernoulli, dense, flow, gaussianHead, kl, relu, reparameterise, standardNormal } from '../dsl';
import { estimateMemory, parseSize, peakLive } from '../runtime/run/memory';

const vae = (hidden: number) =>
  autoencoder({ name: 'v', input: [784], encoder: flow(dense(hidden), relu, gaussianHead(2)), decoder: flow(dense(hidden), relu, dense(784)), likelihood: bernoulli }).objective(
    ({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(2)) }),
  );

const compiled = new Map<number, ReturnType<typeof compileModel>>();
const compile = (hidden: number) => {
  if (!compiled.has(hidden)) compiled.set(hidden, compileModel(vae(hidden).def, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } }));
  const c = compiled.get(hidden)!;
  if (E.isLeft(c)) throw new Error(c.left.message);
  return c.right;
};
const plan = (batch: number) => ({ batch, fuse: 4, dataValues: 1000 * 784, split: true, trainValues: 800 * 784, evalBatch: 200 });
const total = (hidden: number, batch: number) => {
  const a = compile(hidden);
  return estimateMemory(a.manifest, a.values, a.evalValues, plan(batch)).total;
};

describe('memory estimate', () => {
  test.prop([fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 512 }), fc.constantFrom(8, 32, 128)], { numRuns: 40 })(
    'is monotone in the batch',
    (b1, b2, hidden) => {
      const [lo, hi] = b1 <= b2 ? [b1, b2] : [b2, b1];
      expect(total(hidden, lo)).toBeLessThanOrEqual(total(hidden, hi));
      if (hi > lo) expect(total(hidden, lo)).toBeLessThan(total(hidden, hi));
    },
  );

  test.prop([fc.constantFrom(4, 16, 64, 200), fc.constantFrom(4, 16, 64, 200), fc.integer({ min: 1, max: 256 })], { numRuns: 30 })(
    'is monotone in the width',
    (w1, w2, batch) => {
      const [lo, hi] = w1 <= w2 ? [w1, w2] : [w2, w1];
      expect(total(lo, batch)).toBeLessThanOrEqual(total(hi, batch));
      if (hi > lo) expect(total(lo, batch)).toBeLessThan(total(hi, batch));
    },
  );

  test('parameters are 4 bytes each in f32, Adam keeps two slots per parameter', () => {
    const a = compile(16);
    const e = estimateMemory(a.manifest, a.values, a.evalValues, plan(32));
    const n = 784 * 16 + 16 + 16 * 4 + 4 + 2 * 16 + 16 + 16 * 784 + 784;
    expect(e.parts.parameters).toBe(4 * n);
    expect(e.parts.optimizer).toBeGreaterThanOrEqual(2 * 4 * n);
    expect(e.parts.optimizer).toBeLessThan(2 * 4 * n + 64);
    expect(e.largest.length).toBe(3);
    expect(e.largest[0].bytes).toBeGreaterThanOrEqual(e.largest[1].bytes);
  });

  test('the peak counts only values alive together', () => {
    const v = (from: number, to: number, n: number) => ({ shape: ['B', n] as const, elem: 4, from, to, path: `v${from}` });
    // v0 dies before v2 is made: the peak is the larger pair, not the sum of all three.
    expect(peakLive([v(0, 1, 10), v(1, 2, 20), v(2, 3, 30)], 2).bytes).toBe(4 * 2 * 50);
    expect(peakLive([v(0, 9, 10), v(1, 9, 20), v(2, 9, 30)], 2).bytes).toBe(4 * 2 * 60);
  });

  test('sizes: units, binary units, and what is refused', () => {
    expect(parseSize('1MB')).toBe(1e6);
    expect(parseSize('2GiB')).toBe(2 * 2 ** 30);
    expect(parseSize('512')).toBe(512);
    expect(parseSize('1.5 GB')).toBe(1.5e9);
    for (const bad of ['', 'abc', '-1MB', '1XB', '1e9', 'MB']) expect(parseSize(bad)).toBeNull();
  });
});
