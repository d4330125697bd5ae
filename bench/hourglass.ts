// One Hourglass measurement, run in its own process so its peak RSS is its own.
// Usage: tsx bench/hourglass.ts MODEL BATCH STEPS REPS THREADS  → one JSON line.
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { Rng } from '../runtime/random';
import { Trainer } from '../runtime/trainer';
import { BENCH_MODELS } from './models';

const [model, batchS, stepsS, repsS, threadsS] = process.argv.slice(2);
const [batch, steps, reps, threads] = [batchS, stepsS, repsS, threadsS].map(Number);
const c = compileModel(BENCH_MODELS[model].def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const trainer = await Trainer.create(c.right, { seed: 0, threads });
const data = new Float32Array(8 * batch * 784);
const rng = Rng.seeded(0);
for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
const batchAt = (i: number) => data.subarray((i % 8) * batch * 784, ((i % 8) + 1) * batch * 784);

for (let i = 0; i < 20; i++) await trainer.step(batchAt(i), batch);
const rates: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await trainer.step(batchAt(i), batch);
  rates.push(steps / ((performance.now() - t0) / 1000));
}
const flops = c.right.matmuls.reduce((s, dims) => s + 2 * dims.reduce<number>((p, d) => p * (d === 'B' ? batch : d), 1), 0);
console.log(JSON.stringify({ steps_per_s: rates, max_rss_kb: process.resourceUsage().maxRSS, flops_per_step: flops }));
