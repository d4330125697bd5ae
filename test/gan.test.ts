// GAN training: two players with separate parameters and optimizers, one step graph each. Each
// step moves only its own player; each player's loss falls when it trains against a fixed
// opponent; rounds resume bit for bit from a snapshot; the artifacts pass the onnx checker.
import * as E from 'fp-ts/Either';
import { describe, expect, test } from 'vitest';
import { compileGan, type GanArtifacts } from '../compiler/gan';
import { showError } from '../compiler/ir/types';
import { dense, flow, gan, input, relu, tanh } from '../dsl';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { generateShapes } from '../runtime/host/data/shapes';
import { trainGan, type GanPosition } from '../runtime/apps/gan/loop';
import { generate, openGanTrainer } from '../runtime/apps/gan/players';
import { nodeEngine } from '../runtime/host/session';
import { dcgan, digitsGan, RADFORD_INIT } from '../examples/gan';
import { checkerUnavailable, checkModels } from './support/onnxChecker';

const adam = { kind: 'adam' as const, lr: 2e-4, hyper: { beta1: 0.5 } };
const compiled = (def: Parameters<typeof compileGan>[0], lr = 2e-4): GanArtifacts => {
  const opt = { ...adam, lr };
  const c = compileGan(def, { generator: opt, discriminator: opt });
  if (E.isLeft(c)) throw new Error(showError(c.left));
  return c.right;
};

const digits = loadMnistDigits();
const checkerMissing = checkerUnavailable();

describe.each([
  ['digits GAN', () => digitsGan(16, 8).def],
  ['DCGAN on shapes (base 8)', () => dcgan(16, 8).def],
])('%s', (_, def) => {
  test('compiles to two step graphs, their fused rounds and a generator; all pass onnx.checker (full_check)', () => {
    const a = compiled(def());
    expect(Object.keys(a.files).sort()).toEqual(['discriminator_step.onnx', 'generate.onnx', 'generator_step.onnx', 'rounds.onnx']);
    const players = new Set(a.manifest.params.map((p) => p.player));
    expect([...players].sort()).toEqual(['discriminator', 'generator']);
    if (checkerMissing) {
      if (process.env.CI) throw new Error(checkerMissing);
      console.warn(`skipping the onnx checker: ${checkerMissing}`);
      return;
    }
    expect(checkModels(a.files)).toBeNull();
  });
});

