// User mistakes in a model come back from compileModel as a Left naming the culprit — never a
// throw. Each case is a small model written directly against the IR with one thing wrong.
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import type { Val } from '../compiler/ir/val';
import { showError } from '../compiler/ir/types';
import type { BuildCtx, ModelDef, Term } from '../compiler/model';

type R = E.Either<import('../compiler/ir/types').CompileError, Val>;
const init = { kind: 'constant', value: 0 } as const;

/** x [B, n] · W [n, m] at `path`, with W named `${path}.W`. */
const dense = (ctx: BuildCtx, path: string, x: Val, shape: readonly number[]): R =>
  pipe(ctx.param(`${path}.W`, shape, init), E.chain((W) => ctx.g.op('matmul', [x, W], {}, path)));

/** Mean over the batch of Σ (xhat − x)². */
const sse = (ctx: BuildCtx, xhat: Val, x: Val): R =>
  pipe(
    ctx.g.op('sub', [xhat, x], {}, 'loss'),
    E.chain((d) => ctx.g.op('mul', [d, d], {}, 'loss')),
    E.chain((sq) => ctx.g.op('reduceSum', [sq], { axes: [1], keepdims: false }, 'loss')),
    E.chain((s) => ctx.g.op('reduceMean', [s], { axes: [0], keepdims: false }, 'loss')),
  );

/** A linear 784-10-784 autoencoder; each override breaks one piece of it. */
const model = (o: {
  encShape?: number[];
  encodeShape?: number[];
  decodeParam?: string;
  terms?: (ctx: BuildCtx, x: Val, rec: Val) => E.Either<import('../compiler/ir/types').CompileError, Term[]>;
} = {}): ModelDef => {
  const encode = (shape: number[]) => (ctx: BuildCtx, x: Val) => dense(ctx, 'enc', x, shape);
  const decode = (ctx: BuildCtx, z: Val) => dense(ctx, o.decodeParam ?? 'dec', z, [10, 784]);
  return {
    name: 'lin',
    inputShape: [784],
    codeShape: [10],
    loss: (ctx, x) =>
      pipe(
        encode(o.encShape ?? [784, 10])(ctx, x),
        E.chain((z) => decode(ctx, z)),
        E.chain((xhat) => sse(ctx, xhat, x)),
        E.chain((rec) => (o.terms ? o.terms(ctx, x, rec) : E.right([{ name: 'rec', value: rec, weight: 1 }]))),
      ),
    encode: encode(o.encodeShape ?? o.encShape ?? [784, 10]),
    decode,
  };
};

/** Compile, insisting on a Left (a throw fails the test too); returns "path: message". */
const errorOf = (m: ModelDef): string => {
  const r = compileModel(m, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
  if (E.isRight(r)) throw new Error('expected a compile error, got artifacts');
  return showError(r.left);
};

test('the well-formed model compiles (the cases below break exactly one thing)', () => {
  expect(E.isRight(compileModel(model(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } }))).toBe(true);
});

describe('shape mismatches name the path, the op and both shapes', () => {
  test('a layer whose weight does not fit its input', () => {
    const msg = errorOf(model({ encShape: [500, 10] }));
    expect(msg).toMatch(/^enc: matmul: /);
    expect(msg).toContain('[B, 784]');
    expect(msg).toContain('[500, 10]');
  });

  test('a layer that does not fit the one before it', () => {
    const m = model({ encShape: [784, 12] });
    const msg = errorOf(m);
    expect(msg).toMatch(/^dec: matmul: /);
    expect(msg).toContain('[B, 12]');
    expect(msg).toContain('[10, 784]');
  });

  test('an elementwise op on shapes that do not broadcast', () => {
    const msg = errorOf(model({ terms: (ctx, x, rec) => pipe(ctx.g.op('add', [x, ctx.g.constant([1, 2, 3], [3])], {}, 'loss.bias'), E.map(() => [{ name: 'rec', value: rec, weight: 1 }])) }));
    expect(msg).toMatch(/^loss\.bias: add: /);
    expect(msg).toContain('[B, 784]');
    expect(msg).toContain('[3]');
  });
});

