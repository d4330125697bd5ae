// Initialisation options: the recipe each named init and bias option puts in the manifest, and
// the spread of the values drawn from it (the formulas of the frameworks they are named after).
import * as E from 'fp-ts/Either';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import type { Init } from '../compiler/model';
import { autoencoder, dense, flow, gaussianHead, gaussian, input, kl, relu, reparameterise, standardNormal, type DenseOptions, type InitName } from '../dsl';
import { biasInit, weightInit } from '../dsl/layers';
import { initialValues } from '../runtime/core/init';
import { Rng } from '../runtime/core/random';

const recipes = (opts: DenseOptions, headOpts: DenseOptions = {}) => {
  const model = autoencoder({
    name: 'init_probe',
    input: input([50]),
    encoder: flow(dense(30, opts), relu, gaussianHead(4, { init: headOpts.init, bias: headOpts.bias })),
    decoder: dense(50),
    likelihood: gaussian,
  }).objective(({ x, code: q, decoder }) => ({ reconstruction: gaussian(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(4)) }));
  const c = compileModel(model.def, { optimizer: { kind: 'sgd', lr: 0.1, hyper: {} } });
  if (E.isLeft(c)) throw new Error('compile failed');
  return Object.fromEntries(c.right.manifest.params.map((p) => [p.name, p.init]));
};

describe('init options in the manifest', () => {
  test('torch-default: U(±1/√fan_in) for weight and bias, as torch.nn.Linear', () => {
    const r = recipes({ init: 'torch-default' });
    expect(r['encoder.dense0.W']).toEqual({ kind: 'uniform', limit: 1 / Math.sqrt(50) });
    expect(r['encoder.dense0.b']).toEqual({ kind: 'uniform', limit: 1 / Math.sqrt(50) });
    expect(r['decoder.dense0.W']).toEqual({ kind: 'glorotUniform' }); // the default elsewhere
    expect(r['decoder.dense0.b']).toEqual({ kind: 'constant', value: 0 });
  });

  test('he-normal with zero bias; no bias; gaussianHead passes its options to both heads', () => {
    const r = recipes({ init: 'he-normal', bias: false }, { init: 'torch-default', bias: 'zeros' });
    expect(r['encoder.dense0.W']).toEqual({ kind: 'heNormal' });
    expect(r['encoder.dense0.b']).toBeUndefined();
    for (const head of ['mean', 'logVar']) {
      expect(r[`encoder.gaussian0.${head}.W`]).toEqual({ kind: 'uniform', limit: 1 / Math.sqrt(30) });
      expect(r[`encoder.gaussian0.${head}.b`]).toEqual({ kind: 'constant', value: 0 });
    }
  });
});

/** Empirical standard deviation and largest magnitude of a drawn [fanIn, fanOut] weight. */
const drawn = (init: Init, fanIn: number, fanOut: number) => {
  const v = Array.from(initialValues(init, [fanIn, fanOut], 'f64', Rng.seeded(11)));
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { sd, max: v.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
};

describe('drawn values follow the documented formulas', () => {
  const fanIn = 400;
  const fanOut = 300;
  const want: Record<InitName, { sd: number; bound?: number }> = {
    'glorot-uniform': { sd: Math.sqrt(2 / (fanIn + fanOut)), bound: Math.sqrt(6 / (fanIn + fanOut)) },
    'glorot-normal': { sd: Math.sqrt(2 / (fanIn + fanOut)) },
    'he-normal': { sd: Math.sqrt(2 / fanIn) },
    'he-uniform': { sd: Math.sqrt(2 / fanIn), bound: Math.sqrt(6 / fanIn) },
    'lecun-normal': { sd: Math.sqrt(1 / fanIn) },
    'torch-default': { sd: 1 / Math.sqrt(3 * fanIn), bound: 1 / Math.sqrt(fanIn) },
  };
  for (const [name, w] of Object.entries(want) as [InitName, (typeof want)[InitName]][])
    test(name, () => {
      const { sd, max } = drawn(weightInit(name, fanIn, fanOut), fanIn, fanOut);
      expect(sd / w.sd).toBeGreaterThan(0.98);
      expect(sd / w.sd).toBeLessThan(1.02);
      if (w.bound) expect(max).toBeLessThanOrEqual(w.bound);
    });

  test('bias options', () => {
    expect(biasInit(undefined, undefined, 9)).toEqual({ kind: 'constant', value: 0 });
    expect(biasInit('uniform', 'he-normal', 9)).toEqual({ kind: 'uniform', limit: 1 / 3 });
    expect(biasInit('zeros', 'torch-default', 9)).toEqual({ kind: 'constant', value: 0 });
    expect(biasInit(false, 'torch-default', 9)).toBeNull();
  });
});
