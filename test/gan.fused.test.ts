// Fused GAN rounds (compiler/onnx/rounds.ts, issue 25 lever 6): R rounds of k discriminator steps
// and one generator step in one call give, bit for bit, the losses, parameters, optimizer state,
// buffers and noise stream of the single steps, for any k, R, batch, checkpoint interval and
// seed; a divergence inside a fused call is reported and left exactly as single rounds leave it;
// onnxruntime's memory patterns and spinning change nothing; and the fused graph passes the onnx checker.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { describe, expect } from 'vitest';
import { compileGan, type GanArtifacts } from '../compiler/gan';
import { showError } from '../compiler/ir/types';
import { batchNorm, dense, flow, gan, leakyRelu, relu, tanh } from '../dsl';
import { trainGan, type GanLoopOptions } from '../runtime/apps/gan/loop';
import { openGanTrainer } from '../runtime/apps/gan/players';
import type { Dataset } from '../runtime/core/dataset';
import { DivergedError } from '../runtime/core/loop';
import { Rng } from '../runtime/core/random';
import { nodeEngine } from '../runtime/host/session';
import { checkerUnavailable, checkModels } from './support/onnxChecker';

/** A small dense GAN; `norm` puts batch norm (running statistics: carried buffers) in both players. */
const tinyGan = (dim: number, latent: number, hidden: number, norm: boolean, lr = 1e-2): GanArtifacts => {
  const g = gan({
    name: 'tiny_gan',
    input: [dim],
    latent,
    generator: norm ? flow(dense(hidden), batchNorm(), relu, dense(dim), tanh) : flow(dense(hidden), relu, dense(dim), tanh),
    discriminator: norm ? flow(dense(hidden), batchNorm(), leakyRelu(0.2), dense(1)) : flow(dense(hidden), leakyRelu(0.2), dense(1)),
  });
  const opt = { kind: 'adam' as const, lr, hyper: { beta1: 0.5 } };
  const c = compileGan(g.def, { generator: opt, discriminator: opt });
  if (E.isLeft(c)) throw new Error(showError(c.left));
  return c.right;
};

const dataOf = (n: number, dim: number, seed: number): Dataset => {
  const rng = Rng.seeded(seed);
  return { name: 'random', images: Float32Array.from({ length: n * dim }, () => rng.uniform()), n, shape: [dim], dim };
};

/** Everything a run leaves: each round's losses, the carried tensors' bytes, the noise stream, the checkpoints. */
const runOf = async (art: GanArtifacts, data: Dataset, seed: number, opts: GanLoopOptions, engine = nodeEngine({ threads: 1 })) => {
  const tr = await openGanTrainer(engine, art, seed);
  const losses: unknown[] = [];
  const checkpoints: unknown[] = [];
  let error: string | undefined;
  try {
    await trainGan(tr, data, { ...opts, onRound: (round, r) => losses.push([round, r]), onCheckpoint: (p) => void checkpoints.push([p, tr.noiseState()]) });
  } catch (err) {
    if (!(err instanceof DivergedError)) throw err;
    error = err.message;
  }
  const snap = tr.snapshot();
  const tensors = Object.fromEntries(Object.keys(snap).sort().map((k) => [k, Buffer.from(snap[k].buffer, snap[k].byteOffset, snap[k].byteLength).toString('base64')]));
  await tr.release();
  return { losses: JSON.stringify(losses), tensors, noise: tr.noiseState(), checkpoints: JSON.stringify(checkpoints), error };
};

describe('fused GAN rounds', () => {
  test.prop(
    [
      fc.record({
        dim: fc.integer({ min: 2, max: 6 }),
        latent: fc.integer({ min: 1, max: 3 }),
        hidden: fc.integer({ min: 2, max: 5 }),
        norm: fc.boolean(),
        k: fc.integer({ min: 1, max: 3 }),
        rounds: fc.integer({ min: 1, max: 5 }),
        fuse: fc.integer({ min: 2, max: 4 }),
        batch: fc.integer({ min: 2, max: 4 }),
        every: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        seed: fc.integer({ min: 0, max: 1000 }),
      }),
    ],
    { numRuns: 10 },
  )('equal single steps bit for bit: losses, parameters, optimizer state, buffers, noise stream, checkpoints', async (p) => {
    const art = tinyGan(p.dim, p.latent, p.hidden, p.norm);
    const data = dataOf(12, p.dim, p.seed);
    const opts = { rounds: p.rounds, batch: p.batch, k: p.k, seed: p.seed + 1, checkpointEvery: p.every };
    const single = await runOf(art, data, p.seed, opts);
    const fused = await runOf(art, data, p.seed, { ...opts, fuse: p.fuse });
    expect(fused).toEqual(single);
  });

  test('a divergence inside a fused call names the round and term single rounds name, and leaves the same state', async () => {
    const art = tinyGan(4, 2, 4, false);
    const data = dataOf(40, 4, 5);
    const opts = { rounds: 8, batch: 3, k: 2, seed: 6 };
    // A NaN in a row first drawn in round 4 (the loop draws k × batch rows per round from its seeded stream).
    const rng = Rng.seeded(opts.seed);
    const drawn = Array.from({ length: 4 }, () => Array.from({ length: opts.k * opts.batch }, () => Math.min(data.n - 1, Math.floor(rng.uniform() * data.n))));
    const row = drawn[3].find((j) => !drawn.slice(0, 3).flat().includes(j))!;
    data.images[row * data.dim] = NaN;
    const single = await runOf(art, data, 7, opts);
    expect(single.error).toMatch(/^training diverged at step 4: discriminator\.\w+ = NaN$/);
    expect(await runOf(art, data, 7, { ...opts, fuse: 8 })).toEqual(single);
  });

  test.prop([fc.record({ norm: fc.boolean(), fuse: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 0, max: 1000 }) })], { numRuns: 4 })(
    'onnxruntime\'s memory patterns and thread spinning (bench levers for the DCGAN) change no bit',
    async (p) => {
      const art = tinyGan(5, 2, 4, p.norm);
      const data = dataOf(12, 5, p.seed);
      const opts = { rounds: 5, batch: 3, k: 1, seed: p.seed + 1, fuse: p.fuse };
      const plain = await runOf(art, data, p.seed, opts);
      expect(await runOf(art, data, p.seed, opts, nodeEngine({ threads: 1, memPattern: false, spin: false }))).toEqual(plain);
    },
  );

  test('the fused graph passes onnx.checker (full_check)', () => {
    const art = tinyGan(4, 2, 3, true);
    expect(Object.keys(art.files)).toContain('rounds.onnx');
    const missing = checkerUnavailable();
    if (missing) {
      if (process.env.CI) throw new Error(missing);
      console.warn(`skipping the onnx checker: ${missing}`);
      return;
    }
    expect(checkModels({ 'rounds.onnx': art.files['rounds.onnx'] })).toBeNull();
  });
});
