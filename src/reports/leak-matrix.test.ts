// The leak matrix for private reports (issue 3): a private report, its comments of both visibilities, its
// attachments and timeline, across anonymous, the reporter, another reporter, an unrelated user, the lead of
// another project, subscribed coresec, a read-only stakeholder, the VMT and an admin who is not VMT — on every
// registered page and API route, in search results, lists, counts and notification mail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestUser } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { testDialects } from '../testing/databases.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { receiveReport } from './intake.js';
import { addComment } from './collaboration.js';
import { subscribe } from './ladder.js';
import { setClass } from './triage.js';
import { publishAsIssue } from './disclosure.js';
import type { Scope } from '../context.js';
import { buildUserActor } from '../access/load-actor.js';

const PRIVATE_ROLES = ['reporter', 'coresec', 'stakeholder', 'vmt'];

describe.each(testDialects())('leak matrix (reports) on %s', (dialect) => {
  let t: TestApp;
  let roles: LeakRole[];
  let ref: string;
  let reportId: number;
  let users: Record<string, TestUser>;
  const scopeOf = async (u: TestUser): Promise<Scope> => ({ app: t.ctx, requestId: null, actor: (await buildUserActor(t.ctx.storage.db, t.ctx.config, u.user, { kind: 'session', mfaPassed: true })) });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    await createProject(t.system, { slug: 'swift', name: 'Swift', branches: ['master'] });
    users = {
      reporter: await makeUser(t, { username: 'reporter', totp: false }),
      otherReporter: await makeUser(t, { username: 'otherreporter', totp: false }),
      unrelated: await makeUser(t, { username: 'unrelated', totp: false }),
      otherLead: await makeUser(t, { username: 'swiftlead', totp: false }),
      coresec: await makeUser(t, { username: 'novacoresec', totp: false }),
      stakeholder: await makeUser(t, { username: 'distro', totp: false }),
      vmt: await makeUser(t, { username: 'vmt', roles: ['vmt'] }),
      admin: await makeUser(t, { username: 'admin', roles: ['admin'] }),
    };
    await setProjectMember(t.system, 'swift', users.otherLead!.user.id, 'lead', true);
    await setProjectMember(t.system, 'nova', users.coresec!.user.id, 'coresec', true);
    const reporterScope = await scopeOf(users.reporter!);
    const received = await receiveReport(
      reporterScope,
      { title: 'Heap overflow markertitle7q', description: 'secret-description-marker-4d2', projects: ['nova'], email: 'reporter@example.org' },
      [{ filename: 'poc.py', contentType: 'text/plain', content: Buffer.from('attachment-marker-9x1') }],
      'web',
    );
    ref = received.report.ref;
    reportId = received.report.id;
    await receiveReport(await scopeOf(users.otherReporter!), { title: 'Other report', description: 'unrelated', projects: ['swift'], email: 'o@example.org' }, [], 'web');
    const vmtScope = await scopeOf(users.vmt!);
    await subscribe(vmtScope, ref, { username: 'novacoresec', level: 'coresec', reason: 'fix development' });
    await subscribe(vmtScope, ref, { username: 'distro', level: 'stakeholder', reason: 'asked to be told' });
    await addComment(vmtScope, ref, { body: 'vmt-only-comment-marker-51z', visibility: 'vmt' });
    await addComment(vmtScope, ref, { body: 'everyone-comment-marker-8k3', visibility: 'everyone' });
    roles = [{ name: 'anonymous', client: null }];
    for (const [name, u] of Object.entries(users)) roles.push({ name, client: await signedInClient(t, u) });
  });
  afterAll(async () => t.close());

  const privateObject = (marker: string, allowed: string[], denial: 'status' | 'absence' = 'status') => ({
    denial,
    kind: 'report',
    get paramValue() {
      return ref;
    },
    marker,
    allowed: (role: string) => allowed.includes(role),
    // Routes aimed at the report that show it: the report page and its JSON.
    mustShow: (route: { url: string }) => route.url === '/reports/:ref' || route.url === '/api/v1/reports/:ref',
  });

  it('the report itself: only the reporter, subscribers and the VMT see it; everyone else gets 404', async () => {
    expect(await probeLeaks(t, roles, privateObject('secret-description-marker-4d2', PRIVATE_ROLES))).toEqual([]);
    expect(await probeLeaks(t, roles, privateObject('markertitle7q', PRIVATE_ROLES))).toEqual([]);
  });

  it('a comment for everyone on the report follows the report; a VMT-only comment only the VMT sees', async () => {
    expect(await probeLeaks(t, roles, privateObject('everyone-comment-marker-8k3', PRIVATE_ROLES))).toEqual([]);
    expect(await probeLeaks(t, roles, privateObject('vmt-only-comment-marker-51z', ['vmt'], 'absence'))).toEqual([]);
  });

  it('attachments download only for those who may read the report', async () => {
    const att = await t.ctx.storage.db.selectFrom('report_attachments').select('id').where('report_id', '=', reportId).executeTakeFirstOrThrow();
    const v = await probeLeaks(t, roles, {
      kind: 'attachment',
      paramValue: String(att.id),
      marker: 'attachment-marker-9x1',
      allowed: (role) => PRIVATE_ROLES.includes(role),
      mustShow: () => false,
    }, t.catalogue.map((r) => (r.url === '/reports/:ref/attachments/:attachmentId' ? { ...r, url: r.url.replace(':ref', ref) } : r)));
    expect(v).toEqual([]);
    for (const role of roles) {
      const client = role.client ?? new TestClient(t);
      const res = await client.get(`/reports/${ref}/attachments/${att.id}`, 'application/octet-stream');
      if (PRIVATE_ROLES.includes(role.name)) {
        expect(res.statusCode, role.name).toBe(200);
        expect(res.headers['content-disposition']).toBe('attachment; filename="poc.py"');
        expect(res.body).toBe('attachment-marker-9x1');
      } else expect([404, 303, 401], role.name).toContain(res.statusCode);
    }
  });

  it('search, lists and counts show the report only to those who may read it', async () => {
    for (const role of roles) {
      const client = role.client ?? new TestClient(t);
      // Search for words of the title (not the marker itself, which the search box would echo back).
      const api = await client.get('/api/v1/reports?q=heap+overflow', 'application/json');
      const page = await client.get('/reports?q=heap+overflow');
      const all = await client.get('/api/v1/reports', 'application/json');
      const may = PRIVATE_ROLES.includes(role.name);
      expect(api.body.includes('markertitle7q'), `${role.name} api search`).toBe(may);
      expect(page.body.includes('markertitle7q'), `${role.name} page search`).toBe(may);
      if (api.statusCode === 200) expect((JSON.parse(api.body) as { total: number }).total, `${role.name} count`).toBe(may ? 1 : 0);
      if (all.statusCode === 200 && !may) expect(all.body).not.toContain(ref);
    }
  });

  it('notification mail never carries the report’s content, and VMT-only events reach only the VMT', async () => {
    const mails = await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute();
    expect(mails.length).toBeGreaterThan(3);
    for (const m of mails) {
      for (const marker of ['secret-description-marker-4d2', 'markertitle7q', 'vmt-only-comment-marker-51z', 'everyone-comment-marker-8k3', 'attachment-marker-9x1']) {
        expect(m.payload).not.toContain(marker);
      }
    }
    // The VMT-only comment's notification went to VMT members only.
    const vmtOnly = mails.map((m) => JSON.parse(m.payload) as { to: string[]; subject: string; text: string });
    const commentMails = vmtOnly.filter((m) => m.subject.includes('A comment was added'));
    const recipients = new Set(commentMails.flatMap((m) => m.to));
    expect(recipients.has('vmt@example.org')).toBe(false); // the author is not told about their own comment
    expect([...recipients].sort()).toEqual(['distro@example.org', 'novacoresec@example.org', 'reporter@example.org']);
  });

  it('a scrubbed public issue shows only what the coordinator chose', async () => {
    const vmtScope = await scopeOf(users.vmt!);
    await setClass(vmtScope, ref, 'E');
    await publishAsIssue(vmtScope, ref, { summary: 'public-summary-marker-2b', commentIds: [] });
    const page = await new TestClient(t).get(`/issues/${ref}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('public-summary-marker-2b');
    expect(page.body).not.toContain('secret-description-marker-4d2');
    expect(page.body).not.toContain('everyone-comment-marker-8k3');
    // The private report itself stays private.
    expect((await new TestClient(t).get(`/reports/${ref}`)).statusCode).toBe(404);
    expect((await new TestClient(t).get('/issues/R-AAAAAAAA')).statusCode).toBe(404);
  });
});
