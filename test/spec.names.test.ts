// Names a spec cannot take silently: a term called `loss` (it would replace the total), one
// called `__proto__` (it would vanish), and two different layers with one name (they would share
// weights). Sharing stays possible when asked for: the same layer object, or `shared: true`.
import * as E from 'fp-ts/Either';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import { autoencoder, dense, flow, mse, relu } from '../dsl';
import type { Term } from '../dsl/tensor';

const compile = (def: ModelDef) => compileModel(def, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
const errorOf = (def: ModelDef) => {
  const r = compile(def);
  if (E.isRight(r)) throw new Error('expected a compile error');
  return showError(r.left);
};

const withTerms = (terms: (rec: Term) => Record<string, Term>) =>
  autoencoder({ name: 'named', input: [8], encoder: flow(dense(4), relu, dense(2)), decoder: flow(dense(4), relu, dense(8)), likelihood: mse })
    .objective(({ x, code, decoder }) => terms(mse(decoder(code), x))).def;

describe('reserved term names', () => {
  test('a term named loss is refused instead of replacing the total', () => {
    expect(errorOf(withTerms((t) => ({ loss: t })))).toMatch(/named\.loss\.loss: "loss" is a reserved name/);
  });
  test('a term named __proto__ is refused instead of disappearing', () => {
    // The literal `__proto__:` key sets the prototype: exactly the trap a user walks into.
    expect(errorOf(withTerms((t) => ({ reconstruction: t, __proto__: t }) as Record<string, Term>))).toMatch(/__proto__.*reserved name/);
  });
  test('prototype names such as constructor are refused', () => {
    expect(errorOf(withTerms((t) => ({ constructor: t }) as Record<string, Term>))).toMatch(/"constructor" is a reserved name/);
  });
  test('an ordinary name still compiles', () => {
    expect(E.isRight(compile(withTerms((t) => ({ reconstruction: t }))))).toBe(true);
  });
});

describe('layer names', () => {
  const twoLayers = (second: ReturnType<typeof dense<4>>) =>
    autoencoder({ name: 'dup', input: [4], encoder: flow(dense(4, { name: 'h' }), relu, second, dense(2)), decoder: dense(4), likelihood: mse })
      .objective(({ x, code, decoder }) => ({ reconstruction: mse(decoder(code), x) })).def;

  test('two different layers with one name are an error naming the path', () => {
    expect(errorOf(twoLayers(dense(4, { name: 'h' })))).toMatch(/dup\.encoder\.h: the name encoder\.h is already used by another layer/);
  });
  test('shared: true shares on purpose', () => {
    const r = compile(twoLayers(dense(4, { name: 'h', shared: true })));
    expect(E.isRight(r)).toBe(true);
    if (E.isRight(r)) expect(r.right.manifest.params.filter((p) => p.name.startsWith('encoder.h.')).map((p) => p.name)).toEqual(['encoder.h.W', 'encoder.h.b']);
  });
  test('the same layer object applied twice shares its weights without a flag', () => {
    const h = dense(4, { name: 'h' });
    const def = autoencoder({ name: 'reuse', input: [4], encoder: flow(h, relu, h, dense(2)), decoder: dense(4), likelihood: mse })
      .objective(({ x, code, decoder }) => ({ reconstruction: mse(decoder(code), x) })).def;
    expect(E.isRight(compile(def))).toBe(true);
  });
});
