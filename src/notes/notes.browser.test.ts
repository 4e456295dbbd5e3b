// In real Chromium (issue 8): a security core member claims a flagged note, writes it, two security core
// members give +2, a project core reviewer gives +1, it is published, and the public page and feed show it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage, startLiveServer, type LiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { newTotpSecret } from '../accounts/totp.js';
import { systemScope } from '../context.js';
import type { InstanceRole } from '../storage/tables.js';

const PASSWORD = 'correct horse battery staple';

describeInBrowser('security notes in a real browser', () => {
  let server: LiveServer;
  let browser: Browser;
  const totp: Record<string, string> = {};

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    await createProject(scope, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const people: [string, InstanceRole[]][] = [['sam', ['security_core']], ['tina', ['security_core']], ['uma', ['security_core']], ['paul', []]];
    for (const [username, roles] of people) {
      const u = await createAccount(scope, { username, email: `${username}@example.org`, displayName: username[0]!.toUpperCase() + username.slice(1), password: PASSWORD, roles });
      if (roles.length) {
        totp[username] = newTotpSecret();
        await server.ctx.storage.db.updateTable('users').set({ totp_secret: totp[username], totp_enabled_at: new Date().toISOString() }).where('id', '=', u.id).execute();
      }
      if (username === 'paul') await setProjectMember(scope, 'nova', u.id, 'core_reviewer', true);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const as = (username: string): Promise<Page> => signedInPage(browser, server.baseUrl, username, { password: PASSWORD, totpSecret: totp[username] });

  async function vote(page: Page, noteUrl: string, value: string): Promise<void> {
    await page.goto(noteUrl);
    await page.locator('form.vote-form select[name="value"]').selectOption(value);
    await page.locator('form.vote-form').getByRole('button', { name: 'Cast vote' }).click();
    await page.waitForSelector('.flash');
    expect(await page.locator('.flash').textContent()).toMatch(/^\s*Vote recorded/);
  }

  it('flags, claims, writes, reviews and publishes a note', async () => {
    const sam = await as('sam');
    await sam.goto(`${server.baseUrl}/notes/flag`);
    await sam.locator('[name="title"]').fill('Nova compute hosts expose the serial console without authentication');
    await sam.locator('[name="reason"]').fill('Operators who enable the serial console proxy on a public network let anyone attach to instance consoles.');
    await sam.locator('[name="projects"][value="nova"]').check();
    await sam.getByRole('button', { name: 'Flag a note as wanted' }).click();
    await sam.waitForURL('**/notes/flags/**');
    await screenshot(sam, 'notes-01-flag');
    await sam.getByRole('button', { name: 'Claim and start writing' }).click();
    await sam.waitForURL('**/edit');
    const noteUrl = sam.url().replace(/\/edit$/, '');
    expect(noteUrl).toMatch(/\/notes\/OSSN-\d{4}$/);
    await sam.locator('[name="title"]').fill('Nova serial console proxy exposes instance consoles without authentication');
    await sam.locator('[name="summary"]').fill('When the nova serial console proxy listens on a public network, anyone who can reach it can attach to instance consoles.');
    await sam.locator('[name="affected"]').fill('Nova: all supported versions');
    await sam.locator('[name="discussion"]').fill('The serial console proxy does not authenticate websocket connections beyond the token in the URL.\n\nTokens leak through logs and proxies.');
    await sam.locator('[name="recommended_actions"]').fill('Bind the proxy to a management network:\n\n    [serial_console]\n    proxyclient_address = 10.0.0.5');
    await sam.locator('[name="contacts"]').fill('Author : Sam, OpenStack Security Project\nOSSN : https://wiki.openstack.org/wiki/OSSN/OSSN-0001');
    await screenshot(sam, 'notes-02-editor');
    await sam.getByRole('button', { name: /Save as revision/ }).click();
    await sam.waitForURL(noteUrl);
    await sam.getByRole('button', { name: 'Submit for review' }).click();
    await sam.waitForSelector('.flash');
    await screenshot(sam, 'notes-03-in-review');

    await vote(await as('tina'), noteUrl, '2');
    await vote(await as('uma'), noteUrl, '2');
    const paul = await as('paul');
    await vote(paul, noteUrl, '1');
    await screenshot(paul, 'notes-04-votes');

    await sam.goto(noteUrl);
    // Irreversible: the link leads to a confirmation that asks for a reason (issue 13 item 11).
    await sam.getByRole('link', { name: 'Publish…' }).click();
    await sam.waitForURL(`${noteUrl}/publish`);
    await sam.locator('#f-reason').fill('Approved by security core and nova.');
    await sam.locator('#f-confirm-yes').check();
    await sam.getByRole('button', { name: 'Publish the note' }).click();
    await sam.waitForSelector('.flash');
    await screenshot(sam, 'notes-05-published');

    const reader = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    const pub = await reader.goto(noteUrl);
    expect(pub?.status()).toBe(200);
    expect(await reader.locator('h1').textContent()).toContain('Nova serial console proxy exposes instance consoles');
    await screenshot(reader, 'notes-06-public-page');
    const feed = await reader.goto(`${server.baseUrl}/feeds/notes.atom`);
    const xml = (await feed?.text()) ?? '';
    expect(xml).toContain('Nova serial console proxy exposes instance consoles without authentication');
    expect(xml).toContain(noteUrl.replace(server.baseUrl, ''));
  });
});
