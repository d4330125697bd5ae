// One Hourglass measurement, run in its own process so its peak RSS is its own.
// Usage: tsx bench/hourglass.ts MODEL BATCH STEPS REPS THREADS FUSE → one JSON line.
// FUSE = 1 times single train steps; FUSE = S > 1 the fused graph, S steps per call (STEPS/S calls).
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { Rng } from '../runtime/random';
import { Trainer } from '../runtime/trainer';
import { BENCH_MODELS } from './models';

const [model, batchS, stepsS, repsS, threadsS, fuseS = '1'] = process.argv.slice(2);
const [batch, steps, reps, threads, fuse] = [batchS, stepsS, repsS, threadsS, fuseS].map(Number);
const c = compileModel(BENCH_MODELS[model].def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const trainer = await Trainer.create(c.right, { seed: 0, threads });
const slots = Math.max(8, fuse);
const data = new Float32Array(slots * batch * 784);
const rng = Rng.seeded(0);
for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
const batchAt = (i: number) => data.subarray((i % slots) * batch * 784, ((i % slots) + 1) * batch * 784);

// `steps` optimizer steps, either one call each or `fuse` per call of the fused graph.
const run = async (n: number) => {
  if (fuse === 1) for (let i = 0; i < n; i++) await trainer.step(batchAt(i), batch);
  else for (let i = 0; i < n; i += fuse) await trainer.stepMany(data.subarray(0, fuse * batch * 784), batch, fuse);
};
const calls = fuse === 1 ? steps : Math.max(1, Math.round(steps / fuse));
const measured = calls * fuse;
await run(Math.max(20, fuse * 2));
const rates: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  await run(measured);
  rates.push(measured / ((performance.now() - t0) / 1000));
}
const flops = c.right.matmuls.reduce((s, dims) => s + 2 * dims.reduce<number>((p, d) => p * (d === 'B' ? batch : d), 1), 0);
console.log(JSON.stringify({ steps_per_s: rates, max_rss_kb: process.resourceUsage().maxRSS, flops_per_step: flops }));
