// In real Chromium (issue 6): from a class A report, a VMT member drafts the advisory with CVSS and version
// ranges, the reporter and the project lead approve the impact description, a second VMT member approves, it
// is published, and the public page, index and feed show it. Screenshots.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage, startLiveServer, type LiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { newTotpSecret } from '../accounts/totp.js';
import { systemScope, type Scope } from '../context.js';
import { receiveReport } from '../reports/intake.js';
import { subscribe } from '../reports/ladder.js';
import { setClass } from '../reports/triage.js';
import { assignCve, draftImpact } from '../reports/cve-impact.js';
import { makePublic } from '../reports/embargo/decisions.js';
import { buildUserActor } from '../access/load-actor.js';
import type { InstanceRole } from '../storage/tables.js';

const PASSWORD = 'correct horse battery staple';

describeInBrowser('advisories in a real browser', () => {
  let server: LiveServer;
  let browser: Browser;
  let ref: string;
  let vmtScope: Scope;
  const totp: Record<string, string> = {};

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    await createProject(scope, { slug: 'nova', name: 'Nova', branches: ['master', 'stable/2026.1'] });
    const people: [string, InstanceRole[]][] = [['vera', ['vmt']], ['victor', ['vmt']], ['rita', []], ['leo', []]];
    const ids: Record<string, number> = {};
    for (const [username, roles] of people) {
      const u = await createAccount(scope, { username, email: `${username}@example.org`, displayName: username[0]!.toUpperCase() + username.slice(1), password: PASSWORD, roles });
      ids[username] = u.id;
      if (roles.length) {
        totp[username] = newTotpSecret();
        await server.ctx.storage.db.updateTable('users').set({ totp_secret: totp[username], totp_enabled_at: new Date().toISOString() }).where('id', '=', u.id).execute();
      }
    }
    await setProjectMember(scope, 'nova', ids.leo!, 'lead', true);
    const userScope = async (name: string): Promise<Scope> => {
      const row = await server.ctx.storage.db.selectFrom('users').selectAll().where('id', '=', ids[name]!).executeTakeFirstOrThrow();
      return { app: server.ctx, requestId: null, actor: await buildUserActor(server.ctx.storage.db, server.ctx.config, row, { kind: 'session', mfaPassed: true }) };
    };
    ref = (await receiveReport(await userScope('rita'), { title: 'Nova metadata API leaks instance passwords', description: 'details', projects: ['nova'], email: 'rita@example.org', creditName: 'Rita Reporter', creditAffiliation: 'Example Labs' }, [], 'web')).report.ref;
    vmtScope = await userScope('vera');
    await subscribe(vmtScope, ref, { username: 'leo', level: 'lead', reason: 'project lead reviews the impact' });
    await setClass(vmtScope, ref, 'A');
    await assignCve(vmtScope, ref, 'CVE-2026-41234');
    await draftImpact(vmtScope, ref, {
      reporter: 'Rita Reporter from Example Labs',
      project: 'Nova',
      action: 'sending a crafted X-Instance-ID header to the metadata API',
      actor: 'authenticated user',
      impact: 'read the admin password of other tenants’ instances',
      consequence: 'a compromise of those instances',
      mode: 'deployments exposing the metadata API',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const as = (username: string): Promise<Page> => signedInPage(browser, server.baseUrl, username, { password: PASSWORD, totpSecret: totp[username] });

  it('drafts, approves, publishes and shows the advisory', async () => {
    // The reporter and the project lead approve the impact description on the report.
    for (const who of ['rita', 'leo']) {
      const page = await as(who);
      await page.goto(`${server.baseUrl}/reports/${ref}`);
      await page.getByRole('button', { name: 'Approve this description' }).click();
      await page.waitForSelector('.flash.success');
      if (who === 'leo') await screenshot(page, 'advisories-01-impact-approved');
    }

    // A VMT member drafts the advisory from the class A report, with CVSS and version ranges.
    const vera = await as('vera');
    await vera.goto(`${server.baseUrl}/reports/${ref}`);
    await vera.getByRole('link', { name: 'Draft the advisory' }).click();
    await vera.waitForURL('**/advisories/new**');
    expect(await vera.locator('[name="title"]').inputValue()).toContain('Nova metadata API leaks instance passwords');
    await vera.locator('[name="products"]').fill('nova: >=27.0.0 <27.4.1, >=28.0.0 <28.2.1, ==29.0.0');
    await vera.locator('[name="cvss"]').fill('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N\nCVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:H/SI:N/SA:N');
    await vera.locator('[name="cwes"]').fill('CWE-639');
    await vera.locator('[name="fixes"]').fill('master: https://review.opendev.org/c/openstack/nova/+/990001\n2026.1/gazpacho: https://review.opendev.org/c/openstack/nova/+/990002');
    await screenshot(vera, 'advisories-02-editor');
    await vera.getByRole('button', { name: 'Save draft' }).click();
    await vera.waitForURL('**/manage');
    const manageUrl = vera.url();
    const id = /OSSA-\d{4}-\d{3}/.exec(manageUrl)![0];
    await screenshot(vera, 'advisories-03-draft');

    // A second VMT member approves.
    const victor = await as('victor');
    await victor.goto(manageUrl);
    await victor.getByRole('button', { name: /Approve revision/ }).click();
    await victor.waitForSelector('.flash.success');
    await screenshot(victor, 'advisories-04-approved');

    // Disclosure: the report opens, and the advisory is published.
    await makePublic(vmtScope, ref, 'coordinated disclosure');
    await vera.goto(manageUrl);
    // Irreversible: the link leads to a confirmation that asks for a reason (issue 13 item 11).
    await vera.getByRole('link', { name: 'Publish…' }).click();
    await vera.waitForURL(`**/advisories/${id}/publish`);
    await vera.locator('#f-reason').fill('Coordinated disclosure date reached.');
    await vera.locator('#f-confirm-yes').check();
    await screenshot(vera, 'advisories-05a-confirm-publish');
    await vera.getByRole('button', { name: 'Publish the advisory' }).click();
    await vera.waitForSelector('.flash.success');

    const reader = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    const pageRes = await reader.goto(`${server.baseUrl}/advisories/${id}`);
    expect(pageRes?.status()).toBe(200);
    const text = (await reader.locator('main').textContent()) ?? '';
    expect(text).toContain('CVE-2026-41234');
    expect(text).toContain('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N');
    await screenshot(reader, 'advisories-05-public-page');
    await reader.goto(`${server.baseUrl}/advisories`);
    expect(await reader.locator('main').textContent()).toContain(id);
    await screenshot(reader, 'advisories-06-index');
    const feed = await reader.goto(`${server.baseUrl}/feeds/advisories.atom`);
    expect((await feed?.text()) ?? '').toContain(id);
  });
});
