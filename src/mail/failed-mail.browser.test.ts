// In real Chromium at 1280 and 390 px (issue 15 item 2): the team key page, and a disclosure page whose
// pre-notice to one list was refused for good by the relay — the row says "failed" with the relay's
// words, nothing is wider than the screen, and Retry (a plain form) sends the mail again.
// Screenshots: test-artifacts/screenshots/coreflow-*.png.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { describeInBrowser, launchBrowser, screenshot, screenshotDir, signedInPage, startLiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { newTotpSecret } from '../accounts/totp.js';
import { sealTotpSecret } from '../accounts/secrets-at-rest.js';
import { systemScope } from '../context.js';
import { makeUser, TEST_PASSWORD, type TestUser } from '../testing/harness.js';
import { createFailedMailWorld, RELAY_MARKER, type FailedMailWorld } from './testing/failed-mail.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

describeInBrowser('the team key page and a failed pre-notice in the browser', () => {
  let f: FailedMailWorld;
  let browser: Browser;
  let baseUrl = '';
  let vera: TestUser;

  beforeAll(async () => {
    f = await createFailedMailWorld('sqlite');
    // One person who is VMT and admin: she sees the key page with its actions and the disclosure page.
    vera = await makeUser(f.w.t, { username: 'vera', roles: ['vmt', 'admin'] });
    const sent = await f.w.clients.vmt!.post(`/reports/${f.w.ref}/disclosure/prenotice`, { at: '', reason: '' }, `/reports/${f.w.ref}/disclosure`);
    expect(sent.statusCode).toBe(303);
    await f.drain();
    await f.w.t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = f.w.t.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    f.w.t.ctx.config.publicUrl = baseUrl;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  // Each TOTP step is accepted once (RFC 6238 §5.2): the test clock moves a minute on for each sign-in.
  const open = (viewport: { width: number; height: number }) => (f.w.t.clock.advance(60_000), signedInPage(browser, baseUrl, 'vera', { password: TEST_PASSWORD, totpSecret: vera.totpSecret ?? undefined, now: () => f.w.t.clock.now(), viewport }));
  const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');
  const goneRow = (page: Page) => page.locator('tr', { hasText: 'gone@example.net' });

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('on a %s: the key page and the failed recipient fit the screen', async (name, viewport) => {
    const page = await open(viewport);
    expect((await page.goto(`${baseUrl}/admin/keys`))?.status()).toBe(200);
    await screenshot(page, `coreflow-${name}-admin-keys`);
    expect(await page.locator('h1').textContent()).toBe('Team key');
    expect(await page.getByText('Example VMT <security@example.org>').isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Replace the team key…' }).isVisible()).toBe(true);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);

    expect((await page.goto(`${baseUrl}/reports/${f.w.ref}/disclosure`))?.status()).toBe(200);
    await screenshot(page, `coreflow-${name}-disclosure-failed`);
    const row = goneRow(page);
    expect(await row.locator('.badge.danger').textContent()).toBe('failed');
    // The relay's words as text: the markup it sent is shown, not rendered.
    expect(await row.locator('.mail-error').textContent()).toContain(`<b>${RELAY_MARKER}</b>`);
    expect(await row.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);

    await page.goto(`${baseUrl}/reports/${f.w.ref}`);
    await screenshot(page, `coreflow-${name}-report-failed-mail`);
    expect(await page.locator('.mail-problems').getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    // The card alone as well: the whole report page is too long to read the card in its screenshot.
    await page.locator('.mail-problems').screenshot({ path: path.join(screenshotDir, `coreflow-${name}-report-mail-card.png`) });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);
    await page.context().close();
  }, 120_000);

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('on a fresh instance (%s): the page says how to set PGP_PASSPHRASE, then the key is generated in the browser', async (name, viewport) => {
    const server = await startLiveServer();
    try {
      const scope = systemScope(server.ctx);
      const admin = await createAccount(scope, { username: 'ada', email: 'ada@example.org', displayName: 'Ada Admin', password: TEST_PASSWORD, roles: ['admin'] });
      const totpSecret = newTotpSecret();
      await server.ctx.storage.db.updateTable('users').set({ totp_secret: sealTotpSecret(server.ctx.storage, totpSecret), totp_enabled_at: new Date().toISOString() }).where('id', '=', admin.id).execute();
      server.ctx.config.pgpPassphrase = undefined;
      const page = await signedInPage(browser, server.baseUrl, 'ada', { password: TEST_PASSWORD, totpSecret, viewport });
      await page.goto(`${server.baseUrl}/admin/keys`);
      await screenshot(page, `coreflow-${name}-admin-keys-fresh`);
      expect(await page.getByRole('heading', { name: 'PGP_PASSPHRASE is not usable: no key can be made, imported or used' }).isVisible()).toBe(true);
      expect(await page.getByText('The addresses are placeholders.').isVisible()).toBe(true);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);

      // The operator sets the variable and restarts; here the running config stands in for the restart.
      server.ctx.config.pgpPassphrase = 'a passphrase from the environment';
      await page.reload();
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Generate the team key' }).click()]);
      expect(await page.locator('.flash.success').textContent()).toMatch(/^Team key [0-9A-F ]+ is now current/);
      expect(await page.locator('dl.facts').getByText('Cordon Security Team <security@localhost>').isVisible()).toBe(true);
      await screenshot(page, `coreflow-${name}-admin-keys-generated`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);
      await page.context().close();
    } finally {
      await server.close();
    }
  }, 120_000);

  it('Retry in the browser queues the mail again; the relay takes it and the row says sent', async () => {
    f.refusing.clear();
    const page = await open(DESKTOP);
    await page.goto(`${baseUrl}/reports/${f.w.ref}/disclosure`);
    await Promise.all([page.waitForNavigation(), goneRow(page).getByRole('button', { name: 'Retry' }).click()]);
    expect(new URL(page.url()).pathname, await page.locator('main').innerText()).toBe(`/reports/${f.w.ref}/disclosure`);
    expect(await page.locator('.flash.success').textContent()).toContain('The mail to gone@example.net is queued again.');
    await f.drain();
    await page.reload();
    expect(await goneRow(page).locator('.badge').first().textContent()).toBe('sent');
    expect(f.receivedFor('gone@example.net')).toHaveLength(1);
    await screenshot(page, 'coreflow-desktop-disclosure-retried');
    await page.context().close();
  }, 120_000);
});
