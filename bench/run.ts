// `npm run bench`: Hourglass against the peers a user would actually run — torch 2 eager (best of
// its thread configurations), torch.compile and a jax.jit step with optax Adam, from a cached venv
// (bench/venv.ts) — plus Debian's torch 1.13 as a labelled extra row; same models,
// initialisation, optimizer, batch and data, timed the same way (median of repetitions after
// warm-up; compile times apart). Hourglass's fused steps (the training loop's default) and single
// steps are measured interleaved in one process with their paired ratio (robust on a shared
// machine). The ratio is against the fastest fair peer; a missing modern peer is reported loudly
// as a partial peer set, and a misconfigured one (reference BLAS) gets no ratio. Prints a
// README-ready markdown table; `--json` one machine-readable object instead; `--quick` (a few
// minutes) the VAE at batch 128 and the conv AE with fewer steps and one configuration per peer;
// `--model vae` one model. The conv rows (bench/convModels.ts: conv AE, chairs VAE, each at its own
// batch) run against torch eager, torch.compile and a jax.lax conv step from the same venv; the
// DCGAN row (rounds of one discriminator and one generator step, batch 64; not in --quick unless
// --model dcgan) against the same three.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { BENCH_MODELS } from './models';
import { sgemmGflops } from './roofline';
import { DEFAULT_FUSE } from '../runtime/core/loop';
import { convPeers, fairPeers, ganPeers, MODERN_PEERS, runPeer, torchPeers, type PeerRun } from './peers';
import { CONV_BENCH_MODELS } from './convModels';
import { benchVenv } from './venv';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm run bench -- [--quick] [--json] [--model vae|k_sparse|deep_ae|conv_ae|chairs_vae|dcgan]
  --quick   the VAE at batch 128 and the conv AE, fewer steps, one configuration per peer (minutes)
  --json    one machine-readable object instead of the markdown table
  --model   one model only
Related: tsx bench/ab.ts (interleaved A/B), bench/profile.ts (onnxruntime's per-node profile),
bench/floor.ts (each library's floor for the products and the Adam update); see bench/PART-B.md.`);
  process.exit(0);
}
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const only = process.argv.includes('--model') ? process.argv[process.argv.indexOf('--model') + 1] : undefined;
const THREADS = 2;
/** Steps per call of the fused graph: the training loop's default. */
const FUSE = DEFAULT_FUSE;
const REPS = quick ? 3 : 5;
const BATCHES = [128, 1024];
const stepsFor = (batch: number) => (quick ? (batch > 256 ? 10 : 50) : batch > 256 ? 30 : 200);
/** Conv steps are 10–100× dearer: one fused call per repetition when quick, two otherwise. */
const CONV_STEPS = quick ? FUSE : 2 * FUSE;
const GAN_BATCH = 64;
const GAN_ROUNDS = quick ? 2 : 8;

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
  /** Fused steps with onnxruntime's thread spinning off, and its paired ratio to the default. */
  readonly noSpinStepsPerS: number;
  readonly noSpinGain: number;
  /** GAN rows: rounds per fused call. */
  readonly ganFuse?: number;
}

const parseLast = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

/** Fused (S = `fuse`) and single steps, interleaved in one process; RSS and FLOPs of the fused run. */
const hourglass = (model: string, batch: number, fuse: number, steps = stepsFor(batch)): HourglassMeasured => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hourglass.ts', model, String(batch), String(steps), String(REPS), String(THREADS), `${fuse},1,${fuse}:nospin`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hourglass bench failed: ${r.stderr}`);
  const o = parseLast(r.stdout) as { steps_per_s: number[]; max_rss_kb: number; flops_per_step: number; modes: { steps_per_s: number[] }[]; ratios: number[][] };
  return {
    stepsPerS: median(o.steps_per_s),
    maxRssMb: o.max_rss_kb / 1024,
    flopsPerStep: o.flops_per_step,
    singleStepsPerS: median(o.modes[1].steps_per_s),
    fusedGain: median(o.ratios[1].map((x) => 1 / x)),
    noSpinStepsPerS: median(o.modes[2].steps_per_s),
    noSpinGain: median(o.ratios[2]),
  };
};

/** The DCGAN row's Hourglass side: fused rounds (the `hourglass gan` default) and single steps, in its own process. */
const hourglassGan = (): HourglassMeasured => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/ganHourglass.ts', String(GAN_BATCH), String(GAN_ROUNDS), String(REPS), String(THREADS)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hourglass GAN bench failed: ${r.stderr}`);
  const o = parseLast(r.stdout) as { steps_per_s: number[]; single_steps_per_s: number[]; nospin_steps_per_s: number[]; fuse: number; max_rss_kb: number };
  const gain = median(o.steps_per_s.map((x, i) => x / o.single_steps_per_s[i]));
  const noSpinGain = median(o.nospin_steps_per_s.map((x, i) => x / o.steps_per_s[i]));
  return { stepsPerS: median(o.steps_per_s), maxRssMb: o.max_rss_kb / 1024, singleStepsPerS: median(o.single_steps_per_s), fusedGain: gain, noSpinStepsPerS: median(o.nospin_steps_per_s), noSpinGain, ganFuse: o.fuse };
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

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