describe('loss terms', () => {
  const withTerms = (terms: (ctx: BuildCtx, x: Val, rec: Val) => Term[]) => model({ terms: (ctx, x, rec) => E.right(terms(ctx, x, rec)) });

  test('a term that is not a scalar', () => {
    const m = model({
      terms: (ctx, x) => pipe(ctx.g.op('reduceSum', [x], { axes: [1], keepdims: false }, 'loss'), E.map((perExample) => [{ name: 'perExample', value: perExample, weight: 1 }])),
    });
    expect(errorOf(m)).toBe('lin.loss.perExample: a loss term must be a scalar, got [B]');
  });

  test.each([
    [-0.5, 'got -0.5'],
    [NaN, 'got NaN'],
    [Infinity, 'got Infinity'],
  ])('a term weighted %s', (weight, fragment) => {
    const msg = errorOf(withTerms((_, __, rec) => [{ name: 'rec', value: rec, weight }]));
    expect(msg).toMatch(/^lin\.loss\.rec: weight must be/);
    expect(msg).toContain(fragment);
  });

  test('two terms with one name', () => {
    const msg = errorOf(withTerms((_, __, rec) => [{ name: 'rec', value: rec, weight: 1 }, { name: 'rec', value: rec, weight: 2 }]));
    expect(msg).toBe('lin.loss.rec: two terms are named rec');
  });

  test('no terms at all', () => {
    expect(errorOf(withTerms(() => []))).toBe('lin.loss: the objective has no terms');
  });
});

describe('parameters', () => {
  test('declared twice in the loss with different shapes', () => {
    const m = model({ terms: (ctx, _, rec) => pipe(ctx.param('enc.W', [784, 11], init), E.map(() => [{ name: 'rec', value: rec, weight: 1 }])) });
    expect(errorOf(m)).toBe('enc.W: parameter declared as [784, 10] and again as [784, 11]');
  });

  test('declared by encode with a different shape than the loss gave it', () => {
    const msg = errorOf(model({ encodeShape: [784, 9] }));
    expect(msg).toMatch(/^lin\.encode: /);
    expect(msg).toContain('enc.W');
    expect(msg).toContain('[784, 9]');
    expect(msg).toContain('[784, 10]');
  });

  test('used by decode but never trained by the loss', () => {
    const m = { ...model(), decode: (ctx: BuildCtx, z: Val) => dense(ctx, 'other', z, [10, 784]) };
    expect(errorOf(m)).toBe('lin.decode: uses parameters the loss never trains: other.W');
  });

  test.each([
    [[784, 0], '[784, 0]'],
    [[784, 2.5], '[784, 2.5]'],
  ])('with shape %j', (shape, shown) => {
    expect(errorOf(model({ encShape: shape }))).toBe(`enc.W: parameter shape ${shown} must have positive integer sizes`);
  });

  test('a model with none', () => {
    const m: ModelDef = { ...model(), loss: (ctx, x) => pipe(sse(ctx, x, x), E.map((value) => [{ name: 'rec', value, weight: 1 }])) };
    expect(errorOf(m)).toBe('lin: the model has no parameters to train');
  });

  test.each(['opt.lr', 'opt.t', 'adam.m.enc.W', 'loss', 'term.rec', 'next.enc.W', 'xhat'])('named %s, a name the compiler uses itself', (name) => {
    const m = model({ terms: (ctx, _, rec) => pipe(ctx.param(name, [784, 10], init), E.map(() => [{ name: 'rec', value: rec, weight: 1 }])) });
    const withDecode = { ...m, decode: name === 'xhat' ? (ctx: BuildCtx, z: Val) => pipe(ctx.param('xhat', [784, 10], init), E.chain(() => m.decode(ctx, z))) : m.decode };
    const msg = errorOf(withDecode);
    expect(msg).toMatch(/^lin(\.decode)?: /);
    expect(msg).toContain(`${name} is a name the compiler gives`);
  });
});
