// The fused-graph variants of issue 25 on one provider (scripts/gpu-check.sh runs it on CUDA):
// the current Loop, k steps per Loop iteration (kK), the training set resident in the graph
// (resident), both together, and the noise drawn ahead in a worker thread (ahead: lever 1,
// host/noiseAhead.ts); steps/s, and per call the split of JavaScript preparation (drawing
// S×B×latent normals, or taking the worker's, and building the feeds, as Trainer.stepMany does)
// against session.run. onnxruntime-node 1.30 runs session.run synchronously on the main thread
// (after a setImmediate), so only another thread can draw while it runs.
// Usage: tsx bench/gpuVariants.ts [--provider cuda] [--batches 128,1024] [--fuse 64]
//   [--variants loop,ahead,k4,k16,resident,resident+k16] [--calls 8] [--reps 3]  → JSON lines, the last complete.
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { onnx } from '../compiler/onnx/emitter';
import { blockedMultiStepModel } from '../compiler/onnx/multiStepBlocked';
import * as ort from '../runtime/host/providers/ort';
import { initialValues } from '../runtime/core/init';
import { drawNoiseStacks, type NoiseLayout } from '../runtime/core/noiseStacks';
import { workerNoiseAhead } from '../runtime/host/noiseAhead';
import { Rng } from '../runtime/core/random';
import { openSession, type Provider } from '../runtime/host/session';
import { BENCH_MODELS } from './models';
import { residentData, ROWS_INPUT } from './residentData';

const arg = (name: string, dflt: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const provider = arg('--provider', 'cuda') as Provider;
const batches = arg('--batches', '128,1024').split(',').map(Number);
const fuse = Number(arg('--fuse', '64'));
const variants = arg('--variants', 'loop,ahead,k4,k16,resident,resident+k16').split(',');
const calls = Number(arg('--calls', '8'));
const reps = Number(arg('--reps', '3'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const c = compileModel(BENCH_MODELS.vae.def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const m = c.right.manifest;
const spec = { stacked: m.multiStep.stacked.map((s) => s.input), shared: [m.optimizer.lrInput], carry: m.carry, perStep: m.multiStep.perStep.map((p) => p.output) };
const bytesFor = (variant: string, data: Float32Array): Uint8Array => {
  const k = Number(/k(\d+)/.exec(variant)?.[1] ?? 1);
  let bytes = k > 1 ? onnx.ModelProto.encode(blockedMultiStepModel(onnx.ModelProto.decode(c.right.files[m.artifacts.train_step.file]), spec, k)).finish() : c.right.files[m.multiStep.file];
  if (variant.includes('resident')) bytes = residentData(bytes, data, 784);
  return bytes;
};
const results: Record<string, unknown>[] = [];
for (const batch of batches) {
  const rng = Rng.seeded(0);
  const data = Float32Array.from({ length: fuse * batch * 784 }, () => (rng.uniform() < 0.3 ? 1 : 0));
  const rows = BigInt64Array.from({ length: fuse * batch }, (_, i) => BigInt(i));
  for (const variant of variants) {
    const k = Number(/k(\d+)/.exec(variant)?.[1] ?? 1);
    if (fuse % k !== 0) {
      console.error(`${variant}: skipped, S = ${fuse} is not a multiple of k = ${k}`);
      continue;
    }
    const { session } = await openSession(bytesFor(variant, data), { provider });
    let carried: Record<string, ort.Tensor> = {};
    for (const p of [...m.params, ...m.optimizer.state]) carried[p.name] = new ort.Tensor('float32', initialValues(p.init, p.shape, 'f32', rng) as Float32Array, [...p.shape]);
    let noiseRng = Rng.seeded(1);
    const drawer = variant.includes('ahead') ? workerNoiseAhead() : undefined;
    const layout: NoiseLayout = { dtype: 'f32', iterations: fuse, groups: [{ times: 1, per: m.noise.map((nz) => batch * nz.shape.reduce((a, b) => a * b, 1)) }] };
    let prep = 0;
    let run = 0;
    const call = async () => {
      const t0 = performance.now();
      const feeds: Record<string, ort.Tensor> = { ...carried, [m.optimizer.lrInput]: new ort.Tensor('float32', Float32Array.of(1e-3), []) };
      const got = await drawer?.take(noiseRng.state(), layout);
      const stacks = got ? got.stacks : drawNoiseStacks(noiseRng, layout);
      if (got) noiseRng = Rng.fromState(got.state);
      drawer?.ahead(noiseRng.state(), layout);
      m.noise.forEach((nz, i) => (feeds[`steps.noise.${nz.name}`] = new ort.Tensor('float32', stacks[i] as Float32Array, [fuse, batch, ...nz.shape])));
      if (variant.includes('resident')) feeds[ROWS_INPUT] = new ort.Tensor('int64', rows, [fuse, batch]);
      else feeds['steps.x'] = new ort.Tensor('float32', data, [fuse, batch, 784]);
      const t1 = performance.now();
      const out = await session.run(feeds);
      const t2 = performance.now();
      carried = Object.fromEntries(m.carry.map((cr) => [cr.input, out[cr.output] as ort.Tensor]));
      prep += t1 - t0;
      run += t2 - t1;
    };
    await call();
    await call();
    const rates: number[] = [];
    [prep, run] = [0, 0];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await call();
      rates.push((calls * fuse) / ((performance.now() - t0) / 1000));
    }
    const n = reps * calls;
    results.push({ provider, batch, fuse, variant, steps_per_s: median(rates), rates, prep_ms_per_call: prep / n, run_ms_per_call: run / n });
    console.error(`${provider} vae b${batch} S${fuse} ${variant}: ${median(rates).toFixed(0)} steps/s; per call JS prep ${(prep / n).toFixed(2)} ms, run ${(run / n).toFixed(2)} ms`);
    console.log(JSON.stringify({ provider, results }));
    await drawer?.close();
    await session.release();
  }
}
