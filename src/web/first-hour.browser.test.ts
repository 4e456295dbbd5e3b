// Issue 15 ("The first hour"), done-when: the whole story as a new team walks it, in real Chromium, on a
// server booted the way `npm start` boots it (fresh data directory, SQLite, in-process worker, mail to a
// real SMTP sink on loopback): the printed setup link → the first admin with TOTP → a project with two
// branches and its repository → people and a downstream stakeholder → an anonymous report from the home
// page's button → triage → a patch for both branches, checked by the real git and pre-approved → the
// advisory with its approvals → the signed pre-notice (gpg --verify) → the disclosure hour (the clock is
// moved to it; the worker discloses) → a security note → the public site shows both. Every step's page is
// seen at 1280 px and at 390 px (screenshots in test-artifacts/screenshots/first-hour/, and no page wider
// than the phone). No step uses the CLI or calls the code behind a page: the clock is the only thing the
// test moves by hand (to reach the disclosure hour without waiting days).
import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, signedInPage } from '../testing/browser.js';
import { currentTotp } from '../accounts/totp.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { gpgVerifyPgpMime, headerOf } from '../mail/testing/mail.js';
import { waitFor } from '../testing/worker-processes.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir } from '../patches/testing/support.js';
import { DESKTOP, seeAtBothWidths, startStoryWorld, type StoryWorld } from '../testing/story/world.js';

// A Monday in the past: keys and signatures made at the clock's time must not lie in the real future.
const START = '2026-11-02T09:00:00.000Z';
const TEAM = { name: 'Widget Security Team', email: 'security@widget.example' };
const ADA = { username: 'ada', password: 'analytical engine 1843' };
const VICTOR = { username: 'victor', password: 'difference engine 1822' };
const SAM = { username: 'sam', password: 'tabulating machine 1890' };
const TITLE = 'Widget upload API writes outside the upload directory';
const CVE = 'CVE-2026-40001';

