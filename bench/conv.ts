// Convolutional rows of the benchmark, run on their own: `npx tsx bench/conv.ts [--quick]`.
// Hourglass (fused steps and single steps, one process) against PyTorch eager (NCHW and
// channels_last, OMP_WAIT_POLICY=PASSIVE) on the same model, batch, optimizer and thread count; steps/s are medians of
// repetitions after warm-up. Each side runs in its own process.
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { Rng } from '../runtime/core/random';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { CONV_BENCH_MODELS } from './convModels';
import { benchVenv } from './venv';

const quick = process.argv.includes('--quick');
/** `--cpu`: CPU seconds per step on one thread each instead of wall-clock rates (robust on a loaded machine). */
const cpu = process.argv.includes('--cpu');
const THREADS = 2;
const REPS = quick ? 3 : 5;
const STEPS = quick ? 8 : 24;
const FUSE = 8;
// The bench venv's torch 2 (Debian's python3 may have no torch at all).
const venv = benchVenv((l) => console.error(l));
const PYTHON = 'python' in venv ? venv.python : '/usr/bin/python3';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The model compiled with Adam, and FUSE batches of uniform data for it. */
const prepare = (name: string) => {
  const m = CONV_BENCH_MODELS[name];
  const c = compileModel(m.def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
  if (E.isLeft(c)) throw new Error(c.left.message);
  const data = new Float32Array(FUSE * m.batch * m.dim);
  const rng = Rng.seeded(0);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
  return { m, art: c.right, data };
};

const measureHourglass = async (name: string) => {
  const { m, art, data } = prepare(name);
  const single = await openTrainer(art, { seed: 0, threads: THREADS });
  const fused = await openTrainer(art, { seed: 0, threads: THREADS });
  const one = async (n: number) => {
    for (let i = 0; i < n; i++) await single.step(data.subarray((i % FUSE) * m.batch * m.dim, ((i % FUSE) + 1) * m.batch * m.dim), m.batch);
  };
  const many = async (n: number) => {
    for (let i = 0; i < n; i += FUSE) await fused.stepMany(data, m.batch, FUSE);
  };
  await one(3);
  await many(FUSE);
  const rates = { single: [] as number[], fused: [] as number[] };
  for (let r = 0; r < REPS; r++)
    for (const [mode, run] of [['single', one], ['fused', many]] as const) {
      const t0 = performance.now();
      await run(STEPS);
      rates[mode].push(STEPS / ((performance.now() - t0) / 1000));
    }
  return { single: median(rates.single), fused: median(rates.fused) };
};

const measureTorch = (name: string, layout: string): number | null => {
  const m = CONV_BENCH_MODELS[name];
  // OpenMP's busy-waiting threads collapse on a shared machine (0.2 steps/s measured): passive waiting.
  const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  const r = spawnSync(PYTHON, ['bench/peer_torch_conv.py', name, String(m.batch), String(STEPS), String(REPS), String(THREADS), layout], { encoding: 'utf8', env });
  if (r.status !== 0) {
    console.error(`PyTorch peer failed: ${(r.stderr || '').trim().split('\n').pop()}`);
    return null;
  }
  return median(JSON.parse(r.stdout.trim().split('\n').pop()!).steps_per_s as number[]);
};

/** CPU seconds per step, one thread: Hourglass single and fused (process.cpuUsage), PyTorch eager (time.process_time). */
const cpuPerStep = async (name: string) => {
  const { m, art, data } = prepare(name);
  const tr = await openTrainer(art, { seed: 0, threads: 1 });
  const steps = FUSE * (quick ? 1 : 3);
  await tr.step(data.subarray(0, m.batch * m.dim), m.batch);
  await tr.stepMany(data, m.batch, FUSE);
  let t = process.cpuUsage();
  for (let i = 0; i < steps; i++) await tr.step(data.subarray((i % FUSE) * m.batch * m.dim, ((i % FUSE) + 1) * m.batch * m.dim), m.batch);
  let d = process.cpuUsage(t);
  const single = (d.user + d.system) / 1e6 / steps;
  t = process.cpuUsage();
  for (let i = 0; i < steps; i += FUSE) await tr.stepMany(data, m.batch, FUSE);
  d = process.cpuUsage(t);
  const fused = (d.user + d.system) / 1e6 / steps;
  const py = [
    'import sys, time',
    `sys.argv = ['peer', '${name}', '${m.batch}', '0', '0', '1']`,
    "sys.path.insert(0, 'bench')",
    // Not as __main__: the peer builds its model and step, and times nothing itself.
    "peer = {'__name__': 'conv_cpu'}",
    "exec(open('bench/peer_torch_conv.py').read(), peer)",
    "peer['run_steps'](0, 3)",
    't = time.process_time()',
    `peer['run_steps'](0, ${steps})`,
    `print((time.process_time() - t) / ${steps})`,
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', py], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const torch = r.status === 0 ? Number(r.stdout.trim().split('\n').pop()) : null;
  return { single, fused, torch };
};

if (cpu) {
  console.log(`| model | batch | Hourglass CPU ms/step fused (single) | PyTorch eager CPU ms/step | PyTorch / Hourglass |`);
  console.log(`|---|---|---|---|---|`);
  for (const name of Object.keys(CONV_BENCH_MODELS)) {
    const m = CONV_BENCH_MODELS[name];
    const r = await cpuPerStep(name);
    const best = Math.min(r.fused, r.single);
    console.log(`| ${m.title} | ${m.batch} | ${(1000 * r.fused).toFixed(1)} (${(1000 * r.single).toFixed(1)}) | ${r.torch ? (1000 * r.torch).toFixed(1) : 'n/a'} | ${r.torch ? `${(r.torch / best).toFixed(2)}×` : 'n/a'} |`);
  }
  process.exit(0);
}

console.log(`| model | batch | Hourglass steps/s fused (single) | PyTorch eager NCHW | PyTorch channels_last | ratio to best peer |`);
console.log(`|---|---|---|---|---|---|`);
for (const name of Object.keys(CONV_BENCH_MODELS)) {
  const m = CONV_BENCH_MODELS[name];
  const h = await measureHourglass(name);
  const nchw = measureTorch(name, 'nchw');
  const cl = measureTorch(name, 'channels_last');
  const best = Math.max(nchw ?? 0, cl ?? 0);
  const hg = Math.max(h.fused, h.single);
  console.log(`| ${m.title} | ${m.batch} | ${h.fused.toFixed(1)} (${h.single.toFixed(1)}) | ${nchw?.toFixed(1) ?? 'n/a'} | ${cl?.toFixed(1) ?? 'n/a'} | ${best ? `${(hg / best).toFixed(2)}×` : 'n/a'} |`);
}
