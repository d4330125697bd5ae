// A plain dense autoencoder, 784-256-32-256-784, sigmoid output, Bernoulli loss, written
// directly against the IR (the compiler core's end-to-end example).
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import type { Val } from '../compiler/ir/val';
import type { CompileError } from '../compiler/ir/types';
import type { BuildCtx, ModelDef } from '../compiler/model';
import { params } from '../dsl/params';

type R = E.Either<CompileError, Val>;

const dense = (ctx: BuildCtx, path: string, x: Val, width: number, act: 'relu' | 'none'): R => {
  const inWidth = x.type.shape[1] as number;
  return pipe(
    E.Do,
    E.bind('W', () => ctx.param(`${path}.W`, [inWidth, width], { kind: act === 'relu' ? 'heNormal' : 'glorotUniform' })),
    E.bind('b', () => ctx.param(`${path}.b`, [width], { kind: 'constant', value: 0 })),
    E.chain(({ W, b }) => pipe(ctx.g.op('matmul', [x, W], {}, path), E.chain((h) => ctx.g.op('add', [h, b], {}, path)))),
    E.chain((h) => (act === 'relu' ? ctx.g.op('relu', [h], {}, path) : E.right(h))),
  );
};

const encode = (ctx: BuildCtx, x: Val): R =>
  pipe(dense(ctx, 'encoder.dense0', x, 256, 'relu'), E.chain((h) => dense(ctx, 'encoder.dense1', h, 32, 'none')));

/** Decoder logits; the reconstruction is their sigmoid. */
const decodeLogits = (ctx: BuildCtx, z: Val): R =>
  pipe(dense(ctx, 'decoder.dense0', z, 256, 'relu'), E.chain((h) => dense(ctx, 'decoder.dense1', h, 784, 'none')));

/** Mean over the batch of Σ_pixels BCE(sigmoid(logits), x), from logits: softplus(l) − x·l. */
const bernoulliNll = (ctx: BuildCtx, logits: Val, x: Val): R => {
  const g = ctx.g;
  const path = 'loss.bernoulli';
  return pipe(
    g.op('softplus', [logits], {}, path),
    E.chain((sp) => pipe(g.op('mul', [x, logits], {}, path), E.chain((xl) => g.op('sub', [sp, xl], {}, path)))),
    E.chain((nll) => g.op('reduceSum', [nll], { axes: [1], keepdims: false }, path)),
    E.chain((perExample) => g.op('reduceMean', [perExample], { axes: [0], keepdims: false }, path)),
  );
};

/** Mean over the batch of Σ_pixels (sigmoid(logits) − x)². */
const squaredError = (ctx: BuildCtx, logits: Val, x: Val): R => {
  const g = ctx.g;
  const path = 'loss.mse';
  return pipe(
    g.op('sigmoid', [logits], {}, path),
    E.chain((xhat) => g.op('sub', [xhat, x], {}, path)),
    E.chain((d) => g.op('powc', [d], { p: 2 }, path)),
    E.chain((sq) => g.op('reduceSum', [sq], { axes: [1], keepdims: false }, path)),
    E.chain((perExample) => g.op('reduceMean', [perExample], { axes: [0], keepdims: false }, path)),
  );
};

export const denseAutoencoder = (likelihood: 'mse' | 'bernoulli' = 'mse'): ModelDef => ({
  name: 'dense_ae',
  inputShape: [784],
  codeShape: [32],
  loss: (ctx, x) =>
    pipe(
      encode(ctx, x),
      E.chain((z) => decodeLogits(ctx, z)),
      E.chain((logits) => (likelihood === 'mse' ? squaredError : bernoulliNll)(ctx, logits, x)),
      E.map((value) => [{ name: 'reconstruction', value, weight: 1 }]),
    ),
  encode,
  decode: (ctx, z) => pipe(decodeLogits(ctx, z), E.chain((l) => ctx.g.op('sigmoid', [l], {}, 'decoder.output'))),
});

// hourglass compile examples/dense-ae.ts --set likelihood=mse
export default params({ likelihood: 'bernoulli' }, (p) => {
  if (p.likelihood !== 'mse' && p.likelihood !== 'bernoulli') throw new Error(`likelihood must be mse or bernoulli, got ${p.likelihood}`);
  return denseAutoencoder(p.likelihood);
});
