// The browser training page in real headless Chromium: it starts from the parameters `hourglass
// train` starts from, matches onnxruntime-node step for step to f32 rounding, trains live until
// the held-out loss falls, draws its views, and trades checkpoints with Node both ways.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../runtime/host/checkpoint';
import { splitHeldOut } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { trainEpochs, type LoopPosition } from '../runtime/core/loop';
import { trainRun } from '../runtime/run/trainRun';
import { vaeCatalog } from '../runtime/apps/serve/catalog';
import { servePage, type PageServer } from '../runtime/apps/serve/server';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { Rng } from '../runtime/core/random';
import { initialState, noiseRng } from '../runtime/core/trainState';
import { vae } from '../examples/vae';
import { haveChromium, launchChromium, CHROMIUM, type Browser } from './support/chromium';

if (!haveChromium) console.warn(`skipping the browser page tests: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)`);

const SEED = 1;
const STEPS = 20;
/** Held-out ELBO of the untrained VAE is ≈ 543 nats; one epoch brings the 2-D VAE near 200. */
const HELD_OUT_BELOW = 230;

const catalog = vaeCatalog(vae, SEED);
const model = E.isRight(catalog) ? catalog.right.models.find((m) => m.id === 'vae-z2-b1')! : undefined;
const digits = loadMnistDigits();
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-web-'));

interface HourglassApi {
  ready: Promise<void>;
  trainFor(n: number, draw?: boolean): Promise<{ step: number; times: number[] }>;
  checkpoint(): Promise<string>;
  state(): Promise<{ step: number; heldOut?: number; paused: boolean; isolated: boolean; backend: string; model: string }>;
}
declare const hourglass: HourglassApi;

const pageCheckpoint = async (page: Page): Promise<Checkpoint> => {
  const b64 = await page.evaluate(() => hourglass.checkpoint());
  const c = decodeCheckpoint(new Uint8Array(Buffer.from(b64, 'base64')), 'page checkpoint');
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right;
};

class Stop extends Error {}

/** Index of the first bitwise difference (length included), or -1; toEqual is slow on 300k floats. */
const firstDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
};

