// `npm run bench:web`: training throughput of the browser page (onnxruntime-web, wasm, in headless
// Chromium) beside onnxruntime-node (bench/hourglass.ts: fused and single steps) and beside
// TensorFlow.js's wasm backend training the same VAE (bench/peer_tfjs.ts), all at batch 128 on
// the VAE 784-400-20-400-784. Steps/s are medians over interleaved repetitions after warm-up; the
// page's are timed inside the page, single steps, no drawing. `--json` prints one object; `--quick` fewer steps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { vaeCatalog } from '../runtime/apps/serve/catalog';
import { vae } from '../examples/vae';
import { servePage } from '../runtime/apps/serve/server';
import type { Page } from 'playwright-core';
import { haveChromium, launchChromium, CHROMIUM } from '../test/support/chromium';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 5;
const STEPS = quick ? 30 : 50; // within one epoch (62 steps at batch 128), so no held-out pass is timed
const NODE_STEPS = quick ? 64 : 128;
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

type Rates = Record<string, number[]>;
const push = (into: Rates, key: string, x: number) => (into[key] ??= []).push(x);

/** One tab per thread count, left open; each call times `STEPS` fresh single steps in each. */
const openPages = async (threadCounts: number[]) => {
  if (!haveChromium) {
    say(`page: skipped (no Chromium at ${CHROMIUM})`);
    return { measure: async (_into: Rates) => undefined, close: async () => undefined };
  }
  const catalog = vaeCatalog(vae, 1);
  if (E.isLeft(catalog)) throw new Error(catalog.left);
  const server = await servePage(catalog.right, loadMnistDigits(), 0, '127.0.0.1');
  const downloads = mkdtempSync(join(tmpdir(), 'hourglass-bench-web-'));
  const browser = await launchChromium(downloads);
  const tabs: { tab: Page; backend: string }[] = [];
  for (const threads of threadCounts) {
    const tab = await browser.context.newPage();
    await tab.goto(`${server.url}?threads=${threads}&backend=wasm`);
    await tab.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
    await tab.selectOption('#latent', '20');
    await tab.waitForFunction(() => document.body.dataset.model === 'vae-z20-b1');
    tabs.push({ tab, backend: (await tab.evaluate(() => hourglass.state())).backend });
  }
  return {
    measure: async (into: Rates) => {
      for (const { tab, backend } of tabs) {
        await tab.evaluate(() => hourglass.reset());
        await tab.evaluate(() => hourglass.trainFor(5, false));
        const { times } = await tab.evaluate((n) => hourglass.trainFor(n, false), STEPS);
        push(into, `page, ${backend}`, ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]));
      }
    },
    close: async () => {
      await browser.close();
      await server.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
};

const node = (into: Rates) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hourglass.ts', 'vae', String(BATCH), String(NODE_STEPS), '1', String(Math.min(2, CORES)), '16,1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node bench failed: ${r.stderr}`);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { modes: { steps_per_s: number[] }[] };
  push(into, 'onnxruntime-node, fused steps (16 per call)', o.modes[0].steps_per_s[0]);
  push(into, 'onnxruntime-node, single steps', o.modes[1].steps_per_s[0]);
};

let tfjsMissing = false;
const tfjs = (into: Rates) => {
  if (tfjsMissing) return;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/peer_tfjs.ts', String(BATCH), String(quick ? 10 : 20), '1'], { encoding: 'utf8' });
  if (r.status !== 0) {
    say(`tfjs: skipped (${r.stderr.trim().split('\n').pop()})`);
    tfjsMissing = true;
    return;
  }
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { steps_per_s: number[]; backend: string };
  push(into, `TensorFlow.js (${o.backend} backend, Node)`, o.steps_per_s[0]);
};

// Interleaved: every repetition measures every trainer in turn, so a shared machine's load
// slows them alike and the per-repetition ratios hold even when the absolute rates drift.
const rates: Rates = {};
const pages = await openPages([Math.min(2, CORES), 1]);
try {
  for (let r = 0; r < REPS; r++) {
    await pages.measure(rates);
    node(rates);
    tfjs(rates);
    say(`repetition ${r + 1}: ${Object.entries(rates).map(([k, v]) => `${k} ${v[r]?.toFixed(1)}`).join('; ')}`);
  }
} finally {
  await pages.close();
}
const pageKeys = Object.keys(rates).filter((k) => k.startsWith('page'));
/** Per repetition, the best page rate over this trainer's, then the median over repetitions. */
const ratio = (k: string) => median(rates[k].map((x, r) => Math.max(...pageKeys.map((p) => rates[p][r])) / x));
const results: Record<string, number> = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
if (json) console.log(JSON.stringify({ batch: BATCH, model: 'vae 784-400-20', cores: CORES, steps_per_s: results, page_best_over: Object.fromEntries(Object.keys(rates).filter((k) => !k.startsWith('page')).map((k) => [k, pageKeys.length ? ratio(k) : null])) }));
else {
  console.log(`VAE 784-400-20-400-784, batch ${BATCH}, ${CORES} cores: training steps/s (median of ${REPS}, interleaved)`);
  for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(52)} ${v.toFixed(1).padStart(7)}${k.startsWith('page') || !pageKeys.length ? '' : `   best page / this (paired): ${ratio(k).toFixed(2)}×`}`);
}
