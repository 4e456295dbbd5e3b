// The webhook pages in real Chromium against a live server, with deliveries sent by the real job worker to a
// real HTTP receiver on 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE_NETWORKS on): an admin adds an endpoint and sees its
// secret once, a report is filed, the failed delivery shows on the endpoint's page with its answer, "Send
// again" adds an attempt, a new secret is shown once, disable and delete work; a project's lead finds the project's webhooks from the
// project page and is offered public events only. At 1280 and 390 px nothing is wider than the screen.
// Screenshots: test-artifacts/screenshots/webhooks-*.png.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage, startLiveServer, type LiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { newTotpSecret } from '../accounts/totp.js';
import { sealTotpSecret } from '../accounts/secrets-at-rest.js';
import { systemScope } from '../context.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { receiveReport } from '../reports/intake.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { TEST_PASSWORD } from '../testing/harness.js';
import { PRIVATE_EVENTS, PUBLIC_EVENTS } from './events.js';
import { verifyDelivery } from './signature.js';
import { Receiver } from './testing/receiver.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const VIEWPORTS = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;

describeInBrowser('the webhook pages in the browser', () => {
  let server: LiveServer;
  let browser: Browser;
  let receiver: Receiver;
  let adminTotp = '';
  let admin: Page;
  let secret = '';
  let endpointPath = '';

  const drain = () => new Worker({ storage: server.ctx.storage, config: server.ctx.config, clock: server.ctx.clock, registry: buildJobRegistry(server.ctx) }).drain();
  const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');
  /** Screenshots of the page at both widths, each checked for anything wider than the screen. */
  async function bothWidths(page: Page, name: string): Promise<void> {
    for (const [label, viewport] of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await screenshot(page, `webhooks-${label}-${name}`);
      expect(await scrollWidth(page), `${name} at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
    }
    await page.setViewportSize(DESKTOP);
  }
  const submit = (page: Page, button: ReturnType<Page['locator']>) => Promise.all([page.waitForNavigation(), button.click()]);

  beforeAll(async () => {
    server = await startLiveServer();
    server.ctx.config.webhookAllowPrivateNetworks = true;
    receiver = new Receiver();
    await receiver.start();
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    await createProject(scope, { slug: 'nova', name: 'Nova', description: 'Compute service', branches: ['master'] });
    const ada = await createAccount(scope, { username: 'ada', email: 'ada@example.org', displayName: 'Ada Admin', password: TEST_PASSWORD, roles: ['admin'] });
    adminTotp = newTotpSecret();
    await server.ctx.storage.db.updateTable('users').set({ totp_secret: sealTotpSecret(server.ctx.storage, adminTotp), totp_enabled_at: new Date().toISOString() }).where('id', '=', ada.id).execute();
    const lena = await createAccount(scope, { username: 'lena', email: 'lena@example.org', displayName: 'Lena Lead', password: TEST_PASSWORD, roles: [] });
    await setProjectMember(scope, 'nova', lena.id, 'lead', true);
    await createAccount(scope, { username: 'paul', email: 'paul@example.org', displayName: 'Paul Plain', password: TEST_PASSWORD, roles: [] });
    admin = await signedInPage(browser, server.baseUrl, 'ada', { password: TEST_PASSWORD, totpSecret: adminTotp, viewport: DESKTOP });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await server?.close();
  });

  it('an admin reaches the webhooks from the admin page, sees the empty list, adds an endpoint and its secret once', async () => {
    await admin.goto(`${server.baseUrl}/admin`);
    await submit(admin, admin.locator('main a[href="/admin/webhooks"]'));
    expect(new URL(admin.url()).pathname).toBe('/admin/webhooks');
    expect(await admin.getByText('No endpoints yet.').isVisible()).toBe(true);
    await bothWidths(admin, 'admin-empty');

    await admin.getByLabel('URL').fill(receiver.url('/chat'));
    await admin.getByLabel('Description').fill('#security chat room');
    // Every event is offered to an admin; check two private ones as well.
    for (const e of [...PUBLIC_EVENTS, ...PRIVATE_EVENTS]) expect(await admin.getByLabel(e, { exact: true }).count(), e).toBe(1);
    await admin.getByLabel('report.received', { exact: true }).check();
    await admin.getByLabel('report.state_changed', { exact: true }).check();
    await submit(admin, admin.getByRole('button', { name: 'Add endpoint' }));
    secret = (await admin.locator('#new-webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(await admin.getByRole('link', { name: receiver.url('/chat') }).isVisible()).toBe(true);
    await bothWidths(admin, 'admin-list-secret');
    await admin.reload();
    expect(await admin.locator('#new-webhook-secret').count()).toBe(0);
    await bothWidths(admin, 'admin-list');
    await submit(admin, admin.getByRole('link', { name: receiver.url('/chat') }));
    endpointPath = new URL(admin.url()).pathname;
    expect(endpointPath).toMatch(/^\/webhooks\/\d+$/);
    expect(await admin.getByText(/^Nothing delivered yet/).isVisible()).toBe(true);
  }, 120_000);

  it('a filed report reaches the receiver signed; a refused delivery shows on the page and "Send again" adds an attempt', async () => {
    receiver.script('/chat', 410);
    const { report } = await receiveReport(systemScope(server.ctx), { title: 'Hidden title marker-q9', description: 'Hidden steps marker-z2', projects: ['nova'], email: 'finder@example.net' }, [], 'web');
    await drain();
    const [first] = receiver.on('/chat');
    expect(first!.headers['x-cordon-event']).toBe('report.received');
    expect(verifyDelivery(secret, String(first!.headers['x-cordon-timestamp']), first!.body, String(first!.headers['x-cordon-signature-256']))).toBe(true);
    expect(first!.body).not.toContain('marker-');

    await admin.goto(`${server.baseUrl}${endpointPath}`);
    const deliveryId = String(first!.headers['x-cordon-delivery']);
    const row = admin.locator(`#delivery-${deliveryId}`);
    expect(await row.locator('.badge').textContent()).toBe('failed');
    expect(await row.getByText(report.ref).isVisible()).toBe(true);
    expect(await row.locator('ol.attempts li').allTextContents()).toEqual([expect.stringContaining('HTTP 410')]);
    await bothWidths(admin, 'endpoint-failed');

    await submit(admin, row.getByRole('button', { name: `Send delivery ${deliveryId} again` }));
    expect(await admin.locator('.flash.success').textContent()).toContain('queued again');
    expect(await row.locator('.badge').textContent()).toBe('pending');
    await drain();
    await admin.reload();
    expect(await row.locator('.badge').textContent()).toBe('delivered');
    const attempts = await row.locator('ol.attempts li').allTextContents();
    expect(attempts).toHaveLength(2);
    expect(attempts[1]).toContain('HTTP 204');
    expect(receiver.on('/chat')).toHaveLength(2);
    await bothWidths(admin, 'endpoint-delivered');
  }, 120_000);

  it('a new secret is shown once on the endpoint’s page; disabled, the endpoint gets nothing; deleted, it leaves the list', async () => {
    await admin.goto(`${server.baseUrl}${endpointPath}`);
    await submit(admin, admin.getByRole('button', { name: 'Make a new secret' }));
    const renewed = (await admin.locator('#new-webhook-secret').textContent()) ?? '';
    expect(renewed).toMatch(/^whsec_/);
    expect(renewed).not.toBe(secret);
    await bothWidths(admin, 'endpoint-new-secret');
    await admin.reload();
    expect(await admin.locator('#new-webhook-secret').count()).toBe(0);
    await admin.getByLabel('Active', { exact: true }).uncheck();
    await submit(admin, admin.getByRole('button', { name: 'Save' }));
    expect(await admin.locator('.flash.success').textContent()).toContain('Endpoint saved.');
    expect(await admin.locator('.lead .badge').textContent()).toBe('disabled');
    const before = receiver.received.length;
    await receiveReport(systemScope(server.ctx), { title: 'Another', description: 'Another report', projects: ['nova'], email: 'finder@example.net' }, [], 'web');
    await drain();
    expect(receiver.received).toHaveLength(before);

    await submit(admin, admin.getByRole('button', { name: 'Delete endpoint' }));
    expect(new URL(admin.url()).pathname).toBe('/admin/webhooks');
    expect(await admin.locator('.flash.success').textContent()).toContain('Endpoint deleted.');
    expect(await admin.getByText('No endpoints yet.').isVisible()).toBe(true);
    expect(await server.ctx.storage.db.selectFrom('webhook_endpoints').select('id').execute()).toEqual([]);
  }, 120_000);

  it('a project’s lead reaches its webhooks from the project page and may choose public events only; others see no link', async () => {
    const lead = await signedInPage(browser, server.baseUrl, 'lena', { password: TEST_PASSWORD, viewport: DESKTOP });
    await lead.goto(`${server.baseUrl}/projects/nova`);
    await bothWidths(lead, 'project-page');
    await submit(lead, lead.getByRole('link', { name: 'Webhooks', exact: true }));
    expect(new URL(lead.url()).pathname).toBe('/projects/nova/webhooks');
    expect(await lead.locator('h1').textContent()).toBe('Webhooks of Nova');
    const boxes = lead.locator('input[name="events"]');
    const offered: string[] = [];
    for (let i = 0; i < (await boxes.count()); i += 1) offered.push((await boxes.nth(i).getAttribute('value')) ?? '');
    expect(offered.sort()).toEqual([...PUBLIC_EVENTS].sort());
    await bothWidths(lead, 'project-empty');

    await lead.getByLabel('URL').fill(receiver.url('/tracker'));
    await lead.getByLabel('advisory.published', { exact: true }).check();
    await submit(lead, lead.getByRole('button', { name: 'Add endpoint' }));
    expect(await lead.locator('#new-webhook-secret').textContent()).toMatch(/^whsec_/);
    await bothWidths(lead, 'project-list');
    await submit(lead, lead.getByRole('link', { name: receiver.url('/tracker') }));
    await bothWidths(lead, 'project-endpoint');
    await lead.context().close();

    const plain = await signedInPage(browser, server.baseUrl, 'paul', { password: TEST_PASSWORD, viewport: DESKTOP });
    await plain.goto(`${server.baseUrl}/projects/nova`);
    expect(await plain.getByRole('link', { name: 'Webhooks', exact: true }).count()).toBe(0);
    expect((await plain.goto(`${server.baseUrl}/projects/nova/webhooks`))?.status()).toBe(404);
    await plain.context().close();
  }, 120_000);
});