describe('the digits GAN', () => {
  const art = compiled(digitsGan(16, 8).def, 1e-3);
  const ofPlayer = (snap: Record<string, ArrayLike<number>>, player: string) =>
    art.manifest.params.filter((p) => p.player === player && !p.buffer).map((p) => Array.from(snap[p.name]));

  test('a discriminator step moves only the discriminator; a generator step only the generator', async () => {
    const tr = await openGanTrainer(nodeEngine({ threads: 1 }), art, 1);
    const x = digits.images.subarray(0, 16 * 784);
    const s0 = tr.snapshot();
    await tr.stepOf('discriminator', 16, x);
    const s1 = tr.snapshot();
    expect(ofPlayer(s1, 'generator')).toEqual(ofPlayer(s0, 'generator'));
    expect(ofPlayer(s1, 'discriminator')).not.toEqual(ofPlayer(s0, 'discriminator'));
    await tr.stepOf('generator', 16);
    const s2 = tr.snapshot();
    expect(ofPlayer(s2, 'discriminator')).toEqual(ofPlayer(s1, 'discriminator'));
    expect(ofPlayer(s2, 'generator')).not.toEqual(ofPlayer(s1, 'generator'));
    expect(s2['opt.generator.t'][0]).toBe(1);
    expect(s2['opt.discriminator.t'][0]).toBe(1);
  });

  test('each player’s loss falls against a fixed opponent', async () => {
    const tr = await openGanTrainer(nodeEngine({ threads: 1 }), art, 2);
    const x = digits.images.subarray(0, 32 * 784);
    const d: number[] = [];
    for (let i = 0; i < 8; i++) d.push((await tr.stepOf('discriminator', 32, x)).loss);
    expect(d[d.length - 1]).toBeLessThan(d[0]);
    const g: number[] = [];
    for (let i = 0; i < 8; i++) g.push((await tr.stepOf('generator', 32)).loss);
    expect(g[g.length - 1]).toBeLessThan(g[0]);
  });

  test('rounds resume bit for bit from a snapshot and a position (k = 2)', async () => {
    const opts = { rounds: 4, batch: 8, k: 2, seed: 9 };
    const straight = await openGanTrainer(nodeEngine({ threads: 1 }), art, 3);
    await trainGan(straight, digits, opts);

    const first = await openGanTrainer(nodeEngine({ threads: 1 }), art, 3);
    let saved: { pos: GanPosition; tensors: Record<string, Float32Array | Float64Array>; noise: number[] } | undefined;
    await trainGan(first, digits, {
      ...opts,
      rounds: 2,
      checkpointEvery: 2,
      onCheckpoint: (pos) => {
        saved = { pos, tensors: Object.fromEntries(Object.entries(first.snapshot()).map(([k, v]) => [k, v.slice()])), noise: first.noiseState() };
      },
    });
    const resumed = await openGanTrainer(nodeEngine({ threads: 1 }), art, 77);
    resumed.restore(saved!.tensors, saved!.noise);
    await trainGan(resumed, digits, { ...opts, resumeFrom: saved!.pos });
    const a = straight.snapshot();
    const b = resumed.snapshot();
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(Buffer.from(b[k].buffer).equals(Buffer.from(a[k].buffer)), k).toBe(true);
  });

  // Losses of GanTrainer (apps/gan/trainer.ts, deleted when the players moved onto the core
  // Trainer) for this seed, computed on main at dbb9c91: the same seed still trains the same way.
  // On that machine they agree to the last bit; the tolerance leaves room for another CPU's kernels.
  test('a fixed seed gives the losses the old GanTrainer gave', async () => {
    const before = [
      [1.6291203498840332, 1.1649750471115112, 0.6179071664810181],
      [1.5486453771591187, 1.393871545791626, 0.9267781376838684],
      [0.6791796684265137, 0.6880792379379272, 1.0873464345932007],
    ];
    const tr = await openGanTrainer(nodeEngine({ threads: 1 }), art, 3);
    const after: number[][] = [];
    await trainGan(tr, digits, { rounds: 3, batch: 8, k: 2, seed: 9, onRound: (_, r) => after.push([...r.discriminator.map((d) => d.loss), r.generator.loss]) });
    expect(after.length).toBe(3);
    after.flat().forEach((v, i) => expect(Math.abs(v - before.flat()[i]) / before.flat()[i], `loss ${i}`).toBeLessThan(1e-5));
  });

  test('generate gives images in [0, 1] of the data shape', async () => {
    const tr = await openGanTrainer(nodeEngine({ threads: 1 }), art, 4);
    const imgs = await generate(tr, art.manifest, new Float32Array(3 * 16).fill(0.5), 3);
    expect(imgs.length).toBe(3 * 784);
    expect(Array.from(imgs).every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});

test('a DCGAN round on shapes trains with finite losses', async () => {
  const tr = await openGanTrainer(nodeEngine({ threads: 1 }), compiled(dcgan(16, 8).def), 5);
  const h = await trainGan(tr, generateShapes(64, 1), { rounds: 2, batch: 8, k: 1, seed: 1 });
  expect(h.every((r) => Number.isFinite(r.discriminator.loss) && Number.isFinite(r.generator.loss))).toBe(true);
});

describe("the digits GAN with Radford et al.'s initialisation", () => {
  test('every dense and convolution weight starts from N(0, 0.02); biases 0, batch-norm scales 1', async () => {
    const art = compiled(digitsGan(16, 8, 'digits_gan', RADFORD_INIT).def);
    const weights = art.manifest.params.filter((p) => !p.buffer && /\.W$/.test(p.name));
    expect(weights.length).toBe(6); // 2 dense + 2 transposed convolutions + 2 convolutions
    for (const p of weights) expect(p.init).toEqual({ kind: 'normal', std: 0.02 });
    const snap = (await openGanTrainer(nodeEngine({ threads: 1 }), art, 5)).snapshot();
    for (const p of weights) {
      const w = Array.from(snap[p.name]);
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
      // n ≥ 128 draws: the sample sd is within 25% of 0.02 and the mean within 4 standard errors.
      expect(w.length).toBeGreaterThanOrEqual(128);
      expect(Math.abs(sd / 0.02 - 1)).toBeLessThan(0.25);
      expect(Math.abs(mean)).toBeLessThan((4 * 0.02) / Math.sqrt(w.length));
    }
    for (const p of art.manifest.params.filter((q) => !q.buffer && /\.b$/.test(q.name))) expect(Array.from(snap[p.name]).every((v) => v === 0)).toBe(true);
    for (const p of art.manifest.params.filter((q) => !q.buffer && /gamma$/.test(q.name))) expect(Array.from(snap[p.name]).every((v) => v === 1)).toBe(true);
  });
});

describe('GAN build errors', () => {
  const mlpGan = (out: number) =>
    gan({
      name: 'bad_gan',
      input: input([4]),
      latent: 2,
      generator: flow(dense(8), relu, dense(4), tanh),
      discriminator: dense(out) as never,
    });

  test('the discriminator must give one logit', () => {
    const c = compileGan(mlpGan(3).def, { generator: adam, discriminator: adam });
    expect(E.isLeft(c) && showError(c.left)).toBe('bad_gan.discriminator: must give one logit per example [1], got [3]');
  });

  test('each player has its own validated optimizer', () => {
    const c = compileGan(mlpGan(1).def, { generator: adam, discriminator: { kind: 'adam', lr: -1, hyper: {} } });
    expect(E.isLeft(c) && showError(c.left)).toBe('bad_gan.discriminator.optimizer: learning rate must be a positive number, got -1');
  });
});
