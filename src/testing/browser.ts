// Real Chromium (Debian's) for browser tests, with the flags this sandbox needs.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../clock.js';
import { testConfig } from '../config/config.js';
import type { AppContext } from '../context.js';
import { buildApp } from '../http/app.js';
import { createLogger } from '../logging.js';
import { createTestStorage, type TestStorage } from './databases.js';
import { repoPath } from './fixture-files.js';
import { describeIf } from './skips.js';
import { currentTotp } from '../accounts/totp.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
export const chromiumMissing = `Chromium not found at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`;

/** A browser suite: skipped with the reason where Chromium is missing; on CI (CI=true) that is a failure. */
export function describeInBrowser(title: string, fn: () => void): void {
  describeIf(chromiumAvailable, chromiumMissing, title, fn);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export const screenshotDir = repoPath('test-artifacts', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface LiveServer {
  ctx: AppContext;
  app: FastifyInstance;
  baseUrl: string;
  db: TestStorage;
  close(): Promise<void>;
}

/** A real listening server on a free loopback port, with the system clock. */
export async function startLiveServer(clock: Clock = systemClock): Promise<LiveServer> {
  const db = await createTestStorage('sqlite');
  const config = testConfig({ dataDir: db.dataDir, host: '127.0.0.1', port: 0 });
  const ctx: AppContext = { config, storage: db.storage, clock, log: createLogger({ logLevel: 'silent' }) };
  const { app } = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  ctx.config.publicUrl = baseUrl;
  return {
    ctx,
    app,
    baseUrl,
    db,
    close: async () => {
      await app.close();
      await db.cleanup();
    },
  };
}

export interface SignInOptions {
  password: string;
  /** The account's TOTP secret, when it has one; codes are computed at `now()` (the server's clock). */
  totpSecret?: string | undefined;
  now?: () => Date;
  viewport?: { width: number; height: number };
}

/** A fresh browser context signed in through the real sign-in pages (and the TOTP step when enrolled). */
export async function signedInPage(browser: Browser, baseUrl: string, username: string, options: SignInOptions): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.locator('#f-login').fill(username);
  await page.locator('#f-password').fill(options.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (options.totpSecret) {
    await page.waitForURL('**/login/totp**');
    // Each code is accepted once (RFC 6238 §5.2): when this user signed in already in this 30 s step, the
    // next step's code (accepted for clock drift) is the one to use.
    for (const ahead of [0, 30_000]) {
      const now = (options.now ?? (() => new Date()))();
      await page.locator('#f-code').fill(currentTotp(options.totpSecret, new Date(now.getTime() + ahead)));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForLoadState();
      if (!new URL(page.url()).pathname.startsWith('/login/totp')) break;
    }
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}
