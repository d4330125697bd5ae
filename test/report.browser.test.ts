// `hourglass report` opened in real headless Chromium: every image decodes (naturalWidth > 0),
// no console errors, the sections and captions are there; a screenshot is saved.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { escapeHtml, reportHtml } from '../runtime/analysis/report/html';
import { CHROMIUM, hasChromium, launchBrowser } from './support/chromium';
import { hourglass as runCli, writeVaeSpec } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hourglass = (...args: string[]) => runCli(args);

describe('report HTML', () => {
  test('text is escaped, figures become data URIs', () => {
    const html = reportHtml({
      title: '<x>',
      specPath: 'a&b.ts',
      specSource: 'const a = 1 < 2;',
      settings: { lr: 0.001 },
      data: [['data set', 'mnist']],
      terms: [{ name: 'reconstruction', train: 1, heldOut: 2 }],
      figures: [{ file: 'a.svg', title: 't', caption: 'c', paper: 'Kingma & Welling 2013, Fig. 4', bytes: '<svg xmlns="http://www.w3.org/2000/svg"/>' }],
      generated: 'now',
    });
    expect(html).toContain('<title>&lt;x&gt;</title>');
    expect(html).toContain('const a = 1 &lt; 2;');
    expect(html).toContain('src="data:image/svg+xml;base64,');
    expect(html).toContain(escapeHtml('Kingma & Welling 2013, Fig. 4'));
    expect(html).not.toMatch(/src="(?!data:)/); // nothing fetched from elsewhere
  });
});

describe.runIf(hasChromium)('hourglass report in Chromium', () => {
  test('every figure loads, no console errors, screenshot saved', async () => {
    const spec = writeVaeSpec(tmp, 'vae2', 64);
    const run = join(tmp, 'run');
    const t = hourglass('train', spec, '--data', 'mnist', '--epochs', '2', '--out', run, '--no-typecheck');
    expect(t.code, t.err).toBe(0);
    const out = join(tmp, 'report.html');
    const r = hourglass('report', run, '--out', out);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Kingma &amp; Welling 2013, Fig. 4');
    expect(html).toContain('Hinton &amp; Salakhutdinov 2006, Fig. 3');

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      const requests: string[] = [];
      page.on('request', (q) => {
        if (!q.url().startsWith('file:') && !q.url().startsWith('data:')) requests.push(q.url());
      });
      await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
      const images = await page.$$eval('img', (els) => els.map((e) => ({ alt: e.getAttribute('alt'), w: (e as HTMLImageElement).naturalWidth, done: (e as HTMLImageElement).complete })));
      expect(images.length).toBe(6); // curves, reconstructions, codes, samples, manifold, traversals
      for (const img of images) {
        expect(img.done, img.alt ?? '').toBe(true);
        expect(img.w, img.alt ?? '').toBeGreaterThan(0);
      }
      const captions = await page.$$eval('figcaption', (els) => els.map((e) => e.textContent ?? ''));
      expect(captions.some((c) => c.includes('Reproduces Kingma & Welling 2013, Fig. 4'))).toBe(true);
      expect(await page.$$eval('h2', (els) => els.map((e) => e.textContent))).toEqual(['Metrics', 'Hyperparameters', 'Data and split', 'Figures', 'Spec']);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const shot = join(tmp, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      if (process.env.HOURGLASS_SAVE_SCREENSHOT) copyFileSync(shot, process.env.HOURGLASS_SAVE_SCREENSHOT);
    } finally {
      await browser.close();
    }
  }, 600_000); // generous for a loaded shared machine
});

if (!hasChromium) console.warn(`report.browser.test: skipping the Chromium test, ${CHROMIUM} is missing (apt-get install chromium)`);
