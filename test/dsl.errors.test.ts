// What the types cannot express is rejected when the graph is built, as a Left that names
// the combinator's path — never a throw.
import * as E from 'fp-ts/Either';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import type { OptimizerSpec } from '../compiler/optim/optimizer';
import { autoencoder, bernoulli, dense, flow, gaussianHead, kl, mmd, relu, reparameterise, sparsifyK, standardNormal } from '../dsl';
import { kSparse } from '../examples/k-sparse';
import { vae } from '../examples/vae';

const adam: OptimizerSpec = { kind: 'adam', lr: 1e-3, hyper: {} };

const errorOf = (def: ModelDef, opt: OptimizerSpec = adam): string => {
  const r = compileModel(def, { optimizer: opt });
  if (E.isRight(r)) throw new Error('expected a compile error');
  return showError(r.left);
};

const vaeWith = (beta: number, lambda: number) =>
  autoencoder({
    name: 'bad_vae',
    input: [784],
    encoder: flow(dense(64), relu, gaussianHead(4)),
    decoder: flow(dense(64), relu, dense(784)),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => {
    const z = reparameterise(q);
    return { reconstruction: bernoulli(decoder(z), x), kl: kl(q, standardNormal(4), { beta }), mmd: mmd(z, standardNormal(4), { lambda }) };
  });

describe('graph-build errors name the path', () => {
  test('k larger than the width', () => {
    const msg = errorOf(kSparse(2000, 1, 1000).def);
    expect(msg).toMatch(/^k_sparse\.encoder\.sparsifyK: /);
    expect(msg).toContain('k = 2000');
    expect(msg).toContain('1000');
  });

  test('alpha below 1', () => {
    expect(errorOf(kSparse(25, 0.5).def)).toMatch(/^k_sparse\.encoder\.sparsifyK: alpha must be ≥ 1, got 0\.5/);
  });

  test('a negative β', () => {
    expect(errorOf(vaeWith(-1, 1).def)).toBe('bad_vae.kl: beta must be a finite number ≥ 0, got -1');
  });

  test('a NaN λ', () => {
    expect(errorOf(vaeWith(1, NaN).def)).toBe('bad_vae.mmd: lambda must be a finite number ≥ 0, got NaN');
  });

  test('a non-positive learning rate', () => {
    expect(errorOf(vae(2).def, { kind: 'adam', lr: 0, hyper: {} })).toBe('vae.optimizer: learning rate must be a positive number, got 0');
    expect(errorOf(vae(2).def, { kind: 'sgd', lr: -0.1, hyper: {} })).toContain('got -0.1');
  });

  test('a non-integer width', () => {
    const m = autoencoder({ name: 'odd', input: [784], encoder: dense(2.5), decoder: dense(784), likelihood: bernoulli }).objective(({ x, code, decoder }) => ({
      reconstruction: bernoulli(decoder(code), x),
    }));
    expect(errorOf(m.def)).toBe('odd.encoder.dense0: width must be a positive integer, got 2.5');
  });

  test('sparsifyK applied where types are widened still reports the path', () => {
    const m = autoencoder({ name: 'wide', input: [784], encoder: flow(dense(10), sparsifyK(11)), decoder: dense(784), likelihood: bernoulli }).objective(
      ({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) }),
    );
    expect(errorOf(m.def)).toContain('wide.encoder.sparsifyK: k = 11 must be an integer in [1, 10]');
  });
});
