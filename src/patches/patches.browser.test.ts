// In real Chromium (issue 5): a developer subscribed to a private report uploads a patch for two branches,
// sees the check results, a coresec reviewer gives +2, and the matrix shows "ready". Screenshots.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage, startLiveServer, type LiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { newTotpSecret } from '../accounts/totp.js';
import { systemScope, type Scope } from '../context.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { receiveReport } from '../reports/intake.js';
import { subscribe } from '../reports/ladder.js';
import { buildUserActor } from '../access/load-actor.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir } from './testing/support.js';

const PASSWORD = 'correct horse battery staple';

describeInBrowser('patch review in a real browser', () => {
  let server: LiveServer;
  let browser: Browser;
  let tmp: string;
  let ref: string;
  let patchFile: string;

  beforeAll(async () => {
    tmp = makeTempDir();
    const upstream = initRepo(path.join(tmp, 'nova'));
    commitFiles(upstream, { 'nova/db.py': numberedLines(40), 'README': 'nova\n' }, 'Initial import');
    gitSync(upstream, ['branch', 'stable/2026.1']);
    gitSync(upstream, ['checkout', '-q', 'stable/2026.1']);
    commitFiles(upstream, { 'README': 'nova stable\n' }, 'Stable only change');
    gitSync(upstream, ['checkout', '-q', 'master']);
    // The fix, made in a clone and exported with git format-patch.
    const work = path.join(tmp, 'work');
    gitSync(tmp, ['clone', '-q', '--template=', upstream, work]);
    commitFiles(work, { 'nova/db.py': numberedLines(40, { 20: 'validate(instance_id)  # CVE fix' }) }, 'Validate the instance id in the metadata API\n\nCloses-Bug: #2099999');
    patchFile = path.join(tmp, '0001-validate-instance-id.patch');
    writeFileSync(patchFile, gitSync(work, ['format-patch', '-1', '--stdout']));

    server = await startLiveServer();
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    await createProject(scope, { slug: 'nova', name: 'Nova', branches: ['master', 'stable/2026.1'], repositories: [{ name: 'nova', remoteUrl: upstream }] });
    const users: Record<string, number> = {};
    for (const [username, roles] of [['vera', ['vmt']], ['dev', []], ['cora', []]] as const) {
      const u = await createAccount(scope, { username, email: `${username}@example.org`, displayName: username[0]!.toUpperCase() + username.slice(1), password: PASSWORD, roles: [...roles] });
      users[username] = u.id;
    }
    const secret = newTotpSecret();
    await server.ctx.storage.db.updateTable('users').set({ totp_secret: secret, totp_enabled_at: new Date().toISOString() }).where('id', '=', users.vera!).execute();
    await setProjectMember(scope, 'nova', users.cora!, 'coresec', true);
    ref = (await receiveReport(scope, { title: 'Metadata API trusts the instance id header', description: 'details', projects: ['nova'], email: 'finder@example.net' }, [], 'web')).report.ref;
    const vera = (await server.ctx.storage.db.selectFrom('users').selectAll().where('id', '=', users.vera!).executeTakeFirstOrThrow());
    const vmtScope: Scope = { app: server.ctx, requestId: null, actor: await buildUserActor(server.ctx.storage.db, server.ctx.config, vera, { kind: 'session', mfaPassed: true }) };
    await subscribe(vmtScope, ref, { username: 'dev', level: 'developer', reason: 'writes the fix' });
    await subscribe(vmtScope, ref, { username: 'cora', level: 'coresec', reason: 'reviews the fix' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) removeDir(tmp);
  });

  const signIn = (username: string) => signedInPage(browser, server.baseUrl, username, { password: PASSWORD, viewport: { width: 1300, height: 900 } });

  const drain = () => new Worker({ storage: server.ctx.storage, config: server.ctx.config, clock: server.ctx.clock, registry: buildJobRegistry(server.ctx) }).drain();

  it('uploads, checks, reviews and shows the branches ready', async () => {
    const dev = await signIn('dev');
    await dev.goto(`${server.baseUrl}/reports/${ref}/patches`);
    await dev.locator('input[name="targets"]').first().check();
    await dev.locator('input[name="targets"]').nth(1).check();
    await dev.locator('#f-files').setInputFiles(patchFile);
    await screenshot(dev, 'patches-01-upload');
    await dev.getByRole('button', { name: 'Upload and check' }).click();
    await dev.waitForLoadState('load');
    await drain();
    await dev.goto(`${server.baseUrl}/reports/${ref}/patches`);
    const matrix = (await dev.locator('main').textContent()) ?? '';
    expect(matrix).toContain('Validate the instance id in the metadata API');
    expect(matrix).toMatch(/applies cleanly/i);
    expect(matrix).toContain('not ready');
    await screenshot(dev, 'patches-02-checked');

    const cora = await signIn('cora');
    await cora.goto(`${server.baseUrl}/reports/${ref}/patches`);
    const hrefs = await cora.locator(`a[href^="/reports/${ref}/patches/"]`).evaluateAll((as: unknown[]): string[] => as.map((a) => (a as { getAttribute(name: string): string | null }).getAttribute('href') ?? ''));
    const links = [...new Set(hrefs.filter((h) => /\/patches\/\d+$/.test(h)))];
    expect(links.length).toBe(2);
    for (const [i, href] of links.entries()) {
      await cora.goto(`${server.baseUrl}${href}`);
      if (i === 0) await screenshot(cora, 'patches-03-patch-page');
      await cora.locator('select[name="score"]').selectOption('2');
      await cora.locator('form[action$="/votes"]').getByRole('button', { name: 'Vote' }).click();
      await cora.waitForLoadState('load');
    }
    await cora.goto(`${server.baseUrl}/reports/${ref}/patches`);
    const ready = cora.locator('.readiness.ready');
    expect(await ready.count()).toBe(2);
    await screenshot(cora, 'patches-04-ready');
  });
});
