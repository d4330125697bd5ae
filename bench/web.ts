// `npm run bench:web`: training throughput of the browser page (onnxruntime-web, wasm, in headless
// Chromium) beside onnxruntime-node (bench/hourglass.ts: fused and single steps) and beside
// TensorFlow.js's wasm backend training the same VAE (bench/peer_tfjs.ts), all at batch 128 on
// the VAE 784-400-20-400-784. Steps/s are medians over repetitions after warm-up; the page's are
// timed inside the page, single steps, no drawing. `--json` prints one object; `--quick` fewer steps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { loadMnistDigits } from '../runtime/data/mnist';
import { vaeCatalog } from '../runtime/serve/catalog';
import { servePage } from '../runtime/serve/server';
import { haveChromium, launchChromium, CHROMIUM } from '../test/support/chromium';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 5;
const STEPS = quick ? 30 : 50; // within one epoch (62 steps at batch 128), so no held-out pass is timed
const NODE_STEPS = quick ? 64 : 192;
const BATCH = 128;
const CORES = availableParallelism();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const say = (line: string) => {
  if (!json) console.error(line);
};

interface PageApi {
  ready: Promise<void>;
  trainFor(n: number, draw?: boolean): Promise<{ step: number; times: number[] }>;
  reset(): Promise<void>;
  state(): Promise<{ model: string; backend: string }>;
}
declare const hourglass: PageApi;

const page = async (threadCounts: number[]): Promise<Record<string, number>> => {
  if (!haveChromium) {
    say(`page: skipped (no Chromium at ${CHROMIUM})`);
    return {};
  }
  const catalog = vaeCatalog(1);
  if (E.isLeft(catalog)) throw new Error(catalog.left);
  const server = await servePage(catalog.right, loadMnistDigits(), 0, '127.0.0.1');
  const downloads = mkdtempSync(join(tmpdir(), 'hourglass-bench-web-'));
  const browser = await launchChromium(downloads);
  const out: Record<string, number> = {};
  try {
    const tab = browser.context.pages()[0] ?? (await browser.context.newPage());
    for (const threads of threadCounts) {
      await tab.goto(`${server.url}?threads=${threads}&backend=wasm`);
      await tab.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
      await tab.selectOption('#latent', '20');
      await tab.waitForFunction(() => document.body.dataset.model === 'vae-z20-b1');
      const backend = (await tab.evaluate(() => hourglass.state())).backend;
      const rates: number[] = [];
      for (let r = 0; r < REPS; r++) {
        await tab.evaluate(() => hourglass.reset());
        await tab.evaluate(() => hourglass.trainFor(5, false));
        const { times } = await tab.evaluate((n) => hourglass.trainFor(n, false), STEPS);
        rates.push(((times.length - 1) * 1000) / (times[times.length - 1] - times[0]));
      }
      out[`page, ${backend}`] = median(rates);
      say(`page (${backend}): ${rates.map((x) => x.toFixed(1)).join(', ')} steps/s`);
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(downloads, { recursive: true, force: true });
  }
  return out;
};

const node = (): Record<string, number> => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hourglass.ts', 'vae', String(BATCH), String(NODE_STEPS), String(REPS), String(Math.min(2, CORES)), '16,1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node bench failed: ${r.stderr}`);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { modes: { steps_per_s: number[] }[] };
  say(`onnxruntime-node fused ×16: ${o.modes[0].steps_per_s.map((x) => x.toFixed(1)).join(', ')}; single: ${o.modes[1].steps_per_s.map((x) => x.toFixed(1)).join(', ')} steps/s`);
  return { 'onnxruntime-node, fused steps (16 per call)': median(o.modes[0].steps_per_s), 'onnxruntime-node, single steps': median(o.modes[1].steps_per_s) };
};

const tfjs = (): Record<string, number> => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/peer_tfjs.ts', String(BATCH), String(quick ? 10 : 30), String(REPS)], { encoding: 'utf8' });
  if (r.status !== 0) {
    say(`tfjs: skipped (${r.stderr.trim().split('\n').pop()})`);
    return {};
  }
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { steps_per_s: number[]; backend: string; threads: number };
  say(`TensorFlow.js ${o.backend}: ${o.steps_per_s.map((x) => x.toFixed(1)).join(', ')} steps/s`);
  return { [`TensorFlow.js (${o.backend} backend, Node)`]: median(o.steps_per_s) };
};

const results: Record<string, number> = { ...(await page([Math.min(2, CORES), 1])), ...node(), ...tfjs() };
if (json) console.log(JSON.stringify({ batch: BATCH, model: 'vae 784-400-20', cores: CORES, steps_per_s: results }));
else {
  const best = Object.entries(results).filter(([k]) => k.startsWith('page'));
  const pageBest = best.length ? Math.max(...best.map(([, v]) => v)) : NaN;
  console.log(`VAE 784-400-20-400-784, batch ${BATCH}, ${CORES} cores: training steps/s (median of ${REPS})`);
  for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(52)} ${v.toFixed(1).padStart(7)}${k.startsWith('page') ? '' : `   page best / this: ${(pageBest / v).toFixed(2)}×`}`);
}
