// The DCGAN row of `npm run bench` (Hourglass side), in its own process so its peak RSS is its
// own: rounds of one discriminator step and one generator step (examples/gan.ts's dcgan: 64×64×1,
// 32 maps at 32×32, 100 latents; Adam lr 2e-4, β1 0.5 for both players, as Radford et al.).
// Usage: tsx bench/ganHourglass.ts BATCH ROUNDS REPS THREADS → one JSON line (steps_per_s = rounds/s).
import * as E from 'fp-ts/Either';
import { compileGan } from '../compiler/gan';
import { Rng } from '../runtime/core/random';
import { openGanTrainer } from '../runtime/apps/gan/players';
import { nodeEngine } from '../runtime/host/session';
import { dcgan } from '../examples/gan';

const [batchS, roundsS, repsS, threadsS] = process.argv.slice(2);
const [batch, rounds, reps, threads] = [batchS, roundsS, repsS, threadsS].map(Number);
const opt = { kind: 'adam' as const, lr: 2e-4, hyper: { beta1: 0.5 } };
const c = compileGan(dcgan().def, { generator: opt, discriminator: opt });
if (E.isLeft(c)) throw new Error(c.left.message);
const dim = 64 * 64;
const rng = Rng.seeded(0);
const data = Float32Array.from({ length: 8 * batch * dim }, () => rng.uniform());
const t = await openGanTrainer(nodeEngine({ threads }), c.right, 0);
const run = async (n: number) => {
  for (let i = 0; i < n; i++) {
    await t.stepOf('discriminator', batch, data.subarray((i % 8) * batch * dim, ((i % 8) + 1) * batch * dim));
    await t.stepOf('generator', batch);
  }
};
await run(3);
const rss = process.resourceUsage().maxRSS;
const rates: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  await run(rounds);
  rates.push(rounds / ((performance.now() - t0) / 1000));
}
console.log(JSON.stringify({ steps_per_s: rates, max_rss_kb: rss }));