interface Row {
  readonly model: string;
  readonly batch: number;
  readonly hourglassStepsPerS: number;
  readonly singleStepsPerS: number;
  readonly fusedGain: number;
  readonly noSpinStepsPerS: number;
  readonly noSpinGain: number;
  readonly hourglassExamplesPerS: number;
  readonly hourglassRssMb: number;
  /** Share of onnxruntime's sgemm rate; null for the conv rows (their convolutions are not counted). */
  readonly rooflineFraction: number | null;
  readonly peers: Record<string, PeerRun | { error: string }>;
  readonly fastestPeer: { name: string; stepsPerS: number } | null;
  readonly lightestPeer: { name: string; rssMb: number } | null;
  /** Hourglass fused over the fastest fair peer. */
  readonly ratio: number | null;
}

const main = async () => {
  const venv = benchVenv(say);
  if ('error' in venv) say(`\n*** PARTIAL PEER SET: the modern peers (torch 2 eager, torch.compile, JAX) are missing: ${venv.error} ***\n`);
  const peers = torchPeers('python' in venv ? venv.python : null, THREADS, quick);
  const gflops = await sgemmGflops(THREADS);
  say(`sgemm roofline (onnxruntime, ${THREADS} threads, 2048³, best of 10): ${gflops.toFixed(1)} GFLOP/s`);
  const rows: Row[] = [];
  const missing = new Set<string>('error' in venv ? MODERN_PEERS : []);
  const models = Object.entries(BENCH_MODELS).filter(([m]) => (only ? m === only : !quick || m === 'vae'));
  const measureRow = (model: string, title: string, batch: number, rowPeers: typeof peers, steps: number, conv: boolean) => {
      say(`${title}, batch ${batch}`);
      const h = model === 'dcgan' ? hourglassGan() : hourglass(model, batch, FUSE, steps);
      if (model === 'dcgan') {
        say(`  hourglass, fused R = ${h.ganFuse}: ${fmt(h.stepsPerS)} rounds/s (${h.fusedGain.toFixed(2)}× single steps' ${fmt(h.singleStepsPerS)}, paired repetitions in one process)`);
        say(`  hourglass, fused, thread spinning off: ${fmt(h.noSpinStepsPerS)} rounds/s (${h.noSpinGain.toFixed(2)}× spinning)`);
      } else {
        say(`  hourglass, single steps: ${fmt(h.singleStepsPerS)} steps/s`);
        say(`  hourglass, fused S = ${FUSE}: ${fmt(h.stepsPerS)} steps/s (${h.fusedGain.toFixed(2)}× single, paired repetitions in one process)`);
        say(`  hourglass, fused, thread spinning off: ${fmt(h.noSpinStepsPerS)} steps/s (${h.noSpinGain.toFixed(2)}× spinning)`);
      }
      const results: Record<string, PeerRun | { error: string }> = {};
      for (const p of rowPeers) {
        const r = runPeer(p, model, batch, steps, REPS, say);
        results[p.name] = r;
        if ('error' in r && !p.extra) missing.add(p.name);
        if ('misconfigured' in r && r.misconfigured) say(`  *** ${p.name} is misconfigured, no ratio against it: ${r.misconfigured} ***`);
      }
      // The fastest modern peer; Debian's torch only when no modern peer ran.
      const candidates = fairPeers(rowPeers, results);
      const fastest = candidates.reduce<(typeof candidates)[number] | null>((b, p) => (!b || p.stepsPerS > b.stepsPerS ? p : b), null);
      const lightest = candidates.reduce<(typeof candidates)[number] | null>((b, p) => (!b || p.rssMb < b.rssMb ? p : b), null);
      rows.push({
        model,
        batch,
        hourglassStepsPerS: h.stepsPerS,
        singleStepsPerS: h.singleStepsPerS,
        fusedGain: h.fusedGain,
        noSpinStepsPerS: h.noSpinStepsPerS,
        noSpinGain: h.noSpinGain,
        hourglassExamplesPerS: h.stepsPerS * batch,
        hourglassRssMb: h.maxRssMb,
        rooflineFraction: conv ? null : ((h.flopsPerStep ?? 0) * h.stepsPerS) / 1e9 / gflops,
        peers: results,
        fastestPeer: fastest ? { name: fastest.name, stepsPerS: fastest.stepsPerS } : null,
        lightestPeer: lightest ? { name: lightest.name, rssMb: lightest.rssMb } : null,
        ratio: fastest ? h.stepsPerS / fastest.stepsPerS : null,
      });
  };
  for (const [model, info] of models) for (const batch of quick && !only ? [128] : BATCHES) measureRow(model, info.title, batch, peers, stepsFor(batch), false);
  const cPeers = convPeers('python' in venv ? venv.python : null, THREADS, quick);
  const convModels = Object.entries(CONV_BENCH_MODELS).filter(([m]) => (only ? m === only : !quick || m === 'conv_ae'));
  for (const [model, info] of convModels) measureRow(model, info.title, info.batch, cPeers, CONV_STEPS, true);
  const gPeers = ganPeers('python' in venv ? venv.python : null, THREADS);
  if (only === 'dcgan' || (!only && !quick)) measureRow('dcgan', 'DCGAN 64×64 (examples/gan.ts), rounds of 1 D + 1 G step/s', GAN_BATCH, gPeers, GAN_ROUNDS, true);
  const partial = [...missing];
  if (partial.length > 0) say(`\n*** PARTIAL PEER SET: ${partial.join(', ')} did not run; the ratios are against the peers that did ***`);
  // One line per peer name (the conv rows' torch and JAX peers share the dense rows' names and venv).
  const peerTable = [...peers, ...cPeers.filter((c) => !peers.some((p) => p.name === c.name))].map((p) => {
    const ran = rows.flatMap((r) => {
      const x = r.peers[p.name];
      return !x || 'error' in x ? [] : [{ row: r, run: x }];
    });
    const first = ran[0]?.run;
    const per = <T>(f: (x: PeerRun) => T) => {
      const o: Record<string, Record<string, T>> = {};
      for (const { row, run } of ran) (o[row.model] ??= {})[row.batch] = f(run);
      return o;
    };
    const failed = rows.map((r) => r.peers[p.name]).find((x) => x && 'error' in x) as { error: string } | undefined;
    return {
      name: p.name,
      extra: p.extra,
      available: ran.length > 0,
      error: failed?.error ?? null,
      version: first?.version ?? null,
      blas: first?.blas ?? null,
      isa: first?.isa ?? null,
      threads: first?.threads ?? null,
      misconfigured: first?.misconfigured ?? null,
      stepsPerS: per((x) => x.stepsPerS),
      config: per((x) => x.config),
      compileS: per((x) => x.compileS),
      rssMb: per((x) => x.rssMb),
    };
  });
  const compileMs = compileTimes();
  const result = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    sgemmGflops: gflops,
    threads: THREADS,
    fuse: FUSE,
    quick,
    partialPeerSet: partial.length > 0 ? partial : null,
    peers: peerTable,
    rows,
    compileMs,
  };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  const cell = (r: Row, name: string) => {
    const x = r.peers[name];
    if (!x || 'error' in x) return 'n/a';
    return `${fmt(x.stepsPerS)}${x.misconfigured ? ' (misconfigured)' : ''}`;
  };
  console.log(`\n| model | batch | Hourglass fused S = ${FUSE} (single steps; spinning off) | ${peers.map((p) => p.name).join(' | ')} | ratio to the fastest peer | roofline | RSS MB, Hourglass / lightest peer |`);
  console.log(`|---|---|---|${peers.map(() => '---|').join('')}---|---|---|`);
  for (const r of rows)
    console.log(
      `| ${r.model} | ${r.batch} | **${fmt(r.hourglassStepsPerS)}** (${fmt(r.singleStepsPerS)}; ${fmt(r.noSpinStepsPerS)}) | ${peers.map((p) => cell(r, p.name)).join(' | ')} | ${r.ratio ? `**${r.ratio.toFixed(2)}×** (${r.fastestPeer!.name})` : 'n/a'} | ${r.rooflineFraction === null ? 'n/a (conv)' : `${(100 * r.rooflineFraction).toFixed(0)}%`} | ${r.hourglassRssMb.toFixed(0)} / ${r.lightestPeer ? r.lightestPeer.rssMb.toFixed(0) : 'n/a'} |`,
    );
  console.log(`\nSteps/s, f32, Adam, median of ${REPS} repetitions after warm-up.${partial.length ? ` **Partial peer set: ${partial.join(', ')} missing.**` : ''}\n`);
  if (rows.some((r) => r.model === 'dcgan'))
    console.log(`dcgan: rounds/s, a round being one discriminator and one generator step (Adam 2e-4, β1 0.5); Hourglass runs fused rounds (16 per call, the gan command's default) with single rounds and fused rounds with spinning off in brackets; the RSS is the fused trainer's alone.\n`);
  console.log(`| peer | version | BLAS | ISA | threads (best config) | compile s |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const p of peerTable) {
    const configs = [...new Set(Object.values(p.config).flatMap((b) => Object.values(b)))].join('; ');
    const compiles = Object.values(p.compileS).flatMap((b) => Object.values(b)).filter((x): x is number => x !== null);
    console.log(
      p.available
        ? `| ${p.name}${p.extra ? ' (extra)' : ''} | ${p.version} | ${p.blas}${p.misconfigured ? ' — misconfigured' : ''} | ${p.isa} | ${p.threads} (${configs}) | ${compiles.length ? compiles.map((c) => c.toFixed(1)).join(', ') : '—'} |`
        : `| ${p.name}${p.extra ? ' (extra)' : ''} | not available: ${p.error ?? "not run for these rows"} | | | | |`,
    );
  }
  console.log(`\nHourglass compile time (median, after warm-up): ${Object.entries(compileMs).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
  console.log(`machine: ${result.machine.cpus} × ${result.machine.model}, Node ${result.machine.node}; onnxruntime sgemm ${gflops.toFixed(1)} GFLOP/s`);
};

await main();
