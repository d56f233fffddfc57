// Debian's Chromium driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    timeout: 30_000,
  });
}

/** A page that fails the test on any uncaught page error; console errors are collected. */
export async function openPage(browser, url, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.goto(url);
  return { page, context, problems };
}

/** `openPage` for the demo, once its script has marked the page ready (`body[data-ready=true]`). */
export async function openDemo(browser, url, viewport) {
  const opened = await openPage(browser, url, viewport);
  await opened.page.waitForSelector('body[data-ready=true]');
  return opened;
}

/** The demo on a free port and a browser, both closed when test `t` ends (the browser first). */
export async function demoAndBrowser(t) {
  // Imported here, so that the matrix and the loading bench, which use this file without the demo, do not load it.
  const { startDemoServer } = await import('../../demo/serve.js');
  const demo = await startDemoServer({ port: 0 });
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await demo.close();
  });
  return { demo, browser };
}
