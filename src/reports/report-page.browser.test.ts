// In real Chromium (issue 15 item 7): the VMT's report page in each state a report passes through — new,
// triaged, embargoed with a disclosure planned, opened — at 1280 px and at 390 px. The group of actions that
// matches the state is the one open, the irreversible steps are apart, and nothing is wider than the screen.
// Screenshots go to test-artifacts/screenshots/report-page-<state>-<width>.png (looked at for issue 15).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage, startLiveServer, type LiveServer } from '../testing/browser.js';
import { createAccount } from '../accounts/users.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { newTotpSecret } from '../accounts/totp.js';
import { buildUserActor } from '../access/load-actor.js';
import { systemScope, type Scope } from '../context.js';
import { receiveReport } from './intake.js';
import { acknowledge, setClass, setState } from './triage.js';
import { subscribe } from './ladder.js';
import { addComment } from './collaboration.js';
import { assignCve, draftImpact } from './cve-impact.js';
import { makePublic, planDisclosure } from './embargo/decisions.js';

const PASSWORD = 'correct horse battery staple';
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
] as const;

describeInBrowser('the report page in each state, on a desktop and a phone', () => {
  let server: LiveServer;
  let browser: Browser;
  let totpSecret = '';
  let vera: Scope;
  const refs: Record<string, string> = {};

  async function report(title: string): Promise<string> {
    const { report } = await receiveReport(
      systemScope(server.ctx),
      {
        title,
        description: 'The metadata service returns the admin password of **other** tenants when the `X-Instance-ID` header is forged.',
        projects: ['nova'],
        affectedVersions: '>=27.0.0 <29.1.0',
        email: 'finder@example.net',
        creditName: 'Fay Finder',
        creditWanted: true,
      },
      [],
      'web',
    );
    return report.ref;
  }

  async function triage(ref: string): Promise<void> {
    await acknowledge(vera, ref);
    await setClass(vera, ref, 'A');
    await setState(vera, ref, 'confirmed', 'Reproduced on master.');
    await setState(vera, ref, 'triaged', '');
    await subscribe(vera, ref, { username: 'cora', level: 'coresec', reason: 'Nova coresec to develop and review the fix' });
    await addComment(vera, ref, { body: 'Reproduced on master and stable/2026.1.', visibility: 'everyone' });
  }

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    await createProject(scope, { slug: 'nova', name: 'Nova', description: 'Compute service', branches: ['master', 'stable/2026.1'] });
    const user = await createAccount(scope, { username: 'vera', email: 'vera@example.org', displayName: 'Vera', password: PASSWORD, roles: ['vmt'] });
    const cora = await createAccount(scope, { username: 'cora', email: 'cora@example.org', displayName: 'Cora', password: PASSWORD, roles: [] });
    await setProjectMember(scope, 'nova', cora.id, 'coresec', true);
    totpSecret = newTotpSecret();
    const row = await server.ctx.storage.db.updateTable('users').set({ totp_secret: totpSecret, totp_enabled_at: new Date().toISOString() }).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
    vera = { app: server.ctx, actor: await buildUserActor(server.ctx.storage.db, server.ctx.config, row, { kind: 'session', mfaPassed: true }), requestId: null };

    refs.new = await report('Nova metadata API leaks instance passwords');
    refs.triaged = await report('Nova metadata API leaks instance passwords (triaged)');
    await triage(refs.triaged);
    refs.planned = await report('Nova metadata API leaks instance passwords (disclosure planned)');
    await triage(refs.planned);
    await setState(vera, refs.planned, 'in_progress', '');
    await draftImpact(vera, refs.planned, { reporter: 'Fay Finder', project: 'Nova', action: 'forging the X-Instance-ID header', actor: 'an authenticated user', impact: 'read the admin password of other tenants’ instances', consequence: 'a compromise of those instances', mode: 'deployments with the metadata service' });
    await assignCve(vera, refs.planned, 'CVE-2026-31337');
    await planDisclosure(vera, refs.planned, new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10));
    refs.opened = await report('Nova metadata API leaks instance passwords (opened)');
    await triage(refs.opened);
    await makePublic(vera, refs.opened, 'Published upstream by a third party.');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const openGroup = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll('details.work-group[open]')].map((d) => d.id)`);
  const firstGroup = (page: Page) => page.evaluate<string>(`document.querySelector('details.work-group').id`);

  it.each(WIDTHS)('reads calmly at $width px: one group open, the irreversible apart, nothing sideways', async (viewport) => {
    const page = await signedInPage(browser, server.baseUrl, 'vera', { password: PASSWORD, totpSecret, viewport });
    const expected: Record<string, string> = { new: 'work-triage', triaged: 'work-access', planned: 'work-disclosure', opened: 'work-disclosure' };
    for (const [state, ref] of Object.entries(refs)) {
      const res = await page.goto(`${server.baseUrl}/reports/${ref}`);
      expect(res?.status(), state).toBe(200);
      await screenshot(page, `report-page-${state}-${viewport.width}`);
      expect(await openGroup(page), state).toEqual([expected[state]]);
      expect(await firstGroup(page), state).toBe(expected[state]);
      // "Make public…" is offered only while private, in the irreversible area, never beside "Acknowledge".
      const makePublic = page.getByRole('link', { name: 'Make public…' });
      expect(await makePublic.count(), state).toBe(state === 'opened' ? 0 : 1);
      if (state !== 'opened') expect(await page.locator('.irreversible').getByRole('link', { name: 'Make public…' }).isVisible(), state).toBe(true);
      expect(await page.locator('.work-group').getByRole('link', { name: 'Make public…' }).count(), state).toBe(0);
      const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(scroll, `${state} at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
    }
    // app.js puts the viewer's local time, in the same format, on hover; the text stays UTC.
    const first = page.locator('time[datetime*="T"]').first();
    expect(await first.textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(await first.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+ \(your time\)$/);
    // A folded group opens with a click and no JavaScript-dependent widget.
    await page.goto(`${server.baseUrl}/reports/${refs.new}`);
    await page.locator('#work-embargo > summary').click();
    expect(await page.getByRole('button', { name: 'Extend embargo' }).isVisible()).toBe(true);
  });
});
