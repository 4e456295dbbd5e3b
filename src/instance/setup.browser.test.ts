// In real Chromium (issue 15, "a setup that finishes in the browser"): from the one-time setup link to a
// complete first-run checklist, at 1280 px and at 390 px — the first admin enrols 2FA and lands on the
// checklist, sets name, URL and addresses, sends a test mail and sees it sent, creates a project with
// branches and a repository, and invites one person with several hats. No CLI step; the team key step is
// generated here through the same function the keys page (/admin/keys) calls. No page is wider than the
// screen. Screenshots: test-artifacts/screenshots/setup-<viewport>-*.png.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, startLiveServer, type LiveServer } from '../testing/browser.js';
import { ensureSetupLink } from '../accounts/invites.js';
import { currentTotp } from '../accounts/totp.js';
import { systemScope } from '../context.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { generateAndStoreTeamKey } from '../keys/team-keys.js';

const PASSWORD = 'correct horse battery staple';
const VIEWPORTS = [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const;

describeInBrowser('the first-run checklist in the browser', () => {
  let browser: Browser;
  const servers: LiveServer[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  async function fitsTheScreen(page: Page, width: number, what: string): Promise<void> {
    const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scroll, `${what} at ${width} px`).toBeLessThanOrEqual(width);
  }

  it.each(VIEWPORTS)('walks from the setup link to a complete checklist on a %s', async (name, viewport) => {
    const server = await startLiveServer();
    servers.push(server);
    server.ctx.config.pgpPassphrase = 'browser setup passphrase';
    const base = server.baseUrl;
    const shot = async (page: Page, label: string) => {
      await fitsTheScreen(page, viewport.width, label);
      await screenshot(page, `setup-${name}-${label}`);
    };
    const link = (await ensureSetupLink(systemScope(server.ctx)))!;
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();

    // The setup link: the first admin, then two-factor enrolment, then the checklist.
    await page.goto(link);
    await page.locator('#f-username').fill('root');
    await page.locator('#f-display_name').fill('Rita Root');
    await page.locator('#f-email').fill('rita@widget.example');
    await page.locator('#f-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.waitForURL('**/account/security');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secret = (await page.locator('#totp-secret').textContent())!.trim();
    await page.locator('#f-code').fill(currentTotp(secret, new Date()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('link', { name: 'I have saved them: continue to the first-run checklist' }).click();
    await page.waitForURL('**/admin/setup');
    expect(await page.locator('p.lead').textContent()).toContain('0 of 6 steps done');
    await shot(page, '1-checklist-start');
    await page.goto(`${base}/admin`);
    expect(await page.locator('.setup-card').textContent()).toContain('Next: Instance name and public URL.');
    await shot(page, '1-admin-with-card');
    await page.goto(`${base}/admin/setup`);

    // Name, URL and addresses.
    await page.getByRole('link', { name: 'Set name and URL' }).click();
    await page.waitForURL('**/admin/settings');
    await page.locator('#f-instance_name').fill('Widget Security');
    await page.locator('#f-public_url').fill(base);
    await page.locator('#f-team_email').fill('security@widget.example');
    await page.locator('#f-mail_from').fill('Widget Security <security@widget.example>');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL('**/admin/settings');
    expect(await page.locator('.flash').textContent()).toContain('Settings saved');
    expect(await page.locator('a.brand').textContent()).toContain('Widget Security');

    // The test mail: queued, then (after the worker ran) sent, read from the outbox's delivery record.
    expect(await page.locator('#f-to').inputValue()).toBe('rita@widget.example');
    await page.getByRole('button', { name: 'Send a test mail' }).click();
    await page.waitForURL('**/admin/settings*');
    expect(await page.locator('.test-mail-result .badge').textContent()).toBe('queued');
    await new Worker({ storage: server.ctx.storage, config: server.ctx.config, clock: server.ctx.clock, registry: buildJobRegistry(server.ctx) }).drain();
    await page.reload();
    expect(await page.locator('.test-mail-result .badge').textContent()).toBe('sent');
    await shot(page, '2-settings-test-mail-sent');

    // The team key (the keys page is /admin/keys; here its function, so this test needs no other page).
    await generateAndStoreTeamKey(systemScope(server.ctx), {});

    // The first project, with branches and a repository.
    await page.goto(`${base}/admin/setup`);
    await page.getByRole('link', { name: 'Create a project' }).click();
    await page.waitForURL('**/admin/projects/new');
    await page.locator('#f-name').fill('Widget');
    await page.locator('#f-slug').fill('widget');
    await page.locator('#f-branches').fill('main\nstable/1.0');
    await page.locator('#f-repositories').fill('widget https://git.widget.example/widget.git');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL('**/admin/projects/widget');

    // What published records say: only what is entered here (no OpenStack defaults on a new instance).
    await page.goto(`${base}/admin/setup`);
    await page.getByRole('link', { name: 'Choose publication settings' }).click();
    await page.waitForURL('**/admin/publication');
    await page.locator('#f-vendor_name').fill('Widget Foundation');
    await page.locator('#f-cna_choice').selectOption('none');
    await page.getByRole('button', { name: 'Save publication settings' }).click();
    await page.waitForURL('**/admin/publication');

    // People: one invitation with three hats.
    await page.goto(`${base}/admin/setup`);
    await page.getByRole('link', { name: 'Invite people' }).click();
    await page.waitForURL('**/admin/users*');
    await page.locator('#f-invite_email').fill('hats@widget.example');
    await page.locator('#f-invite_roles-vmt').check();
    await page.locator('[id="f-invite_project_roles-widget:lead"]').check();
    await page.locator('[id="f-invite_project_roles-widget:coresec"]').check();
    await shot(page, '3-invite-with-hats');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.waitForURL('**/admin/users');
    expect(await page.locator('.flash').textContent()).toContain('Invitation sent');
    expect(await page.locator('.two-person-rules').textContent()).toContain('publishing needs a second VMT member');

    // Complete: the checklist says so, and the admin pages no longer show the card.
    await page.goto(`${base}/admin/setup`);
    expect(await page.locator('p.lead').textContent()).toBe('Everything the core flow needs is in place.');
    expect(await page.locator('.setup-steps li.ok').count()).toBe(6);
    await shot(page, '4-checklist-complete');
    await page.goto(`${base}/admin`);
    expect(await page.locator('.setup-card').count()).toBe(0);
    await shot(page, '5-admin');
    await context.close();
  }, 180_000);
});
