import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..', '..');
export const RESULTS_DIR = join(ROOT, 'test-results');

export { ensureConsoleBuilt } from '../../../scripts/console-build';

export interface BrowserHandle {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless, with nothing that reaches the network on its own. Playwright
 * gives every launch a fresh profile directory of its own (and refuses --user-data-dir).
 */
export async function launchChromium(): Promise<BrowserHandle> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Runs a test body; on failure saves a screenshot of the page under test-results/. */
export async function withScreenshot(
  name: string,
  page: () => Page | undefined,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (err) {
    const p = page();
    if (p && !p.isClosed()) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = join(RESULTS_DIR, `console-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
      await p.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      process.stderr.write(`screenshot of the failed step: ${file}\n`);
    }
    throw err;
  }
}
