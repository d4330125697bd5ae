// Where a GAN round's time goes: onnxruntime's profiler on the graphs `hourglass gan` runs, driven
// by the real trainer (runtime/apps/gan), either single rounds (the discriminator's step and the
// generator's, each its own call) or fused rounds (rounds.onnx, FUSE rounds per call). Each
// session's first call (allocation, pre-packing) is not counted. Usage:
// tsx bench/profileGan.ts [MODEL=dcgan] [BATCH=64] [FUSE=16] [ROUNDS=33] [THREADS=2] [SPIN=0|1|default]
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { compileGan } from '../compiler/gan';
import { trainGan } from '../runtime/apps/gan/loop';
import { openGanTrainer } from '../runtime/apps/gan/players';
import type { Dataset } from '../runtime/core/dataset';
import type { Engine } from '../runtime/core/engine';
import { Rng } from '../runtime/core/random';
import { GAN_AB_MODELS } from './abGan';
import { addProfiles, ganPartOf, printProfile, summariseProfile, takeProfile, type ProfileSummary } from './profileSummary';

const [model = 'dcgan', batchS = '64', fuseS = '16', roundsS = '33', threadsS = '2', spin = '0'] = process.argv.slice(2);
const [batch, fuse, rounds, threads] = [batchS, fuseS, roundsS, threadsS].map(Number);

const opt = { kind: 'adam' as const, lr: 2e-4, hyper: { beta1: 0.5 } };
const c = compileGan(GAN_AB_MODELS[model](), { generator: opt, discriminator: opt });
if (E.isLeft(c)) throw new Error(c.left.message);
const fileOf = (bytes: Uint8Array) => Object.keys(c.right.files).find((f) => c.right.files[f] === bytes) ?? '?';
const opened: { file: string; prefix: string; session: ort.InferenceSession }[] = [];
const engine: Engine = {
  Tensor: ort.Tensor,
  open: async (bytes) => {
    const prefix = `hourglass-profile-${process.pid}-${opened.length}`;
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      enableProfiling: true,
      profileFilePrefix: `/tmp/${prefix}`,
      ...(spin === 'default' ? {} : { extra: { session: { 'intra_op.allow_spinning': spin } } }),
    });
    opened.push({ file: fileOf(bytes), prefix, session });
    return { session, provider: 'cpu' };
  },
};

const dim = c.right.manifest.inputShape.reduce((a, b) => a * b, 1);
const rng = Rng.seeded(0);
const n = 8 * batch;
const data: Dataset = { name: 'uniform', images: Float32Array.from({ length: n * dim }, () => rng.uniform()), n, shape: c.right.manifest.inputShape, dim };
const trainer = await openGanTrainer(engine, c.right, 0);
const t0 = performance.now();
await trainGan(trainer, data, { rounds, batch, k: 1, seed: 1, fuse });
const wall = performance.now() - t0;

const summaries: Record<string, ProfileSummary> = {};
for (const o of opened) {
  o.session.endProfiling();
  await o.session.release();
  summaries[o.file] = summariseProfile(takeProfile('/tmp', o.prefix), ganPartOf, 1);
}
const counted = (s: ProfileSummary) => s.calls * (fuse > 1 && s === summaries['rounds.onnx'] ? fuse : 1);
console.log(`${model} batch ${batch}, ${rounds} rounds, fuse ${fuse}, ${threads} thread(s), spinning ${spin}: ${((rounds * 1000) / wall).toFixed(2)} rounds/s (profiled, first calls included)`);
for (const [file, s] of Object.entries(summaries).filter(([, s]) => s.calls > 0)) {
  console.log(`${file}, per ${file === 'rounds.onnx' ? 'round' : 'step'}:`);
  printProfile(s, counted(s), file === 'rounds.onnx' ? 'round' : 'step');
}
const d = summaries['discriminator_step.onnx'];
const g = summaries['generator_step.onnx'];
if (d?.calls && g?.calls && d.calls === g.calls) {
  console.log('single round (discriminator step + generator step):');
  printProfile(addProfiles({ D: d, G: g }), d.calls, 'round');
}
