// The admin's job page in real Chromium at 1280 and 390 px (issue 20): the workers and what each takes, with a
// worker that cannot sandbox and its reason, and the warning when no running worker takes private CI runs.
// Screenshots: test-artifacts/screenshots/jobs-*.png.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage } from '../testing/browser.js';
import { createTestApp, makeUser, TEST_PASSWORD, type TestApp, type TestUser } from '../testing/harness.js';
import { describeCapability } from './capabilities.js';
import { beat } from './workers.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const KIND = 'ci.run';

describeInBrowser('the admin’s job page lists the workers', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl = '';
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    admin = await makeUser(t, { username: 'ada', roles: ['admin'] });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    t.ctx.config.publicUrl = baseUrl;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Two workers as they record themselves: beat() writes what this process describes at that moment. */
  async function twoWorkersBeat(): Promise<void> {
    describeCapability(KIND, () => ({ label: 'private CI runs', takes: true, note: 'sandboxed with bubblewrap, up to 1 at once (CI_CONCURRENCY).' }));
    await beat(t.ctx.storage.db, 'build-01.example.org:4242:a1b2c3', t.clock.now());
    describeCapability(KIND, () => ({ label: 'private CI runs', takes: false, note: 'this worker cannot sandbox (bubblewrap cannot start a sandbox here (are user namespaces allowed? try `bwrap --unshare-all true`): bwrap: setting up uid map: Permission denied): test runs stay queued for a worker that can.' }));
    await beat(t.ctx.storage.db, 'web-02.example.org:977:d4e5f6', t.clock.now());
  }

  const open = (viewport: { width: number; height: number }) => (t.clock.advance(60_000), signedInPage(browser, baseUrl, 'ada', { password: TEST_PASSWORD, totpSecret: admin.totpSecret ?? undefined, now: () => t.clock.now(), viewport }));
  const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('on a %s: each worker with what it takes, within the screen', async (name, viewport) => {
    const page = await open(viewport);
    await twoWorkersBeat();
    expect((await page.goto(`${baseUrl}/admin/jobs`))?.status()).toBe(200);
    await screenshot(page, `jobs-${name}-workers`);
    expect(await page.locator('tr[data-worker^="build-01"]').textContent()).toContain('takes private CI runs');
    expect(await page.locator('tr[data-worker^="web-02"]').textContent()).toContain('leaves private CI runs queued');
    expect(await page.locator('.flash.error').count()).toBe(0);
    // An empty queue says so instead of showing a table of headers only.
    expect(await page.locator('p.empty').textContent()).toBe('No job is waiting, running or failed for good.');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);

    // A minute later neither has beaten: both are silent, so nobody takes the runs, and the page says so.
    t.clock.advance(60_000);
    await page.reload();
    await screenshot(page, `jobs-${name}-silent`);
    expect(await page.locator('tr[data-worker^="build-01"] .badge.danger').textContent()).toBe('silent');
    expect(await page.locator('.flash.error').textContent()).toContain('No running worker takes private CI runs');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);
    await page.context().close();
  }, 120_000);
});
