// In real Chromium: the first admin signs up through the setup link, enables TOTP, creates a project and
// a user. Screenshots of each page go to test-artifacts/screenshots/.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, startLiveServer, type LiveServer } from '../testing/browser.js';
import { ensureSetupLink } from '../accounts/invites.js';
import { systemScope } from '../context.js';
import { currentTotp } from '../accounts/totp.js';

describeInBrowser('foundation in a real browser', () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sets up the first admin, enables TOTP, creates a project and a user', async () => {
    const link = (await ensureSetupLink(systemScope(server.ctx)))!;
    await page.goto(link);
    await screenshot(page, 'foundation-01-setup');
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.org');
    await page.getByLabel('Password').fill('analytical engine 1843');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.waitForURL('**/account/security');
    expect(await page.locator('.flash.success').textContent()).toContain('Your admin account is ready');
    expect(await page.locator('.banner.warn').textContent()).toContain('admin role is inactive');
    await screenshot(page, 'foundation-02-security-before');

    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await page.waitForSelector('#totp-secret');
    await screenshot(page, 'foundation-03-totp-enrol');
    const secret = (await page.locator('#totp-secret').textContent())!.trim();
    await page.getByLabel('Code shown in the app').fill(currentTotp(secret, new Date()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForSelector('ul.codes');
    expect(await page.locator('ul.codes li').count()).toBe(10);
    await screenshot(page, 'foundation-04-recovery-codes');

    await page.goto(`${server.baseUrl}/admin`);
    expect(await page.locator('h1').textContent()).toBe('Administration');
    await screenshot(page, 'foundation-05-admin');

    await page.goto(`${server.baseUrl}/admin/projects/new`);
    await page.locator('#f-name').fill('Nova');
    await page.locator('#f-slug').fill('nova');
    await page.getByLabel('Description').fill('OpenStack Compute: provisions and manages virtual machines.');
    await page.getByLabel('Supported branches').fill('master\nstable/2026.1\nstable/2025.2');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL('**/admin/projects/nova');
    expect(await page.locator('.flash.success').textContent()).toContain('Project Nova created');
    await screenshot(page, 'foundation-06-project');

    await page.goto(`${server.baseUrl}/admin/users`);
    const form = page.locator('form[action="/admin/users"]');
    await form.locator('#f-username').fill('grace');
    await form.locator('#f-display_name').fill('Grace Hopper');
    await form.locator('#f-email').fill('grace@example.org');
    await form.getByLabel('Initial password').fill('cobol compiler 1959');
    await form.getByLabel('VMT member').check();
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/admin\/users\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain('Grace Hopper');
    await screenshot(page, 'foundation-07-user');

    await page.goto(`${server.baseUrl}/admin/users`);
    expect(await page.locator('table').textContent()).toContain('grace@example.org');
    await screenshot(page, 'foundation-08-people');

    await page.goto(`${server.baseUrl}/projects`);
    await screenshot(page, 'foundation-09-projects');

    // A form error keeps the input and points at the field.
    await page.goto(`${server.baseUrl}/admin/projects/new`);
    await page.locator('#f-name').fill('Broken');
    await page.locator('#f-slug').fill('Not A Slug!');
    await page.getByRole('button', { name: 'Create project' }).click();
    expect(await page.locator('.error-summary').textContent()).toContain('lowercase letters');
    expect(await page.locator('#f-name').inputValue()).toBe('Broken');
    await screenshot(page, 'foundation-10-form-error');

    await page.goto(`${server.baseUrl}/admin/audit`);
    expect(await page.locator('body').textContent()).toContain('chain intact');
    await screenshot(page, 'foundation-11-audit');
  });
});
