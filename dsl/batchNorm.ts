// Batch normalisation (Ioffe & Szegedy 2015). Training normalises with the batch's statistics and
// moves the running mean and variance towards them; encode/decode/reconstruct use the running
// ones. The running statistics are buffers: carried from step to step like optimizer state,
// checkpointed and exported with the weights, never trained.
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import type { Val } from '../compiler/ir/val';
import type { CompileError } from '../compiler/ir/types';
import { autoName, errorPath, failed, scopePath, tensor, type Shape, type T } from './tensor';

export interface BatchNormOptions {
  readonly name?: string;
  /** Weight of the new batch in the running averages (PyTorch's momentum); default 0.1. */
  readonly momentum?: number;
  readonly eps?: number;
}

/** Normalise per channel ([C, H, W]: over batch, height and width) or per feature ([N]: over the batch). */
export const batchNorm =
  (opts: BatchNormOptions = {}) =>
  <S extends Shape>(x: T<S>): T<S> => {
    const s = x.session;
    const name = opts.name ? [scopePath(s), opts.name].filter(Boolean).join('.') : autoName(s, 'batchNorm');
    const leaf = name.split('.').pop()!;
    const momentum = opts.momentum ?? 0.1;
    const eps = opts.eps ?? 1e-5;
    if (x.shape.length !== 1 && x.shape.length !== 3) return failed(s, x.shape, leaf, `expects [N] or [C, H, W] per example, got [${x.shape.join(', ')}]`);
    if (!(momentum > 0 && momentum <= 1)) return failed(s, x.shape, leaf, `momentum must be in (0, 1], got ${momentum}`);
    if (!(eps > 0)) return failed(s, x.shape, leaf, `eps must be > 0, got ${eps}`);
    const image = x.shape.length === 3;
    const statShape = image ? [x.shape[0], 1, 1] : [x.shape[0]];
    const axes = image ? [0, 2, 3] : [0];
    const g = s.ctx.g;
    const where = errorPath(s, leaf);
    const op = <K extends Parameters<typeof g.op>[0]>(tag: K, ins: Val[], attrs: Parameters<typeof g.op<K>>[2]) => g.op(tag, ins, attrs, where);
    const c = (v: number) => g.scalar(v);
    const normalise = (xv: Val, mean: Val, variance: Val): E.Either<CompileError, Val> =>
      pipe(
        op('add', [variance, c(eps)], {}),
        E.chain((v) => op('sqrt', [v], {})),
        E.chain((sd) => pipe(op('sub', [xv, mean], {}), E.chain((d) => op('div', [d, sd], {})))),
      );
    const out = pipe(
      E.Do,
      E.bind('x', () => x.val),
      E.bind('gamma', () => s.ctx.param(`${name}.gamma`, statShape, { kind: 'constant', value: 1 })),
      E.bind('beta', () => s.ctx.param(`${name}.beta`, statShape, { kind: 'constant', value: 0 })),
      E.bind('runMean', () => s.ctx.buffer(`${name}.runningMean`, statShape, { kind: 'constant', value: 0 })),
      E.bind('runVar', () => s.ctx.buffer(`${name}.runningVar`, statShape, { kind: 'constant', value: 1 })),
      E.bind('xhat', ({ x: xv, runMean, runVar }) => {
        if (s.mode === 'eval') return normalise(xv, runMean, runVar);
        return pipe(
          E.Do,
          E.bind('mean', () => op('reduceMean', [xv], { axes, keepdims: true })),
          E.bind('variance', ({ mean }) =>
            pipe(
              op('sub', [xv, mean], {}),
              E.chain((d) => op('mul', [d, d], {})),
              E.chain((d2) => op('reduceMean', [d2], { axes, keepdims: true })),
            ),
          ),
          // Running averages of the batch statistics (the biased variance): the next step's buffers.
          E.chainFirst(({ mean, variance }) =>
            E.sequenceArray(
              ([[runMean, mean, 'runningMean'], [runVar, variance, 'runningVar']] as const).map(([run, stat, what]) =>
                pipe(
                  op('reshape', [stat], { shape: statShape }),
                  E.chain((st) => op('mul', [st, c(momentum)], {})),
                  E.chain((m) => pipe(op('mul', [run, c(1 - momentum)], {}), E.chain((r) => op('add', [r, m], {})))),
                  E.chain((next) => s.ctx.update(`${name}.${what}`, next)),
                ),
              ),
            ),
          ),
          E.chain(({ mean, variance }) => normalise(xv, mean, variance)),
        );
      }),
      E.chain(({ xhat, gamma, beta }) => pipe(op('mul', [xhat, gamma], {}), E.chain((y) => op('add', [y, beta], {})))),
    );
    return tensor(s, x.shape, out);
  };
