// In real Chromium (issue 7): with pre-approved patches and an approved advisory, the coordinator schedules
// the disclosure and the pre-notice goes out (checked with gpg: the signed mail verifies, the `[vs] `
// variant decrypts with the stakeholder list's key and carries the patch attachment), a stakeholder
// acknowledges through the link in the mail, the report page shows the plan, the recipient states and a
// countdown; nothing is public before the hour; when the clock reaches the hour the job opens the report,
// publishes the advisory, sends the signed announcement and rebuilds the site. Screenshots.
import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import PostalMime from 'postal-mime';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, screenshotDir, signedInPage } from '../testing/browser.js';
import { createTestApp, makeUser, signedInClient, TEST_PASSWORD, type TestApp, type TestUser } from '../testing/harness.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { subscribe } from '../reports/ladder.js';
import { classAReport, completeForm, scopeOf, type AdvisoryCast } from '../advisories/testing/advisories.js';
import { approveAdvisory, createAdvisory } from '../advisories/commands.js';
import { generateAndStoreTeamKey, currentTeamKey } from '../keys/team-keys.js';
import { addContact, createOrg } from '../stakeholders/stakeholders.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { gpgDecryptPgpMime, gpgVerifyPgpMime, headerOf, outboxMessages } from '../mail/testing/mail.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir } from '../patches/testing/support.js';

const START = '2026-11-02T09:00:00.000Z'; // a Monday, before today (keys made at the clock's time must not be in the real future)
const TITLE = 'Host data leak through resize';
const CVE = 'CVE-2026-31337';

