// Where a train step's time goes: onnxruntime's own profiler (per-node kernel times) over
// `steps` single steps or fused calls, summed by op type and by node (bench/profileSummary.ts). Usage:
// tsx bench/profile.ts MODEL BATCH [FUSE=1] [STEPS=50] [THREADS=2]   (MODEL: a dense or a conv bench model)
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { compileModel } from '../compiler/compile';
import { initialValues } from '../runtime/core/init';
import { Rng } from '../runtime/core/random';
import { BENCH_MODELS } from './models';
import { CONV_BENCH_MODELS } from './convModels';
import { aePartOf, printProfile, summariseProfile, takeProfile } from './profileSummary';

const [model = 'vae', batchS = '128', fuseS = '1', stepsS = '50', threadsS = '2'] = process.argv.slice(2);
const [batch, fuse, steps, threads] = [batchS, fuseS, stepsS, threadsS].map(Number);
const c = compileModel((BENCH_MODELS[model] ?? CONV_BENCH_MODELS[model]).def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const m = c.right.manifest;
const bytes = fuse === 1 ? c.right.files[m.artifacts.train_step.file] : c.right.files[m.multiStep.file];
const s = await ort.InferenceSession.create(bytes, {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  enableProfiling: true,
  // Spinning off: on a shared machine spinning threads measure each other, not the kernels.
  extra: { session: { 'intra_op.allow_spinning': '0' } },
  profileFilePrefix: `/tmp/hourglass-profile-${process.pid}`,
});
const rng = Rng.seeded(0);
const feeds: Record<string, ort.Tensor> = {};
for (const p of [...m.params, ...m.optimizer.state]) feeds[p.name] = new ort.Tensor('float32', initialValues(p.init, p.shape, 'f32', rng) as Float32Array, [...p.shape]);
feeds[m.optimizer.lrInput] = new ort.Tensor('float32', Float32Array.of(1e-3), []);
const lead = fuse === 1 ? [] : [fuse];
const dim = m.inputShape.reduce((a, b) => a * b, 1);
const x = new Float32Array(fuse * batch * dim).map(() => rng.uniform());
const stackedX = fuse === 1 ? 'x' : m.multiStep.stacked.find((st) => st.input === 'x')!.name;
feeds[stackedX] = new ort.Tensor('float32', x, [...lead, batch, ...m.inputShape]);
for (const nz of m.noise) {
  const name = fuse === 1 ? `noise.${nz.name}` : m.multiStep.stacked.find((st) => st.input === `noise.${nz.name}`)!.name;
  const n = fuse * batch * nz.shape.reduce((a, b) => a * b, 1);
  feeds[name] = new ort.Tensor('float32', new Float32Array(n).map(() => rng.normal()), [...lead, batch, ...nz.shape]);
}
let wall = 0;
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  const out = await s.run(feeds);
  wall += performance.now() - t0;
  for (const cr of m.carry) feeds[cr.input] = out[cr.output] as ort.Tensor;
}
s.endProfiling();
await s.release();
const summary = summariseProfile(takeProfile('/tmp', `hourglass-profile-${process.pid}`), aePartOf);
console.log(`${model} batch ${batch}, ${fuse} step(s) per call, ${steps} calls: JS wall ${(wall / steps / fuse).toFixed(3)} ms/step`);
printProfile(summary, steps * fuse, 'step');
