// Hourglass on the CUDA provider, for scripts/gpu-check.sh: steps/s of the VAE at each batch,
// single steps and fused chunks of S steps (parameters and optimizer state stay on the device
// for the S steps of a chunk), median over repetitions after a warm-up.
// Usage: HOURGLASS_BINDING=cuda tsx bench/gpu.ts [--batches 128,1024] [--fuse 1,16,64] [--steps 256] [--reps 5]
// → a JSON line after each measurement, the last one complete.
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { Rng } from '../runtime/core/random';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { BENCH_MODELS } from './models';

const arg = (name: string, dflt: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const batches = arg('--batches', '128,1024').split(',').map(Number);
const fuses = arg('--fuse', '1,16,64').split(',').map(Number);
const steps = Number(arg('--steps', '256'));
const reps = Number(arg('--reps', '5'));
const provider = arg('--provider', 'cuda') as 'cuda' | 'cpu';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const c = compileModel(BENCH_MODELS.vae.def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const results: { model: string; batch: number; fuse: number; steps_per_s: number; rates: number[] }[] = [];
for (const batch of batches) {
  const maxFuse = Math.max(...fuses);
  const data = new Float32Array(maxFuse * batch * 784);
  const rng = Rng.seeded(0);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() < 0.3 ? 1 : 0;
  for (const fuse of fuses) {
    const t = await openTrainer(c.right, { seed: 0, provider });
    const n = Math.max(fuse, Math.round(steps / fuse) * fuse);
    const run = async (k: number) => {
      if (fuse === 1) for (let i = 0; i < k; i++) await t.step(data.subarray(0, batch * 784), batch);
      else for (let i = 0; i < k; i += fuse) await t.stepMany(data.subarray(0, fuse * batch * 784), batch, fuse);
    };
    await run(Math.max(2 * fuse, 20));
    const rates: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await run(n);
      rates.push(n / ((performance.now() - t0) / 1000));
    }
    results.push({ model: 'vae', batch, fuse, steps_per_s: median(rates), rates });
    console.error(`hourglass ${provider} vae batch ${batch} fuse ${fuse}: ${median(rates).toFixed(0)} steps/s`);
    // Everything so far after each measurement: a run cut short by a time limit keeps what it has.
    console.log(JSON.stringify({ provider, results }));
  }
}
