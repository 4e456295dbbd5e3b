// The story test's instance (test support only): the real `cordon serve` boot (startServer) on a fresh
// data directory with SQLite, its in-process job worker, a clock the test moves for the disclosure hour,
// and a real SMTP sink on loopback. The setup link is read from what the server prints, as a newcomer does.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ManualClock } from '../../clock.js';
import { testConfig, type Config } from '../../config/config.js';
import { startServer, type RunningServer } from '../../server.js';
import { screenshotDir } from '../browser.js';
import { startSmtpSink, type SmtpSink } from '../../mail/testing/mail.js';

export interface StoryWorld {
  server: RunningServer;
  clock: ManualClock;
  baseUrl: string;
  /** The one-time setup link the server printed on its first start. */
  setupLink: string;
  sink: SmtpSink;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startStoryWorld(start: string, overrides: Partial<Config> = {}): Promise<StoryWorld> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-first-hour-'));
  const sink = await startSmtpSink();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const clock = new ManualClock(start);
  const config = testConfig({ dataDir, host: '127.0.0.1', port, publicUrl: baseUrl, smtpUrl: sink.url, inProcessWorker: true, ...overrides });
  // What `npm start` prints is the newcomer's only way in: capture it instead of calling the link maker.
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  let server: RunningServer;
  try {
    server = await startServer(config, clock);
  } finally {
    process.stdout.write = write;
  }
  const setupLink = new RegExp(`${baseUrl}/setup/[A-Za-z0-9_-]+`).exec(printed.join(''))?.[0];
  if (!setupLink) throw new Error(`the server printed no setup link:\n${printed.join('')}`);
  return {
    server,
    clock,
    baseUrl,
    setupLink,
    sink,
    close: async () => {
      await server.close();
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
export const storyShots = path.join(screenshotDir, 'first-hour');

/**
 * Looks at the page as it is at 1280 px and at 390 px (a screenshot of each), and asserts that at 390 px
 * nothing makes the page wider than the screen (issue 15 item 6). Leaves the page at 1280 px.
 */
let lastLook = Date.now();
export async function seeAtBothWidths(page: Page, step: string): Promise<void> {
  if (process.env.STORY_TIMING) process.stderr.write(`${step}: ${Date.now() - lastLook} ms since the last look\n`);
  lastLook = Date.now();
  mkdirSync(storyShots, { recursive: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(storyShots, `${step}-1280.png`), fullPage: true });
  // At 1280 px the header's links sit in one row (not wrapped into a ragged second line).
  const rows = await page.evaluate<{ spread: number; height: number }>(`(() => {
    const boxes = [...document.querySelectorAll('.site-header nav.nav-wide > a')].map((a) => a.getBoundingClientRect());
    const middles = boxes.map((b) => (b.top + b.bottom) / 2);
    return { spread: Math.max(...middles) - Math.min(...middles), height: Math.min(...boxes.map((b) => b.height)) };
  })()`);
  expect(rows.spread, `${step}: the header's links at 1280 px are in more than one row`).toBeLessThan(rows.height / 2);
  await page.setViewportSize(PHONE);
  // Strings, not functions: this project's TypeScript has no DOM library; the code runs in the page.
  const w = await page.evaluate<{ scroll: number; inner: number; wide: string[] }>(`({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('details:not([open])'))
      .slice(0, 5)
      .map((e) => e.tagName.toLowerCase() + '.' + e.className + ' in ' + e.parentElement.tagName.toLowerCase() + '.' + e.parentElement.className),
  })`);
  await page.screenshot({ path: path.join(storyShots, `${step}-390.png`), fullPage: true });
  expect(w.inner, step).toBe(PHONE.width);
  expect(w.scroll, `${step} at 390 px is ${w.scroll} px wide: ${w.wide.join(', ')}`).toBeLessThanOrEqual(w.inner);
  await page.setViewportSize(DESKTOP);
}