/** `steps` single steps in onnxruntime-node through the same loop the page drives. */
const nodeTrain = async (steps: number) => {
  const trainer = await openTrainer({ manifest: model!.manifest, files: model!.files }, { seed: SEED, threads: 1 });
  const { train, heldOut } = splitHeldOut(digits);
  let position: LoopPosition | undefined;
  try {
    await trainEpochs(trainer, train, heldOut, {
      epochs: 1000,
      batch: 128,
      seed: SEED,
      fuse: 1,
      checkpointEvery: 1,
      onCheckpoint: (p) => {
        position = p;
        if (p.step >= steps) throw new Stop();
      },
    });
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return { trainer, position: position! };
};

describe.skipIf(!haveChromium)('the training page in Chromium', () => {
  let server: PageServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (E.isLeft(catalog)) throw new Error(catalog.left);
    server = await servePage(catalog.right, digits, 0, '127.0.0.1');
    browser = await launchChromium(tmp);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.getElementById('message')!.textContent, null, { timeout: 60_000 });
    expect(await page.textContent('#message')).toBe('');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('is cross-origin isolated and trains on wasm threads (headless Chromium has no WebGPU adapter)', async () => {
    const s = await page.evaluate(() => hourglass.state());
    expect(s.isolated).toBe(true);
    expect(s.backend).toMatch(/^wasm, \d+ threads?; no WebGPU adapter$/);
  });

  test('starts from exactly the parameters, noise stream and batch order that hourglass train starts from', async () => {
    const c = await pageCheckpoint(page);
    expect(c.meta.specHash).toBe(model!.manifest.specHash);
    expect(c.meta.noiseState).toEqual(noiseRng(SEED).state());
    expect(c.meta.shuffleState).toEqual(Rng.seeded(SEED).state());
    expect(c.meta).toMatchObject({ step: 0, epoch: 1, stepInEpoch: 0 });
    const init = initialState(model!.manifest, SEED);
    for (const [name, values] of Object.entries(init)) {
      expect(c.tensors[name], name).toBeInstanceOf(Float32Array);
      expect(firstDifference(c.tensors[name], values), name).toBe(-1);
    }
  });

  test(`after ${STEPS} steps on onnxruntime-web the parameters match onnxruntime-node to f32 rounding`, async () => {
    const { step } = await page.evaluate((n) => hourglass.trainFor(n, false), STEPS);
    expect(step).toBe(STEPS);
    const web = await pageCheckpoint(page);
    const node = await nodeTrain(STEPS);
    // Same batches and noise draws: positions and streams agree exactly.
    expect(web.meta).toMatchObject({ step: STEPS, epoch: node.position.epoch, stepInEpoch: node.position.stepInEpoch });
    expect(web.meta.shuffleState).toEqual(node.position.shuffleState);
    expect(web.meta.noiseState).toEqual(node.trainer.noiseState());
    for (const [k, v] of Object.entries(node.position.partial)) expect(Math.abs(web.meta.partial[k] - v), k).toBeLessThan(1e-5 * Math.abs(v) + 1e-4);
    // Tensors: two builds of onnxruntime sum in different orders; measured ≈ 1e-5 after 20 Adam steps.
    const snap = node.trainer.snapshot();
    let worst = 0;
    for (const [name, values] of Object.entries(snap)) {
      const w = web.tensors[name];
      expect(w.length, name).toBe(values.length);
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(w[i] - values[i]) / (1 + Math.abs(values[i])));
    }
    expect(worst).toBeLessThan(1e-4);
    // Keep a Node checkpoint for the page to open below.
    const meta = { ...node.position, noiseState: node.trainer.noiseState(), lr: node.trainer.learningRate, specHash: model!.manifest.specHash };
    writeFileSync(join(tmp, 'node.hgck'), Buffer.concat(encodeCheckpoint({ meta, tensors: snap })));
  });

  test(`trains live from the Start button until the held-out loss falls below ${HELD_OUT_BELOW}, drawing every view`, async () => {
    await page.click('#start');
    // A save while training waits for the gap between two steps: its noise stream has drawn
    // exactly `step` steps' noise (batch × latent normals each) past the seeded start.
    await page.waitForFunction((n) => Number(document.getElementById('step')!.textContent) > n, STEPS + 3);
    const live = await pageCheckpoint(page);
    const expected = noiseRng(SEED);
    expected.fillNormal(new Float32Array(live.meta.step * 128 * 2));
    expect(live.meta.step).toBeGreaterThan(STEPS);
    expect(live.meta.noiseState).toEqual(expected.state());
    await page.waitForFunction((limit) => Number(document.getElementById('heldout-loss')!.dataset.value || Infinity) < limit, HELD_OUT_BELOW, {
      timeout: 100_000,
      polling: 250,
    });
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('start')!.textContent === 'Start');
    // Every view drawn: many distinct grey levels, not a blank canvas.
    const levels = await page.evaluate(() =>
      Object.fromEntries(
        ['recon', 'samples', 'manifold'].map((id) => {
          const c = document.getElementById(id) as HTMLCanvasElement;
          const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          const seen = new Set<number>();
          for (let i = 0; i < px.length; i += 4) seen.add(px[i]);
          return [id, seen.size];
        }),
      ),
    );
    for (const [id, n] of Object.entries(levels)) expect(n, id).toBeGreaterThan(50);
    const chartPoints = await page.evaluate(() => document.querySelectorAll('#chart canvas').length);
    expect(chartPoints).toBeGreaterThan(0);
    const shot = join(tmpdir(), 'hourglass-web-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.HOURGLASS_SCREENSHOT) copyFileSync(shot, process.env.HOURGLASS_SCREENSHOT);
    console.log(`screenshot: ${shot}`);
  });

  test('a checkpoint downloaded from the page resumes in hourglass train; a Node checkpoint opens in the page', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#dl-checkpoint')]);
    expect(dl.suggestedFilename()).toBe('checkpoint.hgck');
    const run = join(tmp, 'run');
    mkdirSync(run);
    await dl.saveAs(join(run, 'checkpoint.hgck'));
    const c = decodeCheckpoint(readFileSync(join(run, 'checkpoint.hgck')), 'downloaded');
    if (E.isLeft(c)) throw new Error(c.left);
    const { step } = await page.evaluate(() => hourglass.state());
    expect(c.right.meta.step).toBe(step);
    const resumed = await trainRun({
      model: vae(2, 1).def,
      specPath: 'examples/vae.ts',
      dir: run,
      data: digits,
      resume: true,
      settings: { epochs: c.right.meta.epoch, batch: 128, lr: 1e-3, seed: SEED, optimizer: 'adam', provider: 'cpu', dtype: 'f32', data: 'mnist', checkpointEvery: 1000, threads: 1 },
      log: () => undefined,
    });
    if (E.isLeft(resumed)) throw new Error(resumed.left.message);
    expect(resumed.right.resumedFrom).toBe(step);
    expect(resumed.right.reports.at(-1)!.heldOut.loss).toBeLessThan(HELD_OUT_BELOW);

    await page.setInputFiles('#open-checkpoint', join(tmp, 'node.hgck'));
    await page.waitForFunction((n) => document.getElementById('message')!.textContent!.includes(`step ${n}`), STEPS);
    expect((await page.evaluate(() => hourglass.state())).step).toBe(STEPS);

    // The latent control picks another precompiled model, fresh from the seed; no manifold past 2-D.
    await page.selectOption('#latent', '8');
    await page.waitForFunction(() => document.body.dataset.model === 'vae-z8-b1');
    expect((await page.evaluate(() => hourglass.state())).step).toBe(0);
    expect(await page.isHidden('#manifold-figure')).toBe(true);
    expect(errors).toEqual([]);
  });
});
