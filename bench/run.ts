// `npm run bench`: Hourglass against PyTorch (Debian's python3-torch) in the same run, same
// models, optimizer and batch. Reports steps/s (median of repetitions after warm-up) of fused
// steps (the training loop's default) and of single steps, measured interleaved in one process
// with their paired ratio (robust on a shared machine), the ratio to the best peer configuration, peak RSS, the fraction of the sgemm roofline, and
// compile times. `--json` prints one machine-readable object instead of the table; `--quick`
// takes fewer steps; `--model vae` measures one model.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { BENCH_MODELS } from './models';
import { sgemmGflops } from './roofline';
import { DEFAULT_FUSE } from '../runtime/loop';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const only = process.argv.includes('--model') ? process.argv[process.argv.indexOf('--model') + 1] : undefined;
const THREADS = 2;
/** Steps per call of the fused graph: the training loop's default. */
const FUSE = DEFAULT_FUSE;
const REPS = quick ? 3 : 5;
const BATCHES = [128, 1024];
const stepsFor = (batch: number) => (quick ? (batch > 256 ? 10 : 50) : batch > 256 ? 30 : 200);
const PYTHON = '/usr/bin/python3';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const say = (line: string) => {
  if (!json) console.error(line);
};

interface Measured {
  readonly stepsPerS: number;
  readonly maxRssMb: number;
  readonly flopsPerStep?: number;
}

interface HourglassMeasured extends Measured {
  /** Single train steps, measured interleaved with the fused ones in the same process. */
  readonly singleStepsPerS: number;
  /** Median over repetitions of fused / single steps/s (paired, so shared-machine noise cancels). */
  readonly fusedGain: number;
}

const parseLast = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

/** Fused (S = `fuse`) and single steps, interleaved in one process; RSS and FLOPs of the fused run. */
const hourglass = (model: string, batch: number, fuse: number): HourglassMeasured => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hourglass.ts', model, String(batch), String(stepsFor(batch)), String(REPS), String(THREADS), `${fuse},1`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hourglass bench failed: ${r.stderr}`);
  const o = parseLast(r.stdout) as { steps_per_s: number[]; max_rss_kb: number; flops_per_step: number; modes: { steps_per_s: number[] }[]; ratios: number[][] };
  return {
    stepsPerS: median(o.steps_per_s),
    maxRssMb: o.max_rss_kb / 1024,
    flopsPerStep: o.flops_per_step,
    singleStepsPerS: median(o.modes[1].steps_per_s),
    fusedGain: median(o.ratios[1].map((x) => 1 / x)),
  };
};

// PyTorch on 2 cores: its OpenMP threads and OpenBLAS's own threads can spin against each other,
// so try the configurations that avoid it and compare against the best (named in the report).
const PEER_CONFIGS: { readonly name: string; readonly threads: number; readonly env: Record<string, string> }[] = [
  { name: 'torch default threads', threads: THREADS, env: {} },
  { name: 'torch 2 threads, OPENBLAS_NUM_THREADS=1', threads: THREADS, env: { OPENBLAS_NUM_THREADS: '1' } },
  { name: 'torch 1 thread', threads: 1, env: {} },
  { name: 'torch 2 threads, OMP_WAIT_POLICY=PASSIVE', threads: THREADS, env: { OMP_WAIT_POLICY: 'PASSIVE' } },
];

const peerEnv = (extra: Record<string, string>) => {
  const env = { ...process.env, ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};

const torchAvailable = (): string | null => {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread); skipping the PyTorch peer';
};

