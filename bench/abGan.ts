// The GAN rows of bench/ab.ts: single rounds (each step its own session.run) against fused rounds
// (compiler/onnx/rounds.ts: R rounds of k discriminator steps and one generator step per call),
// interleaved in one process so a shared machine slows them alike. Each variant trains its own
// trainer from the same seed over the same data; after the warm-up their parameters are compared
// byte for byte. Reports rounds/s (wall) and CPU ms per round, with median paired ratios to the
// first variant. Variants: `single`, `fused` (R = FUSE rounds per call; a suffix, as in `single2`,
// names a second copy, a measure of the noise); `+spin` keeps
// onnxruntime's spinning threads (default here: off, as on a loaded machine); `+nopattern` turns
// its memory patterns off.
import * as E from 'fp-ts/Either';
import { compileGan, type GanDef } from '../compiler/gan';
import { dense, flow, gan, leakyRelu, relu, tanh } from '../dsl';
import { trainGan } from '../runtime/apps/gan/loop';
import { openGanTrainer } from '../runtime/apps/gan/players';
import type { Dataset } from '../runtime/core/dataset';
import { Rng } from '../runtime/core/random';
import type { Trainer } from '../runtime/core/trainer';
import { nodeEngine } from '../runtime/host/session';
import { dcgan, digitsGan } from '../examples/gan';

/** A dense GAN on 28×28 digits (Goodfellow et al. 2014's MLP players, narrower). */
const denseGan = () =>
  gan({
    name: 'dense_gan',
    input: [784],
    latent: 64,
    generator: flow(dense(256), relu, dense(256), relu, dense(784), tanh),
    discriminator: flow(dense(256), leakyRelu(0.2), dense(256), leakyRelu(0.2), dense(1)),
  });

export const GAN_AB_MODELS: Readonly<Record<string, () => GanDef>> = {
  digits_dcgan: () => digitsGan().def,
  dcgan: () => dcgan().def,
  dense_gan: () => denseGan().def,
};

export const abGan = async (model: string, batch: number, fuse: number, rounds: number, reps: number, variants: readonly string[], k = Number(process.env.AB_GAN_K ?? 1)): Promise<void> => {
  const opt = { kind: 'adam' as const, lr: 2e-4, hyper: { beta1: 0.5 } };
  const c = compileGan(GAN_AB_MODELS[model](), { generator: opt, discriminator: opt });
  if (E.isLeft(c)) throw new Error(c.left.message);
  const dim = c.right.manifest.inputShape.reduce((a, b) => a * b, 1);
  const rng = Rng.seeded(0);
  const n = 512;
  const data: Dataset = { name: 'uniform', images: Float32Array.from({ length: n * dim }, () => rng.uniform()), n, shape: c.right.manifest.inputShape, dim };
  const threads = Number(process.env.AB_THREADS ?? 2);
  const runs: { name: string; trainer: Trainer; fuse: number; done: number; rates: number[]; cpu: number[] }[] = [];
  for (const name of variants) {
    const parts = name.split('+');
    const trainer = await openGanTrainer(nodeEngine({ threads, spin: parts.includes('spin'), ...(parts.includes('nopattern') ? { memPattern: false } : {}) }), c.right, 0);
    runs.push({ name, trainer, fuse: parts.some((x) => x.startsWith('fused')) ? fuse : 1, done: 0, rates: [], cpu: [] });
  }
  // Every variant continues its own run (resumeFrom), so each measures the same rounds of training.
  const go = async (v: (typeof runs)[number], count: number) => {
    await trainGan(v.trainer, data, { rounds: v.done + count, batch, k, seed: 1, fuse: v.fuse, resumeFrom: v.done ? { round: v.done, dataState: dataStates.get(v)! } : undefined, onCheckpoint: (p) => void dataStates.set(v, p.dataState) });
    v.done += count;
  };
  const dataStates = new Map<(typeof runs)[number], readonly number[]>();
  for (const v of runs) await go(v, Math.max(2, fuse));
  const first = runs[0].trainer.snapshot();
  for (const v of runs.slice(1)) {
    const snap = v.trainer.snapshot();
    const same = Object.keys(first).every((key) => Buffer.from(first[key].buffer).equals(Buffer.from(snap[key].buffer)));
    console.log(`${v.name}: parameters after the warm-up ${same ? `bit-identical to ${runs[0].name}` : `differ from ${runs[0].name}`}`);
  }
  for (let r = 0; r < reps; r++)
    for (const v of runs) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await go(v, rounds);
      const c1 = process.cpuUsage(c0);
      v.rates.push(rounds / ((performance.now() - t0) / 1000));
      v.cpu.push((c1.user + c1.system) / 1000 / rounds);
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const v of runs)
    console.log(
      `${model} b${batch} k${k} R${fuse} ${v.name.padEnd(12)} ${median(v.rates).toFixed(2)} rounds/s  ratio ${median(v.rates.map((x, i) => x / runs[0].rates[i])).toFixed(3)}; CPU ${median(v.cpu).toFixed(2)} ms/round, ratio ${median(v.cpu.map((x, i) => runs[0].cpu[i] / x)).toFixed(3)}`,
    );
};
