// The DCGAN row of `npm run bench` (Hourglass side), in its own process so its peak RSS is its
// own: rounds of one discriminator step and one generator step (examples/gan.ts's dcgan: 64×64×1,
// 32 maps at 32×32, 100 latents; Adam lr 2e-4, β1 0.5 for both players, as Radford et al.), as
// single steps and as fused rounds (R per call, the `hourglass gan` default), paired repetitions of
// ROUNDS rounded up to whole calls; the peak RSS is the fused trainer's.
// Usage: tsx bench/ganHourglass.ts BATCH ROUNDS REPS THREADS [R] → one JSON line
// (steps_per_s = fused rounds/s, single_steps_per_s = single rounds/s, nospin_steps_per_s = fused
// rounds/s with thread spinning off).
import { trainGan } from '../runtime/apps/gan/loop';
import { openGanTrainer } from '../runtime/apps/gan/players';
import { DEFAULT_GAN_FUSE } from '../runtime/apps/gan/run';
import { nodeEngine } from '../runtime/host/session';
import { dcganBench } from './ganSetup';

const [batchS, roundsS, repsS, threadsS, fuseS] = process.argv.slice(2);
const [batch, rounds, reps, threads] = [batchS, roundsS, repsS, threadsS].map(Number);
const fuse = fuseS === undefined ? DEFAULT_GAN_FUSE : Number(fuseS);
const { art, data } = dcganBench(batch);
const variant = async (f: number, spin?: boolean) => {
  // As `hourglass gan` opens its sessions (runtime/apps/gan/run.ts: memory patterns off).
  const t = await openGanTrainer(nodeEngine({ threads, spin, memPattern: false }), art, 0);
  let done = 0;
  let dataState: readonly number[] = [];
  return async (count: number) => {
    await trainGan(t, data, { rounds: done + count, batch, k: 1, seed: 1, fuse: f, resumeFrom: done ? { round: done, dataState } : undefined, onCheckpoint: (p) => void (dataState = p.dataState) });
    done += count;
  };
};
// Whole calls of R rounds in every repetition (ROUNDS < R would measure shorter calls than the
// row names), and the warm-up one such call, so every call has the measured shape.
const perRep = Math.ceil(rounds / fuse) * fuse;
// The fused trainer opens and warms up first, and the peak RSS is read before the single one opens:
// with both trainers' sessions in the process, the peak was their sum (1,076 MB against 584 MB for
// the fused trainer alone and 683 MB for the single one, memory patterns on: docs/speed.md).
const fused = await variant(fuse);
await fused(fuse);
const rss = process.resourceUsage().maxRSS;
const single = await variant(1);
await single(3);
// Fused rounds with onnxruntime's thread spinning off (bench/abGan.ts measured 1.5× on a loaded machine).
const noSpin = await variant(fuse, false);
await noSpin(fuse);
const rates: number[] = [];
const singleRates: number[] = [];
const noSpinRates: number[] = [];
for (let r = 0; r < reps; r++)
  for (const [go, into] of [[single, singleRates], [fused, rates], [noSpin, noSpinRates]] as const) {
    const t0 = performance.now();
    await go(perRep);
    into.push(perRep / ((performance.now() - t0) / 1000));
  }
console.log(JSON.stringify({ steps_per_s: rates, single_steps_per_s: singleRates, nospin_steps_per_s: noSpinRates, fuse, max_rss_kb: rss }));
