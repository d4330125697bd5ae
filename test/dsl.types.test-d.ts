// Type tests: ill-shaped models must not compile. Each @ts-expect-error says why beside it;
// if a line ever type-checks, `vitest --typecheck` fails on the unused directive.
import { describe, expectTypeOf, test } from 'vitest';
import {
  autoencoder, bernoulli, dense, flow, gaussianHead, kl, mmd, mse, pipe, relu, reparameterise, sparsifyK, standardNormal, tied,
  type Gaussian, type Layer, type T,
} from '../dsl';
import type { Autoencoder } from '../dsl';
import { vae } from '../examples/vae';
import { kSparse } from '../examples/k-sparse';

declare const x784: T<readonly [784]>;
declare const x100: T<readonly [100]>;
declare const q20: Gaussian<readonly [20]>;
declare const z20: T<readonly [20]>;

describe('shapes ride in the types', () => {
  test('layers compose and carry literal widths', () => {
    expectTypeOf(pipe(x784, dense(1000), relu, dense(500))).toEqualTypeOf<T<readonly [500]>>();
    expectTypeOf(flow(dense(400), relu, gaussianHead(20))(x784)).toEqualTypeOf<Gaussian<readonly [20]>>();
    expectTypeOf(pipe(x784, dense(1000), sparsifyK(25))).toEqualTypeOf<T<readonly [1000]>>();
    expectTypeOf(reparameterise(q20)).toEqualTypeOf<T<readonly [20]>>();
  });

  test('a model knows its input and code shapes', () => {
    expectTypeOf(vae(20)).toEqualTypeOf<Autoencoder<readonly [784], readonly [number]>>();
    expectTypeOf(kSparse()).toMatchTypeOf<Autoencoder<readonly [784], readonly [number]>>();
  });

  test('composing [784]→[1000] into a layer that expects [500] does not type-check', () => {
    const expects500: Layer<readonly [500], readonly [250]> = dense(250);
    // @ts-expect-error — dense(1000) yields T<[1000]>, but the next layer takes T<[500]>
    pipe(x784, dense(1000), expects500);
    pipe(x784, dense(500), expects500); // the same with matching widths is fine
  });

  test('kl and mmd need the prior to have the latent size', () => {
    kl(q20, standardNormal(20));
    // @ts-expect-error — latent of size 20 against a prior of size 10
    kl(q20, standardNormal(10));
    mmd(z20, standardNormal(20), { lambda: 1000 });
    // @ts-expect-error — codes of size 20 against a prior of size 10
    mmd(z20, standardNormal(10), { lambda: 1000 });
  });

  test('a loss between tensors of different shapes does not type-check', () => {
    bernoulli(x784, x784);
    // @ts-expect-error — logits [784] against data [100]
    bernoulli(x784, x100);
    // @ts-expect-error — reconstruction [100] against data [784]
    mse(x100, x784);
  });

  test('an encoder must take the input shape', () => {
    const expects500: Layer<readonly [500], readonly [10]> = dense(10);
    autoencoder({
      name: 'bad_encoder',
      input: [784],
      // @ts-expect-error — the input is [784]; this encoder takes [500]
      encoder: expects500,
      decoder: dense(784),
      likelihood: bernoulli,
    });
  });

  test('a decoder must take the code and give back the input shape', () => {
    const decodes3: Layer<readonly [3], readonly [784]> = dense(784);
    autoencoder({
      name: 'bad',
      input: [784],
      encoder: dense(2),
      // @ts-expect-error — the encoder makes codes [2]; this decoder takes [3]
      decoder: decodes3,
      likelihood: bernoulli,
    });
    autoencoder({
      name: 'bad_output',
      input: [784],
      encoder: dense(2),
      // @ts-expect-error — the decoder returns [100], not the input's [784]
      decoder: flow(dense(50), dense(100)),
      likelihood: bernoulli,
    });
  });

  test('tied weights name their output width', () => {
    const enc = dense(1000);
    expectTypeOf(tied(enc, 784)(pipe(x784, enc))).toEqualTypeOf<T<readonly [784]>>();
  });
});
