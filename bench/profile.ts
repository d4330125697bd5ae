// Where a train step's time goes: onnxruntime's own profiler (per-node kernel times) over
// `steps` single steps or fused calls, summed by op type and by node. Usage:
// tsx bench/profile.ts MODEL BATCH [FUSE=1] [STEPS=50] [THREADS=2]   (MODEL: a dense or a conv bench model)
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { compileModel } from '../compiler/compile';
import { initialValues } from '../runtime/core/init';
import { Rng } from '../runtime/core/random';
import { BENCH_MODELS } from './models';
import { CONV_BENCH_MODELS } from './convModels';

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
const prefix = `hourglass-profile-${process.pid}_`;
const file = `/tmp/${readdirSync('/tmp').find((f) => f.startsWith(prefix))}`;
const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
rmSync(file);
const byOp: Record<string, number> = {};
const byNode: Record<string, number> = {};
// Matrix products; the optimizer's update (nodes the compiler names optimizer_* or next.*, the
// graph outputs it feeds); everything else (the loss, its gradient's elementwise side, copies).
const byPart: Record<string, number> = { matmul: 0, optimizer: 0, other: 0 };
const partOf = (node: string, op: string) =>
  /MatMul|Gemm/.test(op) ? 'matmul' : /^(step\/)?(optimizer_|next\.)/.test(node) ? 'optimizer' : 'other';
let runs = 0;
let kernels = 0;
for (const e of events) {
  if (e.cat === 'Session' && e.name === 'model_run') runs += e.dur;
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const op = e.args?.op_name ?? '?';
  byOp[op] = (byOp[op] ?? 0) + e.dur;
  byNode[e.name] = (byNode[e.name] ?? 0) + e.dur;
  if (op !== 'Loop') byPart[partOf(e.name, op)] += e.dur;
  kernels += e.dur;
}
const per = (us: number) => (us / 1000 / (steps * fuse)).toFixed(3);
console.log(`${model} batch ${batch}, ${fuse} step(s) per call, ${steps} calls: JS wall ${(wall / steps / fuse).toFixed(3)} ms/step, model_run ${per(runs)} ms/step, kernels ${per(kernels)} ms/step`);
console.log(`  by part: ${Object.entries(byPart).map(([k, us]) => `${k} ${per(us)}`).join(', ')} ms/step`);
for (const [op, us] of Object.entries(byOp).sort((a, b) => b[1] - a[1])) console.log(`  ${op.padEnd(14)} ${per(us)} ms/step`);
console.log('top nodes:');
for (const [n, us] of Object.entries(byNode).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${per(us)} ${n}`);
