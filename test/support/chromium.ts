// Debian's Chromium driven by playwright-core: headless, no GPU, no network beyond the page's
// own server, and a fresh profile per launch so nothing carries over between runs.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.HOURGLASS_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export const launchChromium = async (downloads?: string): Promise<Browser> => {
  const profile = mkdtempSync(join(tmpdir(), 'hourglass-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    downloadsPath: downloads,
    viewport: { width: 1200, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
};

export const hasChromium = haveChromium;

/** A plain browser (its own temporary profile, made by playwright) for tests that open pages. */
export const launchBrowser = (): Promise<import('playwright-core').Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
