// Where a train step's floor lies, library by library: every matrix product of the model's train
// step (its shape and transposes as the graph has them) timed alone in onnxruntime (MLAS sgemm),
// MKL (torch 2) and XLA (jax.jit), and one Adam update over the model's parameters as Hourglass
// emits it (one onnxruntime node per formula and parameter) against torch's fused CPU Adam and
// optax's jitted adam. Each library runs in turn, `rounds` times, and reports the best round's CPU
// and wall time; the sum is that library's floor for one step. Usage:
// tsx bench/floor.ts [MODEL=vae] [BATCH=128] [THREADS=2] [ROUNDS=3] [--json]
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { compileModel } from '../compiler/compile';
import { Graph } from '../compiler/ir/graph';
import type { Val } from '../compiler/ir/val';
import type { Dim } from '../compiler/ir/types';
import { onnx } from '../compiler/onnx/emitter';
import { lowerToBytes, type NamedVal } from '../compiler/onnx/lower';
import { OPTIMIZERS } from '../compiler/optim/rules';
import { BENCH_MODELS } from './models';
import { benchVenv } from './venv';

const args = process.argv.slice(2).filter((a) => a !== '--json');
const json = process.argv.includes('--json');
const [model = 'vae', batchS = '128', threadsS = '2', roundsS = '3'] = args;
const [batch, threads, rounds] = [batchS, threadsS, roundsS].map(Number);
const say = (line: string) => void (json ? process.stderr : process.stdout).write(`${line}\n`);

const c = compileModel(BENCH_MODELS[model].def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const dim = (d: Dim) => (d === 'B' ? batch : d);

// The products in graph order; the ONNX MatMul nodes come in the same order, and a Transpose
// feeding one tells which operand the graph transposes (onnxruntime folds it into FusedMatMul).
type Kind = 'NN' | 'TN' | 'NT';
const step = onnx.ModelProto.decode(c.right.files[c.right.manifest.artifacts.train_step.file]);
const producers = new Map<string, string>();
for (const n of step.graph?.node ?? []) for (const o of n.output ?? []) producers.set(o, n.opType ?? '');
const kinds: Kind[] = (step.graph?.node ?? [])
  .filter((n) => n.opType === 'MatMul')
  .map(({ input }) => (producers.get(input?.[0] ?? '') === 'Transpose' ? 'TN' : producers.get(input?.[1] ?? '') === 'Transpose' ? 'NT' : 'NN'));
if (kinds.length !== c.right.matmuls.length) throw new Error(`${kinds.length} MatMul nodes but ${c.right.matmuls.length} products`);
const products = c.right.matmuls.map(([m, k, n], i) => ({ m: dim(m), k: dim(k), n: dim(n), kind: kinds[i] }));
// Each library's own peak, the roofline's 2048³, measured alongside (not part of the step).
const PEAK = { m: 2048, k: 2048, n: 2048, kind: 'NN' as Kind };
const params = c.right.manifest.params.map((p) => p.shape.map((d) => d as number));

const opts: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  extra: { session: { 'intra_op.allow_spinning': '0' } },
};
const must = (v: E.Either<unknown, Val>): Val => (E.isRight(v) ? v.right : (() => { throw new Error('floor graph'); })());
const filled = (shape: readonly number[], f: () => number) => {
  const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < a.length; i++) a[i] = f();
  return new ort.Tensor('float32', a, [...shape]);
};

/** A session and feeds whose outputs land in preallocated tensors (nothing copied per call). */
const prepare = async (g: Graph, outs: NamedVal[]) => {
  const s = await ort.InferenceSession.create(lowerToBytes(g, outs, { graphName: 'floor' }), opts);
  const feeds = Object.fromEntries(g.inputs.map((i) => [i.name, filled(g.node(i.id).type.shape as number[], () => Math.random() * 0.1)]));
  const fetches = Object.fromEntries(outs.map((o) => [o.name, filled(o.val.type.shape as number[], () => 0)]));
  return () => s.run(feeds, fetches);
};

const matmulRun = (p: (typeof products)[number]) => {
  const g = new Graph('f32');
  const a = must(g.input('a', p.kind === 'TN' ? [p.k, p.m] : [p.m, p.k], 'data'));
  const b = must(g.input('b', p.kind === 'NT' ? [p.n, p.k] : [p.k, p.n], 'data'));
  const t = (v: Val) => g.must('transpose', [v], { perm: [1, 0] });
  return prepare(g, [{ name: 'c', val: g.must('matmul', [p.kind === 'TN' ? t(a) : a, p.kind === 'NT' ? t(b) : b], {}) }]);
};

const adamRun = () => {
  const g = new Graph('f32');
  const lr = must(g.input('lr', [], 'state'));
  const t = must(g.input('t', [], 'state'));
  const outs: NamedVal[] = [];
  params.forEach((shape, i) => {
    const [p, gr, m, v] = ['p', 'g', 'm', 'v'].map((x) => must(g.input(`${x}${i}`, shape, 'state')));
    const u = OPTIMIZERS.adam.update(g, { param: p, grad: gr, slots: { m, v }, lr, t }, OPTIMIZERS.adam.defaults);
    outs.push({ name: `P${i}`, val: u.param }, { name: `M${i}`, val: u.slots.m }, { name: `V${i}`, val: u.slots.v });
  });
  return prepare(g, outs);
};

const timed = async (run: () => Promise<unknown>, inner: number) => {
  await run();
  await run();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < inner; i++) await run();
  const cu = process.cpuUsage(c0);
  return { cpu_ms: (cu.user + cu.system) / 1000 / inner, wall_ms: (performance.now() - t0) / inner };
};

