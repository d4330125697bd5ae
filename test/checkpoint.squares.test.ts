// The checkpoint reader refuses values training cannot write, but a sum of squared gradients can
// grow past any fixed bound (it enters the update only through √): Adagrad's accumulator of the
// 1200-unit shapes β-VAE passed 1e18 within 2,500 steps, and its finished run could not be opened.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { describe, expect } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, LIMIT, type Checkpoint } from '../runtime/core/checkpointCodec';

const meta = { step: 3, epoch: 1, stepInEpoch: 3, shuffleState: [1, 2, 3, 4], noiseState: [5, 6, 7, 8], lr: 0.01, partial: {}, specHash: 'abc' };
const bytes = (c: Checkpoint) => {
  const parts = encodeCheckpoint(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};
const big = fc.double({ min: LIMIT * 2, max: 3e38, noNaN: true });

describe('checkpoint values', () => {
  test.prop([big, fc.constantFrom('adagrad.sum.W', 'adam.v.W', 'rmsprop.sq.W')])('a finite sum of squares beyond 1e18 round-trips', (v, name) => {
    const c = decodeCheckpoint(bytes({ meta, tensors: { W: Float32Array.of(0.5), [name]: Float32Array.of(1, v) } }), 'ck');
    if (E.isLeft(c)) throw new Error(c.left);
    expect(c.right.tensors[name][1]).toBe(Math.fround(v));
  });

  test.prop([big, fc.constantFrom('W', 'adam.m.W', 'sgd.velocity.W')])('a weight or first moment beyond 1e18 is still refused', (v, name) => {
    const c = decodeCheckpoint(bytes({ meta, tensors: { [name]: Float32Array.of(1, v) } }), 'ck');
    expect(E.isLeft(c) && c.left).toMatch(new RegExp(`tensor ${name.replace(/\./g, '\\.')}\\[1\\] = .* \\(beyond`));
  });

  test('a negative or infinite sum of squares is still refused', () => {
    for (const v of [-1, Infinity]) expect(E.isLeft(decodeCheckpoint(bytes({ meta, tensors: { 'adagrad.sum.W': Float32Array.of(v) } }), 'ck'))).toBe(true);
  });
});
