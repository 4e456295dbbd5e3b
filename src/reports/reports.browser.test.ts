// In real Chromium (issue 3): an anonymous reporter files a report with an attachment; a VMT member
// acknowledges, classifies and subscribes coresec; the coresec member sees it; an unrelated user gets a
// 404; the embargo passes on the clock and the report becomes public. Screenshots of each step.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../clock.js';
import { describeInBrowser, launchBrowser, screenshot, signedInPage, startLiveServer, type LiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { newTotpSecret } from '../accounts/totp.js';
import { systemScope } from '../context.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { receiveReport } from './intake.js';

const PASSWORD = 'correct horse battery staple';

describeInBrowser('reports in a real browser', () => {
  let server: LiveServer;
  let browser: Browser;
  const clock = new ManualClock(new Date());
  const totp: Record<string, string> = {};

  beforeAll(async () => {
    server = await startLiveServer(clock);
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    await createProject(scope, { slug: 'nova', name: 'Nova', description: 'Compute service', branches: ['master', 'stable/2026.1'] });
    await createProject(scope, { slug: 'horizon', name: 'Horizon', description: 'Dashboard', vmtOversees: false, securityContact: 'horizon-security@example.org' });
    for (const [username, roles] of [['vera', ['vmt']], ['cora', []], ['ursula', []]] as const) {
      const u = await createAccount(scope, { username, email: `${username}@example.org`, displayName: username[0]!.toUpperCase() + username.slice(1), password: PASSWORD, roles: [...roles] });
      if (roles.length) {
        totp[username] = newTotpSecret();
        await server.ctx.storage.db.updateTable('users').set({ totp_secret: totp[username], totp_enabled_at: clock.now().toISOString() }).where('id', '=', u.id).execute();
      }
      if (username === 'cora') await setProjectMember(scope, 'nova', u.id, 'coresec', true);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = (username: string) => signedInPage(browser, server.baseUrl, username, { password: PASSWORD, totpSecret: totp[username], now: () => clock.now() });

  it('runs the report from intake to its automatic opening', async () => {
    // 1. An anonymous reporter files a report with an attachment.
    const anon = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const form = await anon.newPage();
    await form.goto(`${server.baseUrl}/report`);
    await screenshot(form, 'reports-01-intake-form');
    await form.locator('[name="title"]').fill('Nova metadata API leaks instance passwords');
    await form.locator('[name="description"]').fill('The **metadata service** returns the admin password of *other* tenants when the `X-Instance-ID` header is forged.');
    await form.locator('[name="projects"][value="nova"]').check();
    await form.locator('[name="affected_versions"]').fill('>=27.0.0 <29.1.0');
    await form.locator('[name="email"]').fill('finder@example.net');
    await form.locator('[name="credit_name"]').fill('Fay Finder');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cordon-poc-'));
    const poc = path.join(dir, 'poc.sh');
    writeFileSync(poc, 'curl -H "X-Instance-ID: other" http://169.254.169.254/openstack/latest/password\n');
    await form.locator('input[type="file"]').first().setInputFiles(poc);
    await form.getByRole('button', { name: /submit|send/i }).click();
    await form.waitForSelector('text=/r/');
    await screenshot(form, 'reports-02-intake-received');
    const body = (await form.locator('main').textContent()) ?? '';
    const ref = /R-[A-Z2-9]{8}/.exec(body)![0];
    const reporterLink = await form.locator('a[href*="/r/"]').first().getAttribute('href');
    expect(reporterLink).toMatch(/\/r\/[A-Za-z0-9_-]{40,}/);

    // 2. A VMT member acknowledges, classifies and subscribes coresec.
    const vmt = await signIn('vera');
    await vmt.goto(`${server.baseUrl}/reports/${ref}`);
    expect(await vmt.locator('h1').textContent()).toContain('Nova metadata API leaks instance passwords');
    await screenshot(vmt, 'reports-03-vmt-report');
    await vmt.getByRole('button', { name: 'Acknowledge' }).click();
    await vmt.waitForSelector('.flash.success');
    await vmt.locator('form[action$="/class"] select[name="class"]').selectOption('A');
    await vmt.getByRole('button', { name: 'Classify' }).click();
    await vmt.waitForSelector('.flash.success');
    // Who can see the report is the Access group of the coordination panel, folded while triage is open.
    await vmt.locator('#work-access > summary').click();
    const sub = vmt.locator('form[action$="/subscribe"]');
    await sub.locator('[name="username"]').fill('cora');
    await sub.locator('[name="level"]').selectOption('coresec');
    await sub.locator('[name="reason"]').fill('Nova coresec to develop and review the fix');
    await sub.getByRole('button', { name: 'Widen disclosure' }).click();
    await vmt.waitForSelector('.flash.success');
    expect(await vmt.locator('ol.timeline').textContent()).toContain('Disclosure widened: Cora subscribed');
    await screenshot(vmt, 'reports-04-vmt-triaged');

    // 3. The coresec member sees it; an unrelated user gets a 404.
    const cora = await signIn('cora');
    const seen = await cora.goto(`${server.baseUrl}/reports/${ref}`);
    expect(seen?.status()).toBe(200);
    expect(await cora.locator('.card').first().textContent()).toContain('Embargo');
    await screenshot(cora, 'reports-05-coresec-view');
    const ursula = await signIn('ursula');
    const hidden = await ursula.goto(`${server.baseUrl}/reports/${ref}`);
    expect(hidden?.status()).toBe(404);
    await screenshot(ursula, 'reports-06-unrelated-404');

    // 4. The reporter follows the report through the private link.
    await form.goto(new URL(reporterLink!, server.baseUrl).toString());
    expect(await form.locator('main').textContent()).toContain('acknowledged');
    await screenshot(form, 'reports-07-reporter-view');

    // 5. The embargo passes on the clock: the worker opens the report.
    clock.advance(91 * 24 * 3600_000);
    const worker = new Worker({ storage: server.ctx.storage, config: server.ctx.config, clock, registry: buildJobRegistry(server.ctx) });
    await worker.drain();
    const publicPage = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    const opened = await publicPage.goto(`${server.baseUrl}/reports/${ref}`);
    expect(opened?.status()).toBe(200);
    expect(await publicPage.locator('.badges').textContent()).toContain('public');
    expect(await publicPage.locator('ol.timeline').textContent()).toContain('The embargo ended: the report was opened automatically.');
    await screenshot(publicPage, 'reports-08-public');
  });

  it('asks for a confirmation with a reason before making a report public; the form works without JavaScript', async () => {
    const { report } = await receiveReport(systemScope(server.ctx), { title: 'Token leak in nova-api debug logs', description: 'Tokens are logged at debug level.', projects: ['nova'], email: 'finder@example.net' }, [{ filename: 'poc.sh', contentType: 'text/plain', content: Buffer.from('grep token /var/log/nova/api.log\n') }], 'web');
    const vera = await signIn('vera');
    await vera.goto(`${server.baseUrl}/reports/${report.ref}`);
    await vera.getByRole('link', { name: 'Make public…' }).click();
    await vera.waitForURL(`**/reports/${report.ref}/make-public`);
    expect(await vera.locator('main').textContent()).toContain('This cannot be undone.');
    expect(await vera.locator('input[name="publish_files"]').isChecked()).toBe(false);
    await vera.setViewportSize({ width: 1280, height: 900 });
    await screenshot(vera, 'reports-09-confirm-make-public-1280');
    await vera.setViewportSize({ width: 390, height: 844 });
    await screenshot(vera, 'reports-10-confirm-make-public-390');
    // Nothing is wider than a phone (the menu wraps).
    expect(await vera.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // The same session with JavaScript off: the plain form does it.
    const noScript = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    await noScript.addCookies(await vera.context().cookies());
    const page = await noScript.newPage();
    await page.goto(`${server.baseUrl}/reports/${report.ref}/make-public`);
    await page.locator('#f-reason').fill('Published upstream by a third party.');
    await page.locator('#f-confirm-yes').check();
    await page.getByRole('button', { name: 'Make the report public' }).click();
    await page.waitForURL(`**/reports/${report.ref}`);
    expect(await page.locator('.flash.success').textContent()).toContain('The report is public.');
    expect(await page.locator('ol.timeline').textContent()).toContain('Report made public: Published upstream by a third party.');
    // Nobody ticked the proof of concept: the public page does not offer it.
    const reader = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await reader.goto(`${server.baseUrl}/reports/${report.ref}`);
    expect(await reader.locator('main').textContent()).not.toContain('poc.sh');
  });
});