const torch = (model: string, batch: number): (Measured & { config: string }) | null => {
  let best: (Measured & { config: string }) | null = null;
  for (const c of PEER_CONFIGS) {
    const r = spawnSync(PYTHON, ['bench/peer_torch.py', model, String(batch), String(stepsFor(batch)), String(REPS), String(c.threads)], {
      encoding: 'utf8',
      env: peerEnv(c.env),
    });
    if (r.status !== 0) {
      say(`  peer ${c.name} failed: ${r.stderr.trim().split('\n').pop()}`);
      continue;
    }
    const o = parseLast(r.stdout);
    const m = { stepsPerS: median(o.steps_per_s), maxRssMb: o.max_rss_kb / 1024, config: c.name };
    say(`  peer ${c.name}: ${m.stepsPerS.toFixed(1)} steps/s`);
    if (!best || m.stepsPerS > best.stepsPerS) best = m;
  }
  return best;
};

const compileTimes = () =>
  Object.fromEntries(
    Object.entries(BENCH_MODELS).map(([name, m]) => {
      for (let i = 0; i < 5; i++) compileModel(m.def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const r = compileModel(m.def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
        times.push(performance.now() - t0);
        if (E.isLeft(r)) throw new Error(r.left.message);
      }
      return [name, median(times)];
    }),
  );

const main = async () => {
  const missingTorch = torchAvailable();
  if (missingTorch) say(missingTorch);
  const gflops = await sgemmGflops(THREADS);
  say(`sgemm roofline (onnxruntime, ${THREADS} threads, 2048³, best of 10): ${gflops.toFixed(1)} GFLOP/s`);
  const rows = [];
  for (const [model, info] of Object.entries(BENCH_MODELS).filter(([m]) => !only || m === only))
    for (const batch of BATCHES) {
      say(`${info.title}, batch ${batch}`);
      const h = hourglass(model, batch, FUSE);
      say(`  hourglass, single steps: ${h.singleStepsPerS.toFixed(1)} steps/s`);
      say(`  hourglass, fused S = ${FUSE}: ${h.stepsPerS.toFixed(1)} steps/s (${h.fusedGain.toFixed(2)}× single, paired repetitions in one process)`);
      const p = missingTorch ? null : torch(model, batch);
      const roofline = ((h.flopsPerStep ?? 0) * h.stepsPerS) / 1e9 / gflops;
      rows.push({
        model,
        batch,
        hourglassStepsPerS: h.stepsPerS,
        singleStepsPerS: h.singleStepsPerS,
        fusedGain: h.fusedGain,
        hourglassExamplesPerS: h.stepsPerS * batch,
        hourglassRssMb: h.maxRssMb,
        rooflineFraction: roofline,
        peer: p ? { name: p.config, stepsPerS: p.stepsPerS, rssMb: p.maxRssMb } : null,
        ratio: p ? h.stepsPerS / p.stepsPerS : null,
      });
    }
  const compileMs = compileTimes();
  const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, sgemmGflops: gflops, threads: THREADS, fuse: FUSE, rows, compileMs };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`\n| model | batch | Hourglass steps/s, fused (single steps, fused gain) | best PyTorch steps/s (config) | ratio | roofline | RSS MB (HG / torch) |`);
  console.log(`|---|---|---|---|---|---|---|`);
  for (const r of rows)
    console.log(
      `| ${r.model} | ${r.batch} | ${r.hourglassStepsPerS.toFixed(1)} (${r.singleStepsPerS.toFixed(1)}, ${r.fusedGain.toFixed(2)}×) | ${r.peer ? `${r.peer.stepsPerS.toFixed(1)} (${r.peer.name})` : 'n/a'} | ${r.ratio ? `${r.ratio.toFixed(2)}×` : 'n/a'} | ${(100 * r.rooflineFraction).toFixed(0)}% | ${r.hourglassRssMb.toFixed(0)} / ${r.peer ? r.peer.rssMb.toFixed(0) : 'n/a'} |`,
    );
  console.log(`\ncompile time (median, after warm-up): ${Object.entries(compileMs).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
  console.log(`machine: ${result.machine.cpus} × ${result.machine.model}, Node ${result.machine.node}; sgemm ${gflops.toFixed(1)} GFLOP/s`);
};

await main();