describeInBrowser('embargoed disclosure in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let gpg: TempGnupg;
  let tmp: string;
  let baseUrl: string;
  let ref: string;
  let advisoryId: string;
  let cast: AdvisoryCast;
  const seen = new Set<string>();

  const drain = () => new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
  const newMail = () => {
    const fresh = outboxMessages(t.db.dataDir).filter((m) => !seen.has(m.file));
    for (const m of fresh) seen.add(m.file);
    return fresh;
  };
  const as = (u: TestUser): Promise<Page> => signedInPage(browser, baseUrl, u.user.username, { password: TEST_PASSWORD, totpSecret: u.totpSecret ?? undefined, now: () => t.clock.now() });
  const fetchText = async (url: string) => {
    const res = await fetch(`${baseUrl}${url}`);
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { pgpPassphrase: 'disclosure browser passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>', announceLists: ['announce@lists.example.org'] });
    t.clock.set(START);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    t.ctx.config.publicUrl = baseUrl;
    browser = await launchBrowser();

    // Upstream nova and a fix made with git format-patch.
    tmp = makeTempDir('cordon-disclosure-browser-');
    const upstream = initRepo(path.join(tmp, 'upstream'));
    commitFiles(upstream, { 'nova/compute/resize.py': numberedLines(30) }, 'Initial import');
    const dev = path.join(tmp, 'dev');
    gitSync(tmp, ['clone', '-q', '--', upstream, dev]);
    commitFiles(dev, { 'nova/compute/resize.py': numberedLines(30, { 12: 'check_image_path(image)' }) }, 'Check the image path on resize\n\nA crafted image could name a host file.\n\nCloses-Bug: #2000001');
    const series = gitSync(dev, ['format-patch', '--stdout', 'origin/master..HEAD']);

    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master', 'stable/2026.1'], repositories: [{ name: 'nova', remoteUrl: upstream }] });
    cast = {
      vmt: await makeUser(t, { username: 'vera', roles: ['vmt'] }),
      vmt2: await makeUser(t, { username: 'victor', roles: ['vmt'] }),
      reporter: await makeUser(t, { username: 'rita', totp: false }),
      lead: await makeUser(t, { username: 'leo', totp: false }),
      admin: await makeUser(t, { username: 'ada', roles: ['admin'] }),
      plain: await makeUser(t, { username: 'pat', totp: false }),
    };
    const cora = await makeUser(t, { username: 'cora', totp: false });
    await setProjectMember(t.system, 'nova', cast.lead.user.id, 'lead', true);
    await setProjectMember(t.system, 'nova', cora.user.id, 'coresec', true);
    const report = await classAReport(t, cast, { title: TITLE, cve: CVE });
    ref = report.ref;
    const vmt = await scopeOf(t, cast.vmt);
    await subscribe(vmt, ref, { username: 'cora', level: 'coresec', reason: 'reviews the fix' });

    // The fix, checked against master with the real git and pre-approved by the project's coresec.
    const coraClient = await signedInClient(t, cora);
    const upload = await coraClient.json('POST', `/api/v1/reports/${ref}/patches`, { project: 'nova', branches: ['master'], mbox: series });
    expect(upload.statusCode, upload.body).toBe(201);
    await drain();
    for (const id of (JSON.parse(upload.body) as { targets: { patches: number[] }[] }).targets[0]!.patches) {
      expect((await coraClient.json('POST', `/api/v1/reports/${ref}/patches/${id}/votes`, { score: 2 })).statusCode).toBe(201);
    }

    // The advisory, approved by a second VMT member.
    advisoryId = await createAdvisory(vmt, completeForm({ title: TITLE, description: report.impact }), { reportRef: ref });
    await approveAdvisory(await scopeOf(t, cast.vmt2), advisoryId, 1);

    // The signing team key, and a downstream organisation following nova: a list that wants encrypted mail
    // (with its key) and a person who gets the signed variant.
    gpg = new TempGnupg();
    const listFpr = gpg.generateKey({ uid: 'Distro security <distro-sec@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519', fakedTime: '20251201T000000!' });
    await generateAndStoreTeamKey(t.system, { name: 'Example VMT', email: 'security@example.org' });
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    const org = await createOrg(t.system, { name: 'Distro Linux', followsProjects: ['nova'] });
    await addContact(t.system, org, { kind: 'list', name: 'Distro security', email: 'distro-sec@example.net', wantsEncryption: true, pgpPublicKey: gpg.exportPublic(listFpr).toString('utf8') });
    await addContact(t.system, org, { kind: 'person', name: 'Dana Downstream', email: 'dana@example.net' });
    await drain();
    newMail();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    gpg?.cleanup();
    await t?.close();
    if (tmp) removeDir(tmp);
  });

  it('schedules, pre-notifies, collects an acknowledgement and discloses everything at the hour', async () => {
    // The coordinator opens the disclosure page: the proposal, the recipients and their mail variant.
    const vera = await as(cast.vmt);
    await vera.goto(`${baseUrl}/reports/${ref}/disclosure`);
    const planPage = (await vera.locator('main').textContent()) ?? '';
    expect(planPage).toContain('Send the pre-notice');
    expect(planPage).toContain('distro-sec@example.net');
    expect(planPage).toContain('encrypted [vs]');
    await screenshot(vera, 'disclosure-01-plan');
    // An hour on a weekend is refused without a reason, and nothing is sent.
    await vera.locator('input[name="at"]').fill('2026-11-28T15:00');
    await vera.getByRole('button', { name: 'Send the pre-notice' }).click();
    await vera.waitForSelector('.error-summary');
    expect((await vera.locator('.error-summary').textContent()) ?? '').toMatch(/reason/i);
    await screenshot(vera, 'disclosure-02-refused');
    await drain();
    expect(newMail()).toEqual([]);
    expect(await t.ctx.storage.db.selectFrom('disclosure_plans').selectAll().execute()).toEqual([]);
    // The proposal (empty field) goes out.
    await vera.locator('input[name="at"]').fill('');
    await vera.getByRole('button', { name: 'Send the pre-notice' }).click();
    await vera.waitForSelector('.flash.success');
    expect((await vera.locator('.flash.success').textContent()) ?? '').toContain('Pre-notice queued for 2 recipient(s)');
    const plan = await t.ctx.storage.db.selectFrom('disclosure_plans').selectAll().executeTakeFirstOrThrow();
    // 5–10 business days ahead at 15:00 UTC, on a Tuesday–Thursday.
    expect(plan.disclose_at).toMatch(/T15:00:00\.000Z$/);
    expect([2, 3, 4]).toContain(new Date(plan.disclose_at).getUTCDay());

    // The pre-notice mails, checked with gpg.
    await drain();
    const mails = newMail();
    const to = (addr: string) => mails.find((m) => headerOf(m.raw, 'To')?.includes(addr));
    const signed = to('dana@example.net')!;
    const vs = to('distro-sec@example.net')!;
    expect(headerOf(signed.raw, 'Subject')).toBe(`[pre-OSSA] Vulnerability in Nova (${CVE})`);
    expect(gpgVerifyPgpMime(gpg, signed.raw).stderr).toMatch(/Good signature from "Example VMT/);
    expect(headerOf(vs.raw, 'Subject')).toBe(`[vs] [pre-OSSA] Vulnerability in Nova (${CVE})`);
    expect(vs.raw).not.toContain(TITLE);
    const decrypted = gpgDecryptPgpMime(gpg, vs.raw);
    expect(String(decrypted.stderr)).toMatch(/Good signature from "Example VMT/);
    const inner = await PostalMime.parse(decrypted.stdout);
    expect(inner.text).toContain(TITLE);
    expect(inner.attachments.map((a) => a.filename)).toEqual([`${CVE.toLowerCase()}-master.patch`]);
    const ackLink = /\/disclosure\/ack\/[A-Za-z0-9_-]+/.exec(inner.text ?? '')?.[0];
    expect(ackLink).toBeTruthy();

    // The stakeholder list acknowledges through the link (no account needed).
    const stakeholder = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await stakeholder.goto(`${baseUrl}${ackLink}`);
    await screenshot(stakeholder, 'disclosure-03-ack-link');
    await stakeholder.getByRole('button', { name: 'Acknowledge receipt' }).click();
    await stakeholder.waitForSelector('h1');
    expect((await stakeholder.locator('main').textContent()) ?? '').toContain('Your acknowledgement is recorded for Distro Linux');
    await screenshot(stakeholder, 'disclosure-04-acknowledged');

    // The report page: the plan, a countdown and each recipient's state.
    await vera.goto(`${baseUrl}/reports/${ref}`);
    const card = vera.locator('.disclosure-card');
    const cardText = (await card.textContent()) ?? '';
    expect(cardText).toContain('1 acknowledged');
    expect(cardText).toMatch(/Disclosure in \d+ days? \d\d h \d\d min/);
    expect(await card.locator('tr', { hasText: 'distro-sec@example.net' }).locator('.badge').textContent()).toBe('acknowledged');
    expect(await card.locator('tr', { hasText: 'dana@example.net' }).locator('.badge').textContent()).toBe('sent');
    await screenshot(vera, 'disclosure-05-report-page');
    await card.screenshot({ path: path.join(screenshotDir, 'disclosure-05b-report-card.png') });
    await vera.goto(`${baseUrl}/disclosures`);
    expect((await vera.locator('main').textContent()) ?? '').toContain(ref);
    await screenshot(vera, 'disclosure-06-dashboard');

    // One minute before the hour nothing is public: report, advisory, index, feed.
    t.clock.set(new Date(new Date(plan.disclose_at).getTime() - 60_000));
    await drain();
    expect((await fetchText(`/reports/${ref}`)).status).toBe(404);
    expect((await fetchText(`/advisories/${advisoryId}`)).status).toBe(404);
    for (const url of ['/', '/advisories', '/feeds/advisories.atom']) {
      const { body } = await fetchText(url);
      expect(body).not.toContain(advisoryId);
      expect(body).not.toContain(TITLE);
    }

    // The hour: one job opens the report, publishes the advisory, announces it and rebuilds the site.
    t.clock.set(plan.disclose_at);
    await drain();
    const reader = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await reader.goto(`${baseUrl}/reports/${ref}`);
    expect((await reader.locator('main').textContent()) ?? '').toContain(TITLE);
    await screenshot(reader, 'disclosure-07-public-report');
    await reader.goto(`${baseUrl}/advisories/${advisoryId}`);
    expect((await reader.locator('h1').textContent()) ?? '').toContain(TITLE);
    await screenshot(reader, 'disclosure-08-advisory');
    expect((await fetchText('/feeds/advisories.atom')).body).toContain(advisoryId);
    expect((await fetchText('/advisories')).body).toContain(advisoryId);

    const announcement = newMail().find((m) => headerOf(m.raw, 'To') === 'announce@lists.example.org');
    expect(headerOf(announcement?.raw ?? '', 'Subject')).toBe(`[${advisoryId}] Nova: ${TITLE} (${CVE})`);
    expect(gpgVerifyPgpMime(gpg, announcement!.raw).stderr).toMatch(/Good signature from "Example VMT/);

    // The coordinator sees each step on the report's disclosure card and timeline.
    const veraAgain = await as(cast.vmt);
    await veraAgain.goto(`${baseUrl}/reports/${ref}`);
    const steps = await veraAgain.locator('.disclosure-card ol.steps li .badge').allTextContents();
    expect(steps).toEqual(['done', 'done', 'done']);
    await screenshot(veraAgain, 'disclosure-09-steps-done');
  });
});
