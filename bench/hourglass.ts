// One Hourglass measurement, run in its own process so its peak RSS is its own.
// Usage: tsx bench/hourglass.ts MODEL BATCH STEPS REPS THREADS FUSE[,FUSE...] → one JSON line.
// FUSE = 1 times single train steps; FUSE = S > 1 the fused graph, S steps per call; a suffix
// `:nospin` turns onnxruntime's thread spinning off for that mode. With several
// FUSE values the modes are measured interleaved (each repetition times every mode in turn, on
// its own trainer), so a machine shared with other work slows them alike and their ratio holds.
// steps_per_s and max_rss_kb are the first mode's: its trainer is built and warmed up first, so
// the peak RSS read then is its own; `modes` has every mode's rates and `ratios` each
// repetition's rate of every mode over the first one's.
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { Rng } from '../runtime/core/random';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { BENCH_MODELS } from './models';
import { CONV_BENCH_MODELS } from './convModels';

const [model, batchS, stepsS, repsS, threadsS, fuseS = '1'] = process.argv.slice(2);
const [batch, steps, reps, threads] = [batchS, stepsS, repsS, threadsS].map(Number);
const modeSpecs = fuseS.split(',').map((m) => ({ fuse: Number(m.split(':')[0]), spin: m.endsWith(':nospin') ? false : undefined }));
const fuses = modeSpecs.map((m) => m.fuse);
// A dense bench model (784 inputs) or a conv one (its own input size).
const def = BENCH_MODELS[model]?.def ?? CONV_BENCH_MODELS[model]?.def;
if (!def) throw new Error(`unknown bench model ${model}`);
const dim = CONV_BENCH_MODELS[model]?.dim ?? 784;
const c = compileModel(def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const slots = Math.max(8, ...fuses);
const data = new Float32Array(slots * batch * dim);
const rng = Rng.seeded(0);
for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
const batchAt = (i: number) => data.subarray((i % slots) * batch * dim, ((i % slots) + 1) * batch * dim);

// `n` optimizer steps, either one call each or `fuse` per call of the fused graph.
const runner = (trainer: Trainer, fuse: number) => async (n: number) => {
  if (fuse === 1) for (let i = 0; i < n; i++) await trainer.step(batchAt(i), batch);
  else for (let i = 0; i < n; i += fuse) await trainer.stepMany(data.subarray(0, fuse * batch * dim), batch, fuse);
};
const modes: { fuse: number; run: (n: number) => Promise<void>; measured: number; rates: number[] }[] = [];
let firstRss = 0;
for (const { fuse, spin } of modeSpecs) {
  const run = runner(await openTrainer(c.right, { seed: 0, threads, spin }), fuse);
  await run(Math.max(20, fuse * 2));
  if (modes.length === 0) firstRss = process.resourceUsage().maxRSS;
  modes.push({ fuse, run, measured: fuse === 1 ? steps : Math.max(1, Math.round(steps / fuse)) * fuse, rates: [] });
}
for (let r = 0; r < reps; r++)
  for (const m of modes) {
    const t0 = performance.now();
    await m.run(m.measured);
    m.rates.push(m.measured / ((performance.now() - t0) / 1000));
  }
const flops = c.right.matmuls.reduce((s, dims) => s + 2 * dims.reduce<number>((p, d) => p * (d === 'B' ? batch : d), 1), 0);
console.log(
  JSON.stringify({
    steps_per_s: modes[0].rates,
    max_rss_kb: firstRss,
    flops_per_step: flops,
    modes: modes.map((m) => ({ fuse: m.fuse, steps_per_s: m.rates })),
    ratios: modes.map((m) => m.rates.map((v, r) => v / modes[0].rates[r])),
  }),
);
