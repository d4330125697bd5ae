// k-annealing (Makhzani & Frey 2013): k falls linearly from `from` to k over the first part of
// training. The compiler builds each epoch's training graph with that epoch's k; forward graphs
// never change; a run that crashes mid-schedule resumes to bit-identical weights.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect } from 'vitest';
import { compileModel } from '../compiler/compile';
import { autoencoder, dense, flow, input, mse, sparsifyK, tied } from '../dsl';
import { readCheckpoint } from '../runtime/host/checkpoint';
import type { Dataset } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { trainRun, type RunRequest } from '../runtime/run/trainRun';

const model = (width: number, k: number, from: number, fraction?: number) => {
  const code = dense(width);
  return autoencoder({ name: 'ks', input: input([12]), encoder: flow(code, sparsifyK(k, { alpha: 2, anneal: { from, fraction } })), decoder: tied(code, 12), likelihood: mse })
    .objective(({ x, code: h, decoder }) => ({ reconstruction: mse(decoder(h), x) })).def;
};
const opt = { kind: 'adam', lr: 1e-3, hyper: {} } as const;

describe('k-annealing at compile time', () => {
  const arb = fc
    .record({ width: fc.integer({ min: 2, max: 40 }), epochs: fc.integer({ min: 1, max: 12 }), fraction: fc.double({ min: 0.05, max: 1, noNaN: true }) })
    .chain((r) => fc.record({ k: fc.integer({ min: 1, max: r.width }), r: fc.constant(r) }))
    .chain(({ k, r }) => fc.record({ from: fc.integer({ min: k, max: r.width }), k: fc.constant(k), r: fc.constant(r) }));

  test.prop([arb], { numRuns: 40 })('each epoch builds the textbook k; forward graphs stay byte-identical', ({ from, k, r }) => {
    const annealEpochs = Math.max(1, Math.ceil(r.fraction * r.epochs));
    let encode: Uint8Array | undefined;
    for (let e = 1; e <= r.epochs; e++) {
      const c = compileModel(model(r.width, k, from, r.fraction), { optimizer: opt, progress: { epoch: e, epochs: r.epochs } });
      if (E.isLeft(c)) throw new Error(c.left.message);
      const expected = annealEpochs <= 1 || e >= annealEpochs ? k : Math.round(from + ((k - from) * (e - 1)) / (annealEpochs - 1));
      expect(c.right.manifest.scheduled).toEqual(from === k ? {} : { 'ks.encoder.sparsifyK.k': expected });
      encode ??= c.right.files['encode.onnx'];
      expect(Buffer.from(c.right.files['encode.onnx']).equals(Buffer.from(encode))).toBe(true);
    }
  });

  test('a bad schedule is a Left naming the combinator', () => {
    const bad = compileModel(model(10, 4, 2), { optimizer: opt });
    expect(E.isLeft(bad) && bad.left.message).toMatch(/anneal\.from = 2 must be an integer in \[k = 4, 10\]/);
    const frac = compileModel(model(10, 4, 8, 1.5), { optimizer: opt });
    expect(E.isLeft(frac) && frac.left.message).toMatch(/anneal\.fraction must be in \(0, 1\], got 1\.5/);
  });
});

describe('k-annealing in a training run', () => {
  const root = mkdtempSync(join(tmpdir(), 'hourglass-anneal-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const all = loadMnistDigits();
  // 12 pixels of the middle row of 400 digits: small enough for a two-second run.
  const images = new Float32Array(400 * 12);
  for (let i = 0; i < 400; i++) images.set(all.images.subarray(i * 25 * 784 + 14 * 28 + 8, i * 25 * 784 + 14 * 28 + 20), i * 12);
  const data: Dataset = { name: 'row', images, n: 400, shape: [12], dim: 12 };
  const request = (dir: string, log: string[], extra: Partial<RunRequest> = {}): RunRequest => ({
    model: model(24, 3, 15),
    specPath: 'ks.ts',
    dir,
    data,
    log: (l) => log.push(l),
    settings: { epochs: 6, batch: 20, lr: 1e-2, seed: 2, optimizer: 'adam', provider: 'cpu', dtype: 'f32', data: 'row', checkpointEvery: 5, threads: 1 },
    ...extra,
  });

  test('k follows the schedule per epoch, and a crash mid-schedule resumes to identical weights', async () => {
    const log: string[] = [];
    const straight = await trainRun(request(join(root, 'straight'), log));
    if (E.isLeft(straight)) throw new Error(straight.left.message);
    // 6 epochs, annealing over the first 3: k = 15, 9, 3, then 3.
    expect(log.filter((l) => l.includes('sparsifyK.k'))).toEqual(['epoch 1: ks.encoder.sparsifyK.k = 15', 'epoch 2: ks.encoder.sparsifyK.k = 9', 'epoch 3: ks.encoder.sparsifyK.k = 3']);
    expect(readFileSync(join(root, 'straight', 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(6);

    const dir = join(root, 'crashed');
    const perEpoch = Math.floor(320 / 20);
    await expect(trainRun(request(dir, [], { onStep: (step) => { if (step === perEpoch + 7) throw new Error('simulated crash'); } }))).rejects.toThrow('simulated crash');
    const resumedLog: string[] = [];
    const resumed = await trainRun(request(dir, resumedLog, { resume: true }));
    if (E.isLeft(resumed)) throw new Error(resumed.left.message);
    expect(resumedLog.some((l) => l === 'epoch 2: ks.encoder.sparsifyK.k = 9')).toBe(true);
    const a = readCheckpoint(join(root, 'straight', 'checkpoint.hgck'));
    const b = readCheckpoint(join(dir, 'checkpoint.hgck'));
    if (E.isLeft(a) || E.isLeft(b)) throw new Error('unreadable checkpoint');
    for (const [name, t] of Object.entries(a.right.tensors)) expect(Buffer.from(b.right.tensors[name].buffer).equals(Buffer.from(t.buffer)), name).toBe(true);
  });
});
