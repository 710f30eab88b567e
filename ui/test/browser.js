/* browser.js - the headless Debian chromium that the browser test files
 * drive (playwright-core, never a downloaded browser): a persistent context
 * with a fresh profile folder per run (the persistent-context form of
 * --user-data-dir), 1024 px wide, downloads accepted, and the flags the
 * machine notes require; and pages that record uncaught errors. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './stack.js';

export const ARTIFACTS = path.join(ROOT, 'ui/test-artifacts');
const CHROMIUM = process.env.BIQ_CHROMIUM || '/usr/bin/chromium';

/** The browser context, with close() that also removes its profile. */
export async function launchBrowser() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'biq-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1024, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(userDir, { recursive: true, force: true });
  };
  return context;
}

/** A new page at url; its uncaught errors collect in page.errors. */
export async function openPage(context, url) {
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.errors = errors;
  await p.goto(url);
  return p;
}
