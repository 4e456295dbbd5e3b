// The team's report page and its form actions through HTTP: files (including VMT-only ones), moving
// between projects, the scrubbed public issue, and what each audience sees on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { postMultipart, scopeOf } from './testing/intake.js';
import { receiveReport } from './intake.js';
import { subscribe } from './ladder.js';

describe.each(testDialects())('report page actions on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestUser;
  let coresec: TestUser;
  let ref: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    await createProject(t.system, { slug: 'neutron', name: 'Neutron', branches: ['master'] });
    vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    coresec = await makeUser(t, { username: 'coresec', totp: false });
    await setProjectMember(t.system, 'nova', coresec.user.id, 'coresec', true);
    ref = (await receiveReport(t.system, { title: 'Port security bypass', description: 'details', projects: ['nova'], email: 'r@example.org' }, [], 'web')).report.ref;
    await subscribe(await scopeOf(t, vmt), ref, { username: 'coresec', level: 'coresec', reason: 'fix' });
  });
  afterAll(async () => t.close());

  it('the team attaches files; a VMT-only file stays with the VMT', async () => {
    const c = await signedInClient(t, vmt);
    const up = await postMultipart(t, c, `/reports/${ref}/attachments`, [['visibility', 'vmt']], [{ name: 'attachments', filename: 'triage-notes.txt', content: Buffer.from('vmt-file-marker') }], { tokenFrom: `/reports/${ref}` });
    expect(up.statusCode).toBe(303);
    const cs = await signedInClient(t, coresec);
    const up2 = await postMultipart(t, cs, `/reports/${ref}/attachments`, [], [{ name: 'attachments', filename: 'fix.diff', content: Buffer.from('--- a\n+++ b\n') }], { tokenFrom: `/reports/${ref}` });
    expect(up2.statusCode).toBe(303);
    const teamPage = await c.get(`/reports/${ref}`);
    expect(teamPage.body).toContain('triage-notes.txt');
    expect(teamPage.body).toContain('fix.diff');
    const csPage = await cs.get(`/reports/${ref}`);
    expect(csPage.body).not.toContain('triage-notes.txt');
    expect(csPage.body).toContain('fix.diff');
    // coresec may not add VMT-only files: refused, nothing stored.
    const before = await t.ctx.storage.db.selectFrom('report_attachments').select('id').execute();
    const refused = await postMultipart(t, cs, `/reports/${ref}/attachments`, [['visibility', 'vmt']], [{ name: 'attachments', filename: 'x.txt', content: Buffer.from('x') }], { tokenFrom: `/reports/${ref}` });
    expect(refused.statusCode).toBe(303);
    expect((await t.ctx.storage.db.selectFrom('report_attachments').select('id').execute()).length).toBe(before.length);
    // Without the CSRF token in the action URL: 403.
    const noToken = await postMultipart(t, c, `/reports/${ref}/attachments`, [], [{ name: 'attachments', filename: 'y.txt', content: Buffer.from('y') }], { csrf: null, tokenFrom: `/reports/${ref}` });
    expect(noToken.statusCode).toBe(403);
  });

  it('moves the report to another project', async () => {
    const c = await signedInClient(t, vmt);
    const res = await c.post(`/reports/${ref}/redirect`, { from: 'nova', to: 'neutron' }, `/reports/${ref}`);
    expect(res.statusCode).toBe(303);
    const page = await c.get(`/reports/${ref}`);
    expect(page.body).toContain('Moved from Nova to Neutron.');
  });

  it('publishes a scrubbed issue only for class D/E, with only the chosen comments', async () => {
    const c = await signedInClient(t, vmt);
    const early = await c.post(`/reports/${ref}/publish-issue`, { summary: 'Public words' }, `/reports/${ref}`);
    expect(early.statusCode).toBe(303);
    expect((await new TestClient(t).get(`/issues/${ref}`)).statusCode).toBe(404);
    await c.post(`/reports/${ref}/comments`, { body: 'chosen-comment', visibility: 'everyone' }, `/reports/${ref}`);
    await c.post(`/reports/${ref}/comments`, { body: 'private-comment', visibility: 'everyone' }, `/reports/${ref}`);
    await c.post(`/reports/${ref}/class`, { class: 'E' }, `/reports/${ref}`);
    const page = await c.get(`/reports/${ref}`);
    const chosenId = /id="pub-(\d+)"[^>]*>\s*<label[^>]*>\s*Publish the comment by [^(]*\(chosen-comment/.exec(page.body)?.[1];
    expect(chosenId).toBeDefined();
    const done = await c.post(`/reports/${ref}/publish-issue`, { summary: 'Not a vulnerability: **hardening** only.', comments: [chosenId!] }, `/reports/${ref}`);
    expect(done.statusCode).toBe(303);
    const issue = await new TestClient(t).get(`/issues/${ref}`);
    expect(issue.statusCode).toBe(200);
    expect(issue.body).toContain('<strong>hardening</strong>');
    expect(issue.body).toContain('chosen-comment');
    expect(issue.body).not.toContain('private-comment');
    expect(issue.body).not.toContain('Port security bypass');
  });
});