describeInBrowser('the first hour, as a new team walks it, at 1280 and 390 px', () => {
  let world: StoryWorld;
  let browser: Browser;
  let gpg: TempGnupg;
  let tmp: string;
  let upstream: string;
  let patchFile: string;
  const totp: Record<string, string> = {};

  beforeAll(async () => {
    // The project's real upstream repository (master and stable/1.0) and a fix made with git format-patch.
    tmp = makeTempDir('cordon-first-hour-git-');
    upstream = initRepo(path.join(tmp, 'widget'));
    commitFiles(upstream, { 'widget/upload.py': numberedLines(40), README: 'widget\n' }, 'Initial import');
    gitSync(upstream, ['branch', 'stable/1.0']);
    const work = path.join(tmp, 'work');
    gitSync(tmp, ['clone', '-q', '--template=', upstream, work]);
    commitFiles(work, { 'widget/upload.py': numberedLines(40, { 20: 'target = safe_join(upload_dir, name)  # no ../' }) }, 'Keep uploads inside the upload directory\n\nA name with ../ wrote outside it.\n\nCloses-Bug: #4001');
    patchFile = path.join(tmp, '0001-keep-uploads-inside.patch');
    writeFileSync(patchFile, gitSync(work, ['format-patch', '-1', '--stdout']));

    // Only what stays in the environment is given here (the key's passphrase, the lists); the name and the
    // addresses are entered on the setup pages, as a new team does.
    world = await startStoryWorld(START, {
      pgpPassphrase: 'first hour story passphrase',
      announceLists: ['announce@lists.widget.example'],
    });
    browser = await launchBrowser();
    gpg = new TempGnupg();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    gpg?.cleanup();
    await world?.close();
    if (tmp) removeDir(tmp);
  });

  const url = (p: string) => `${world.baseUrl}${p}`;
  const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';
  const flash = async (page: Page) => {
    await page.waitForSelector('.flash');
    return (await page.locator('.flash').first().textContent()) ?? '';
  };
  /** A fresh browser signed in through the pages; each sign-in uses a new TOTP step (each is accepted once). */
  const signIn = async (who: { username: string; password: string }): Promise<Page> => {
    world.clock.advance(31_000);
    return signedInPage(browser, world.baseUrl, who.username, { password: who.password, totpSecret: totp[who.username], now: () => world.clock.now(), viewport: DESKTOP });
  };
  const anonymous = async (): Promise<Page> => (await browser.newContext({ viewport: DESKTOP })).newPage();

  /** Opens a folded section (details/summary) when it is closed. */
  async function unfold(page: Page, summary: string): Promise<void> {
    const details = page.locator('details', { has: page.locator('summary', { hasText: summary }) });
    if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  }

  /** Opens one of the report page's action groups (triage, access, embargo, disclosure) when it is folded. */
  async function openGroup(page: Page, group: 'triage' | 'access' | 'embargo' | 'disclosure'): Promise<void> {
    const details = page.locator(`details#work-${group}`);
    if ((await details.getAttribute('open')) === null) await details.locator('> summary').click();
  }

  /** Turns on TOTP on the account's security page and returns the secret (as an authenticator app keeps it). */
  async function enrolTotp(page: Page): Promise<string> {
    await page.goto(url('/account/security'));
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await page.waitForSelector('#totp-secret');
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').trim();
    await page.getByLabel('Code shown in the app').fill(currentTotp(secret, world.clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForSelector('ul.codes');
    return secret;
  }

  it('walks from the setup link to a published advisory and note', async () => {
    // 1. The setup link the server printed: the first admin.
    const ada = await anonymous();
    await ada.goto(world.setupLink);
    expect(await ada.locator('h1').textContent()).toBe('Set up Cordon');
    await seeAtBothWidths(ada, '01-setup-link');
    await ada.getByLabel('Username').fill(ADA.username);
    await ada.getByLabel('Your name').fill('Ada Admin');
    await ada.getByLabel('Email').fill('ada@widget.example');
    await ada.getByLabel('Password').fill(ADA.password);
    await ada.getByRole('button', { name: 'Create admin account' }).click();
    await ada.waitForURL('**/account/security');
    expect(await flash(ada)).toContain('Your admin account is ready');
    await seeAtBothWidths(ada, '02-admin-created');

    // 2. Two-factor authentication, with codes computed from the secret the page shows.
    totp[ADA.username] = await enrolTotp(ada);
    expect(await ada.locator('ul.codes li').count()).toBe(10);
    await seeAtBothWidths(ada, '03-totp-recovery-codes');

    // 2b. The first-run checklist: name, URL and addresses with a test mail, the team key, what published
    // records say — all in the browser.
    await ada.getByRole('link', { name: 'I have saved them: continue to the first-run checklist' }).click();
    await ada.waitForURL('**/admin/setup');
    expect(await ada.locator('p.lead').textContent()).toContain('0 of 6 steps done');
    await seeAtBothWidths(ada, '03b-checklist');
    await ada.getByRole('link', { name: 'Set name and URL' }).click();
    await ada.waitForURL('**/admin/settings');
    await ada.locator('#f-instance_name').fill('Widget Security');
    await ada.locator('#f-public_url').fill(world.baseUrl);
    await ada.locator('#f-team_email').fill(TEAM.email);
    await ada.locator('#f-mail_from').fill(`${TEAM.name} <${TEAM.email}>`);
    await ada.getByRole('button', { name: 'Save settings' }).click();
    expect(await flash(ada)).toContain('Settings saved');
    await ada.getByRole('button', { name: 'Send a test mail' }).click();
    await waitFor('the test mail at the SMTP sink', async () => world.sink.received.find((m) => m.to.includes('ada@widget.example')));
    await waitFor('the test mail shown as sent', async () => {
      await ada.goto(url('/admin/settings'));
      return ((await ada.locator('.test-mail-result .badge').textContent()) ?? '').trim() === 'sent';
    });
    await seeAtBothWidths(ada, '03c-settings-test-mail-sent');
    // The team key, generated on its page; its user id names the team address just entered.
    await ada.goto(url('/admin/setup'));
    await ada.getByRole('link', { name: 'Make the team key' }).click();
    await ada.waitForURL('**/admin/keys');
    await ada.getByRole('button', { name: 'Generate the team key' }).click();
    await flash(ada);
    expect(await mainText(ada)).toContain(TEAM.email);
    await seeAtBothWidths(ada, '03d-team-key');
    // Publication settings: a vendor, and no CVE records of our own (another CNA publishes them).
    await ada.goto(url('/admin/setup'));
    await ada.getByRole('link', { name: 'Choose publication settings' }).click();
    await ada.waitForURL('**/admin/publication');
    await ada.locator('#f-vendor_name').fill('Widget Foundation');
    await ada.locator('#f-cna_choice').selectOption('none');
    await ada.getByRole('button', { name: 'Save publication settings' }).click();
    await flash(ada);
    await seeAtBothWidths(ada, '03e-publication-settings');

    // 3. The admin takes the VMT and security-core hats too (one person, several roles).
    await ada.goto(url('/admin/users'));
    await ada.locator('main').getByRole('link', { name: 'Ada Admin' }).click();
    await ada.waitForURL(/\/admin\/users\/\d+$/);
    await ada.getByLabel('VMT member').check();
    await ada.getByLabel('security core').check();
    await ada.getByRole('button', { name: 'Save roles' }).click();
    await flash(ada);
    expect(await ada.getByLabel('VMT member').isChecked()).toBe(true);
    await seeAtBothWidths(ada, '04-admin-roles');

    // 4. The project, with two supported branches and its repository.
    await ada.goto(url('/admin/projects/new'));
    await ada.locator('#f-name').fill('Widget');
    await ada.locator('#f-slug').fill('widget');
    await ada.getByLabel('Description').fill('Widget: uploads, thumbnails and sharing for the web.');
    await ada.getByLabel('Supported branches').fill('master\nstable/1.0');
    await ada.getByLabel('Git repositories').fill(`widget ${upstream}`);
    await seeAtBothWidths(ada, '05-project-form');
    await ada.getByRole('button', { name: 'Create project' }).click();
    await ada.waitForURL('**/admin/projects/widget');
    expect(await flash(ada)).toContain('Project Widget created');
    // Ada is the project's lead and coresec as well.
    for (const role of ['lead', 'coresec']) {
      const members = ada.locator('form[action$="/members"]');
      await members.getByLabel('Username').fill(ADA.username);
      await members.getByLabel('Role').selectOption(role);
      await members.getByRole('button', { name: 'Grant role' }).click();
      await flash(ada);
    }
    expect(await mainText(ada)).toContain('coresec');
    await seeAtBothWidths(ada, '06-project-created');

    // 5. People: a second VMT member (approvals need a second pair of eyes).
    await ada.goto(url('/admin/users'));
    const people = ada.locator('form[action="/admin/users"]');
    await people.locator('#f-username').fill(VICTOR.username);
    await people.locator('#f-display_name').fill('Victor VMT');
    await people.locator('#f-email').fill('victor@widget.example');
    await people.getByLabel('Initial password').fill(VICTOR.password);
    await people.getByLabel('VMT member').check();
    await people.getByLabel('security core').check();
    await people.getByRole('button', { name: 'Create account' }).click();
    await ada.waitForURL(/\/admin\/users\/\d+$/);
    expect(await ada.locator('h1').textContent()).toContain('Victor VMT');
    await seeAtBothWidths(ada, '07-second-vmt-member');

    // 6. A downstream stakeholder that follows widget.
    await ada.goto(url('/admin/stakeholders'));
    await ada.getByLabel('Name').fill('Downstream Linux');
    await ada.getByLabel('Projects followed').fill('widget');
    await ada.getByRole('button', { name: 'Add organisation' }).click();
    await ada.waitForURL(/\/admin\/stakeholders\/\d+$/);
    await ada.getByLabel('Name').fill('Dana Downstream');
    await ada.getByLabel('Email').fill('dana@downstream.example');
    await ada.getByRole('button', { name: 'Add contact' }).click();
    await flash(ada);
    expect(await mainText(ada)).toContain('dana@downstream.example');
    await seeAtBothWidths(ada, '08-stakeholder');

    // 7. The team key made on /admin/keys is published at /keys/team.asc, where the test's gpg picks it up.
    const teamAsc = await fetch(url('/keys/team.asc'));
    expect(teamAsc.status).toBe(200);
    gpg.importKey(await teamAsc.text());
    await ada.goto(url('/contact'));
    expect(await mainText(ada)).toContain(TEAM.email);
    await seeAtBothWidths(ada, '08b-contact-with-key');

    // 8. An anonymous finder reports from the home page's button.
    const finder = await anonymous();
    await finder.goto(url('/'));
    await seeAtBothWidths(finder, '09-home');
    await finder.locator('main').getByRole('link', { name: 'Report a vulnerability' }).click();
    await finder.waitForURL('**/report**');
    await finder.getByLabel('Title').fill(TITLE);
    await finder.getByLabel('Description').fill('Uploading a file named `../../etc/cron.d/x` writes it outside the upload directory. Run the attached poc.py to see it.');
    await finder.getByLabel('Widget').check();
    await finder.getByLabel('Affected versions').fill('1.0.0 and master');
    await finder.getByLabel('Name to credit').fill('Fay Finder');
    await finder.getByLabel('Affiliation (optional)').fill('Example Labs');
    await finder.getByLabel('Email address').fill('fay@finder.example');
    await seeAtBothWidths(finder, '10-report-form');
    await finder.getByRole('button', { name: 'Send the report privately' }).click();
    await finder.waitForSelector('a[href*="/r/"]');
    const ref = /R-[A-Z2-9]{8}/.exec(await mainText(finder))![0];
    const reporterLink = (await finder.locator('a[href*="/r/"]').first().getAttribute('href'))!;
    expect(reporterLink).toMatch(/\/r\/[A-Za-z0-9_-]{40,}/);
    await seeAtBothWidths(finder, '11-report-received');

    // 9. Triage: acknowledge, accept (confirmed), class A, the CVE, the impact description.
    await ada.goto(url(`/reports/${ref}`));
    expect(await ada.locator('h1').textContent()).toContain(TITLE);
    await seeAtBothWidths(ada, '12-report-new');
    await ada.getByRole('button', { name: 'Acknowledge' }).click();
    expect(await flash(ada)).toContain('Acknowledged');
    await ada.getByLabel('Move to state').selectOption('confirmed');
    await ada.getByRole('button', { name: 'Change state' }).click();
    expect(await flash(ada)).toContain('State changed');
    await ada.getByLabel('Class', { exact: true }).selectOption('A');
    await ada.getByRole('button', { name: 'Classify' }).click();
    expect(await flash(ada)).toContain('Classified');
    await unfold(ada, 'Draft impact, request or assign a CVE');
    await ada.getByLabel('Assigned CVE id').fill(CVE);
    await ada.getByRole('button', { name: 'Add CVE' }).click();
    expect(await flash(ada)).toContain(CVE);
    await unfold(ada, 'Draft impact, request or assign a CVE');
    await ada.getByLabel('Reporter', { exact: true }).fill('Fay Finder from Example Labs');
    await ada.getByLabel('Action').fill('uploading a file whose name contains ../');
    await ada.locator('input[name="actor"]').fill('authenticated user');
    await ada.locator('input[name="impact"]').fill('write files outside the upload directory');
    await ada.getByLabel('Consequence').fill('code execution on the server');
    await ada.getByLabel('Only … are affected').fill('deployments with uploads enabled');
    await ada.getByRole('button', { name: 'Save impact description' }).click();
    await flash(ada);
    expect(await ada.locator('blockquote.impact').textContent()).toContain('Fay Finder from Example Labs reported a vulnerability in Widget.');
    // Ada takes part as the project's lead too (recorded on the timeline), in the report's Access group.
    await openGroup(ada, 'access');
    const sub = ada.locator('form[action$="/subscribe"]');
    // By name: the page has two fields each with the ids f-username and f-reason, so the label points elsewhere.
    await sub.locator('input[name="username"]').fill(ADA.username);
    await sub.getByLabel('Takes part as').selectOption('lead');
    await sub.locator('input[name="reason"]').fill('Widget project lead reviews the impact description');
    await sub.getByRole('button', { name: 'Widen disclosure' }).click();
    await flash(ada);
    await seeAtBothWidths(ada, '13-report-triaged');

    // 10. The impact approvals: the reporter through the private link, Ada with the lead's hat.
    await finder.goto(url(reporterLink));
    expect(await mainText(finder)).toContain(TITLE);
    expect(await mainText(finder)).toContain('Fay Finder from Example Labs reported a vulnerability in Widget.');
    await seeAtBothWidths(finder, '14-reporter-private-link');
    await finder.getByRole('button', { name: 'Approve this description' }).click();
    expect(await flash(finder)).toMatch(/approved/i);
    await ada.goto(url(`/reports/${ref}`));
    // Ada is VMT and the project's lead: the lead's approval is hers to give.
    await ada.locator('#impact-lead').getByRole('button', { name: 'Approve this description' }).click();
    await flash(ada);
    expect(await ada.locator('#impact-reporter .badge').first().textContent()).toBe('approved');
    expect(await ada.locator('#impact-lead .badge').first().textContent()).toBe('approved');

    // 11. The patch for both branches: checked with the real git, pre-approved by coresec (+2).
    await ada.goto(url(`/reports/${ref}/patches`));
    for (const box of await ada.locator('input[name="targets"]').all()) await box.check();
    expect(await ada.locator('input[name="targets"]:checked').count()).toBe(2);
    await ada.locator('#f-files').setInputFiles(patchFile);
    await seeAtBothWidths(ada, '15-patch-upload');
    await ada.getByRole('button', { name: 'Upload and check' }).click();
    await ada.waitForLoadState('load');
    let patchesText = '';
    await waitFor(
      'the patch checks on both branches',
      async () => {
        await ada.goto(url(`/reports/${ref}/patches`));
        patchesText = await mainText(ada);
        return (patchesText.match(/applies cleanly/gi) ?? []).length >= 2;
      },
      120_000,
      () => patchesText,
    );
    await seeAtBothWidths(ada, '16-patch-checked');
    const patchLinks = [...new Set((await ada.locator(`a[href^="/reports/${ref}/patches/"]`).evaluateAll((as: unknown[]): string[] => as.map((a) => (a as { getAttribute(n: string): string | null }).getAttribute('href') ?? ''))).filter((h) => /\/patches\/\d+$/.test(h)))];
    expect(patchLinks).toHaveLength(2);
    for (const [i, href] of patchLinks.entries()) {
      await ada.goto(url(href));
      if (i === 0) await seeAtBothWidths(ada, '17-patch-page');
      await ada.locator('select[name="score"]').selectOption('2');
      await ada.locator('form[action$="/votes"]').getByRole('button', { name: 'Vote' }).click();
      await ada.waitForLoadState('load');
    }
    await ada.goto(url(`/reports/${ref}/patches`));
    expect(await ada.locator('.readiness.ready').count()).toBe(2);
    await seeAtBothWidths(ada, '18-patches-ready');

    // 12. The advisory, drafted from the report and approved by the second VMT member.
    await ada.goto(url(`/reports/${ref}`));
    await ada.getByRole('link', { name: 'Draft the advisory' }).click();
    await ada.waitForURL('**/advisories/new**');
    expect(await ada.locator('[name="title"]').inputValue()).toContain(TITLE);
    await ada.locator('[name="products"]').fill('widget: <1.0.1, ==1.1.0');
    await ada.locator('[name="cvss"]').fill('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H');
    await ada.locator('[name="cwes"]').fill('CWE-22');
    await seeAtBothWidths(ada, '19-advisory-editor');
    await ada.getByRole('button', { name: 'Save draft' }).click();
    await ada.waitForURL('**/manage');
    const manageUrl = ada.url();
    const advisoryId = /[A-Z]+-\d{4}-\d{3}/.exec(manageUrl)![0];
    await seeAtBothWidths(ada, '20-advisory-draft');

    // Victor's first sign-in: he turns on TOTP himself, then approves.
    const victor = await signIn(VICTOR);
    totp[VICTOR.username] = await enrolTotp(victor);
    await victor.goto(manageUrl);
    await victor.getByRole('button', { name: /Approve revision/ }).click();
    expect(await flash(victor)).toMatch(/approved/i);
    await seeAtBothWidths(victor, '21-advisory-approved');

    // 13. The pre-notice: proposed hour, real signed mail to the stakeholder (gpg --verify).
    await ada.goto(url(`/reports/${ref}/disclosure`));
    expect(await mainText(ada)).toContain('dana@downstream.example');
    await seeAtBothWidths(ada, '22-disclosure-plan');
    await ada.getByRole('button', { name: 'Send the pre-notice' }).click();
    expect(await flash(ada)).toContain('Pre-notice queued for 1 recipient(s)');
    const prenotice = await waitFor('the pre-notice at the SMTP sink', async () => world.sink.received.find((m) => m.to.includes('dana@downstream.example') && headerOf(m.raw, 'Subject')?.startsWith('[pre-')));
    expect(headerOf(prenotice.raw, 'Subject')).toBe(`[pre-${advisoryId.split('-')[0]}] Vulnerability in Widget (${CVE})`);
    expect(gpgVerifyPgpMime(gpg, prenotice.raw).stderr).toMatch(new RegExp(`Good signature from "${TEAM.name} <${TEAM.email}>"`));
    await ada.goto(url(`/reports/${ref}`));
    await waitFor('the recipient shown as sent', async () => {
      await ada.reload();
      return ((await ada.locator('.disclosure-card').textContent()) ?? '').includes('sent');
    });
    await seeAtBothWidths(ada, '23-report-prenotice-sent');
    // Nothing is public before the hour.
    const outsider = await anonymous();
    expect((await outsider.goto(url(`/advisories/${advisoryId}`)))?.status()).toBe(404);
    expect((await outsider.goto(url(`/reports/${ref}`)))?.status()).toBe(404);

    // 14. The disclosure hour: the clock reaches it and the worker opens, publishes and announces.
    // The hour as the report page's disclosure card shows it (its <time datetime>).
    const discloseAt = await ada.locator('.disclosure-card time').first().getAttribute('datetime');
    expect(discloseAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00/);
    world.clock.set(discloseAt!);
    await waitFor('the advisory published at the hour', async () => (await outsider.goto(url(`/advisories/${advisoryId}`)))?.status() === 200);
    expect((await outsider.locator('h1').textContent()) ?? '').toContain(TITLE);
    await seeAtBothWidths(outsider, '24-public-advisory');
    const announcement = await waitFor('the signed announcement', async () => world.sink.received.find((m) => m.to.includes('announce@lists.widget.example') && headerOf(m.raw, 'Subject')?.startsWith(`[${advisoryId}]`)));
    expect(gpgVerifyPgpMime(gpg, announcement.raw).stderr).toMatch(/Good signature/);
    await outsider.goto(url(`/reports/${ref}`));
    expect(await mainText(outsider)).toContain(TITLE);
    await seeAtBothWidths(outsider, '25-public-report');

    // 15. A security note: Ada (security core) flags, writes and submits it. The rule needs two +2 votes
    // from security core members other than the author (Victor, and Sam, added now on the people page)
    // and a +1 from a core reviewer of widget — a role Sam holds too, so his +2 fills it (each hat counts).
    const adaNow = await signIn(ADA);
    await adaNow.goto(url('/admin/users'));
    const newPerson = adaNow.locator('form[action="/admin/users"]');
    await newPerson.locator('#f-username').fill(SAM.username);
    await newPerson.locator('#f-display_name').fill('Sam Security-Core');
    await newPerson.locator('#f-email').fill('sam@widget.example');
    await newPerson.getByLabel('Initial password').fill(SAM.password);
    await newPerson.getByLabel('security core').check();
    await newPerson.getByRole('button', { name: 'Create account' }).click();
    await adaNow.waitForURL(/\/admin\/users\/\d+$/);
    await adaNow.goto(url('/admin/projects/widget'));
    const members = adaNow.locator('form[action$="/members"]');
    await members.getByLabel('Username').fill(SAM.username);
    await members.getByLabel('Role').selectOption('core_reviewer');
    await members.getByRole('button', { name: 'Grant role' }).click();
    await flash(adaNow);
    const sam = await signIn(SAM);
    totp[SAM.username] = await enrolTotp(sam);
    await sam.context().close();
    await adaNow.goto(url('/notes/flag'));
    await adaNow.locator('[name="title"]').fill('Widget thumbnails follow symlinks in the upload directory');
    await adaNow.locator('[name="reason"]').fill('Operators who share the upload directory with other services expose files through thumbnails.');
    await adaNow.locator('[name="projects"][value="widget"]').check();
    await adaNow.getByRole('button', { name: 'Flag a note as wanted' }).click();
    await adaNow.waitForURL('**/notes/flags/**');
    await adaNow.getByRole('button', { name: 'Claim and start writing' }).click();
    await adaNow.waitForURL('**/edit');
    const noteUrl = adaNow.url().replace(/\/edit$/, '');
    await adaNow.locator('[name="summary"]').fill('Widget’s thumbnailer follows symbolic links, so a shared upload directory can expose other files.');
    await adaNow.locator('[name="affected"]').fill('Widget: all supported versions');
    await adaNow.locator('[name="discussion"]').fill('The thumbnailer opens whatever a name points to.\n\nOn a shared directory that is more than uploads.');
    await adaNow.locator('[name="recommended_actions"]').fill('Keep the upload directory private to widget:\n\n    chmod 0700 /var/lib/widget/uploads');
    await adaNow.locator('[name="contacts"]').fill('Author : Ada Admin, Widget Security Team');
    await seeAtBothWidths(adaNow, '26-note-editor');
    await adaNow.getByRole('button', { name: /Save as revision/ }).click();
    await adaNow.waitForURL(noteUrl);
    await adaNow.getByRole('button', { name: 'Submit for review' }).click();
    await flash(adaNow);
    const vote = async (who: { username: string; password: string }, value: string) => {
      const page = await signIn(who);
      await page.goto(noteUrl);
      await page.locator('form.vote-form select[name="value"]').selectOption(value);
      await page.locator('form.vote-form').getByRole('button', { name: 'Cast vote' }).click();
      expect(await flash(page)).toMatch(/^\s*Vote recorded/);
      return page;
    };
    await vote(VICTOR, '2');
    const samVoted = await vote(SAM, '2');
    await seeAtBothWidths(samVoted, '27-note-votes');
    await adaNow.goto(noteUrl);
    await adaNow.getByRole('link', { name: 'Publish…' }).click();
    await adaNow.waitForURL(`${noteUrl}/publish`);
    await adaNow.locator('#f-reason').fill('Approved by security core and widget.');
    await adaNow.locator('#f-confirm-yes').check();
    await seeAtBothWidths(adaNow, '28-note-confirm-publish');
    await adaNow.getByRole('button', { name: 'Publish the note' }).click();
    await flash(adaNow);

    // 16. The public site shows the advisory and the note.
    const noteId = noteUrl.split('/').pop()!;
    await outsider.goto(url('/'));
    // The home page lists both: the latest advisories and the latest notes.
    expect(await outsider.locator('section.latest-advisories').textContent()).toContain(advisoryId);
    expect(await outsider.locator('section.latest-notes').textContent()).toContain(noteId);
    await seeAtBothWidths(outsider, '29-public-home');
    await outsider.goto(url('/advisories'));
    expect(await mainText(outsider)).toContain(advisoryId);
    await seeAtBothWidths(outsider, '30-public-advisories');
    expect((await outsider.goto(noteUrl))?.status()).toBe(200);
    expect(await outsider.locator('h1').textContent()).toContain('Widget thumbnails follow symlinks');
    await seeAtBothWidths(outsider, '31-public-note');
    await outsider.goto(url('/notes'));
    expect(await mainText(outsider)).toContain(noteId);
    await seeAtBothWidths(outsider, '32-public-notes');
  }, 600_000);
});
