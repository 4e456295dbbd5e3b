// In real Chromium (issue 15 item 5), at 1280 px and at a 390 px phone width: the anonymous reporter opens the
// private link, reads the impact description with its version and approves it; after the team edits the
// text the page says the approval is needed again, and the reporter approves the new version. Screenshots.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, startLiveServer, type LiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { newTotpSecret } from '../accounts/totp.js';
import { createProject } from '../projects/projects.js';
import { anonymous } from '../access/actor.js';
import { systemScope, type Scope } from '../context.js';
import { buildUserActor } from '../access/load-actor.js';
import { receiveReport } from './intake.js';
import { setClass } from './triage.js';
import { draftImpact } from './cve-impact.js';

const FIELDS = {
  reporter: 'Rita Reporter from Example Labs',
  project: 'Nova',
  action: 'sending a crafted X-Instance-ID header to the metadata API',
  actor: 'authenticated user',
  impact: 'read the admin password of other tenants’ instances',
  consequence: 'a compromise of those instances',
  mode: 'deployments exposing the metadata API',
};

describeInBrowser('the reporter approves the impact description from the private link', () => {
  let server: LiveServer;
  let browser: Browser;
  let ref: string;
  let token: string;
  let vmt: Scope;

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    await createProject(scope, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const vera = await createAccount(scope, { username: 'vera', email: 'vera@example.org', displayName: 'Vera', password: 'correct horse battery staple', roles: ['vmt'] });
    // The VMT role is in force only with a second factor (DESIGN.md §5).
    const enrolled = await server.ctx.storage.db.updateTable('users').set({ totp_secret: newTotpSecret(), totp_enabled_at: new Date().toISOString() }).where('id', '=', vera.id).returningAll().executeTakeFirstOrThrow();
    vmt = { app: server.ctx, requestId: null, actor: await buildUserActor(server.ctx.storage.db, server.ctx.config, enrolled, { kind: 'session', mfaPassed: true }) };
    const received = await receiveReport({ app: server.ctx, requestId: null, actor: anonymous }, { title: 'Nova metadata API leaks instance passwords', description: 'details', projects: ['nova'], email: 'rita@example.org', creditName: 'Rita Reporter', creditAffiliation: 'Example Labs' }, [], 'web');
    ref = received.report.ref;
    token = received.reporterToken;
    await setClass(vmt, ref, 'A');
    await draftImpact(vmt, ref, FIELDS);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function approveAt(viewport: { width: number; height: number }, name: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${server.baseUrl}/r/${token}`);
    const section = page.locator('section[aria-labelledby="r-impact"]');
    await section.scrollIntoViewIfNeeded();
    const version = (await section.locator('code').first().textContent()) ?? '';
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    expect(await section.textContent()).toContain('You can: you hold the reporter’s private link.');
    await screenshot(page, `impact-approval-${name}-1-before`);
    await section.getByRole('button', { name: 'Approve this description' }).click();
    await page.waitForSelector('.flash.success');
    expect(await page.locator('.flash.success').textContent()).toContain(`you approved version ${version} of the impact description`);
    expect(await page.locator('#impact-reporter').textContent()).toContain(`approved version ${version}`);
    // Nothing sticks out sideways on a phone.
    const widths = await page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })');
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    await screenshot(page, `impact-approval-${name}-2-approved`);
    return page;
  }

  it('at 1280 px, then (after an edit) again at 390 px', async () => {
    await approveAt({ width: 1280, height: 900 }, '1280');
    await draftImpact(vmt, ref, { ...FIELDS, consequence: 'the compromise of those instances' });
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await phone.goto(`${server.baseUrl}/r/${token}`);
    expect(await phone.locator('#impact-reporter').textContent()).toContain('approved an earlier text: needed again');
    await approveAt({ width: 390, height: 844 }, '390');
  });
});
