// The README's picture of the page: the default VAE (latent 2) trained for a few epochs in
// headless Chromium, then photographed. Usage: tsx bench/web-screenshot.ts [steps] [out.png]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { vaeCatalog } from '../runtime/apps/serve/catalog';
import { vae } from '../examples/vae';
import { servePage } from '../runtime/apps/serve/server';
import { launchChromium } from '../test/support/chromium';

const steps = Number(process.argv[2] ?? 620);
const out = process.argv[3] ?? 'docs/web-page.png';
declare const hourglass: { trainFor(n: number, draw?: boolean): Promise<unknown> };

const catalog = vaeCatalog(vae, 1);
if (E.isLeft(catalog)) throw new Error(catalog.left);
const server = await servePage(catalog.right, loadMnistDigits(), 0, '127.0.0.1');
const downloads = mkdtempSync(join(tmpdir(), 'hourglass-shot-'));
const browser = await launchChromium(downloads);
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
  await page.evaluate((n) => hourglass.trainFor(n, true), steps);
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out} after ${steps} steps`);
} finally {
  await browser.close();
  await server.close();
  rmSync(downloads, { recursive: true, force: true });
}