type Times = { cpu_ms: number; wall_ms: number };
// The best round: a floor is what the library can do, and a shared machine only ever slows it.
const best = (ts: Times[]): Times => ({ cpu_ms: Math.min(...ts.map((t) => t.cpu_ms)), wall_ms: Math.min(...ts.map((t) => t.wall_ms)) });

const venv = benchVenv(say);
const all = [...products, PEAK];
const mmRuns = await Promise.all(all.map(matmulRun));
// What one session.run costs around the kernel (Node ↔ native, feeds, fetches): a 1×1 product,
// subtracted from each onnxruntime product so small ones are not charged for the call.
const callRun = await matmulRun({ m: 1, k: 1, n: 1, kind: 'NN' });
const adam = await adamRun();
const ortRounds: { matmuls: Times[]; adam: Times }[] = [];
const peerRounds: { torch: { matmuls: Times[]; adam_fused: Times; adam_foreach: Times }; jax: { matmuls: Times[]; adam: Times }; versions: string }[] = [];
for (let r = 0; r < rounds; r++) {
  const matmuls: Times[] = [];
  const call = await timed(callRun, 200);
  for (const [i, p] of all.entries()) {
    const t = await timed(mmRuns[i], Math.max(1, Math.round(2e8 / (2 * p.m * p.k * p.n))));
    matmuls.push({ cpu_ms: Math.max(0, t.cpu_ms - call.cpu_ms), wall_ms: Math.max(0, t.wall_ms - call.wall_ms) });
  }
  ortRounds.push({ matmuls, adam: await timed(adam, 20) });
  if ('python' in venv) {
    const py = spawnSync(venv.python, ['bench/floor_peer.py'], {
      input: JSON.stringify({ threads, reps: 3, matmuls: all.map((p) => [p.m, p.k, p.n, p.kind]), params }),
      encoding: 'utf8',
      timeout: 10 * 60_000,
    });
    if (py.status !== 0) throw new Error(`floor_peer.py: ${py.stderr.trim().split('\n').pop()}`);
    const o = JSON.parse(py.stdout.trim().split('\n').pop()!);
    peerRounds.push({ ...o, versions: `torch ${o.torch.version} (${o.torch.blas}), jax ${o.jax.version}` });
  }
}

const flops = products.map((p) => 2 * p.m * p.k * p.n);
const libs: { name: string; matmuls: Times[]; peak: Times; adam: Times }[] = [
  { name: 'onnxruntime (MLAS)', matmuls: products.map((_, i) => best(ortRounds.map((r) => r.matmuls[i]))), peak: best(ortRounds.map((r) => r.matmuls[products.length])), adam: best(ortRounds.map((r) => r.adam)) },
];
if (peerRounds.length) {
  libs.push({ name: 'torch (MKL), fused Adam', matmuls: products.map((_, i) => best(peerRounds.map((r) => r.torch.matmuls[i]))), peak: best(peerRounds.map((r) => r.torch.matmuls[products.length])), adam: best(peerRounds.map((r) => r.torch.adam_fused)) });
  libs.push({ name: 'jax.jit (XLA), optax adam', matmuls: products.map((_, i) => best(peerRounds.map((r) => r.jax.matmuls[i]))), peak: best(peerRounds.map((r) => r.jax.matmuls[products.length])), adam: best(peerRounds.map((r) => r.jax.adam)) });
} else say(`no peers: ${'error' in venv ? venv.error : ''}`);

const total = (ts: Times[], k: keyof Times) => ts.reduce((s, t) => s + t[k], 0);
const gflops = (ms: number) => flops.reduce((a, b) => a + b, 0) / (ms / 1000) / 1e9;
const report = {
  model, batch, threads, rounds,
  peers: peerRounds[0]?.versions ?? null,
  products: products.map((p, i) => ({ ...p, flops: flops[i], ms: Object.fromEntries(libs.map((l) => [l.name, l.matmuls[i]])) })),
  libraries: libs.map((l) => ({
    name: l.name,
    matmulMs: { cpu: total(l.matmuls, 'cpu_ms'), wall: total(l.matmuls, 'wall_ms') },
    matmulGflops: { cpu: gflops(total(l.matmuls, 'cpu_ms')), wall: gflops(total(l.matmuls, 'wall_ms')) },
    peakGflops: { cpu: (2 * 2048 ** 3) / (l.peak.cpu_ms / 1000) / 1e9, wall: (2 * 2048 ** 3) / (l.peak.wall_ms / 1000) / 1e9 },
    adamMs: { cpu: l.adam.cpu_ms, wall: l.adam.wall_ms },
  })),
};
if (json) console.log(JSON.stringify(report));
else {
  say(`${model} batch ${batch}, ${threads} threads, best of ${rounds} rounds${report.peers ? `; ${report.peers}` : ''}`);
  say(`per product, wall ms (CPU ms): ${libs.map((l) => l.name).join(' | ')}`);
  products.forEach((p, i) => say(`  ${`${p.kind} ${p.m}x${p.k}x${p.n}`.padEnd(18)} ${libs.map((l) => `${l.matmuls[i].wall_ms.toFixed(3)} (${l.matmuls[i].cpu_ms.toFixed(3)})`).join(' | ')}`));
  for (const l of report.libraries)
    say(`${l.name.padEnd(26)} matmuls ${l.matmulMs.wall.toFixed(2)} ms wall (${l.matmulMs.cpu.toFixed(2)} CPU) = ${l.matmulGflops.wall.toFixed(1)} GFLOP/s wall, ${l.matmulGflops.cpu.toFixed(1)} per CPU-second (2048³: ${l.peakGflops.wall.toFixed(1)} wall, ${l.peakGflops.cpu.toFixed(1)} per CPU-second); Adam update ${l.adamMs.wall.toFixed(2)} ms wall (${l.adamMs.cpu.toFixed(2)} CPU)`);
}
