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
import { makePublic } from './embargo/decisions.js';
import { publishAsIssue } from './public-issue.js';
import { publishFiles } from './attachment-consent.js';
import type { Scope } from '../context.js';
import { buildUserActor } from '../access/load-actor.js';
import { anonymous } from '../access/actor.js';
import { canRead, reportAccess } from '../access/report-policy.js';
import { loadReportBy } from './store.js';

const PRIVATE_ROLES = ['reporter', 'coresec', 'stakeholder', 'vmt'];
// Who was let in, and why (issue 13 item 5): the VMT's business only, before and after opening.
const REASONS = ['reason-marker-c0r', 'reason-marker-d1s'];
// The subscribers' display names; each may see their own (the page header names them), nobody else but the VMT.
const SUBSCRIBER_NAMES: Record<string, string> = { coresec: 'User novacoresec', stakeholder: 'User distro' };

describe.each(testDialects())('leak matrix (reports) on %s', (dialect) => {
  let t: TestApp;
  let roles: LeakRole[];
  let ref: string;
  let reportId: number;
  let reporterToken: string;
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
    reporterToken = received.reporterToken;
    await receiveReport(await scopeOf(users.otherReporter!), { title: 'Other report', description: 'unrelated', projects: ['swift'], email: 'o@example.org' }, [], 'web');
    const vmtScope = await scopeOf(users.vmt!);
    await subscribe(vmtScope, ref, { username: 'novacoresec', level: 'coresec', reason: 'fix development reason-marker-c0r' });
    await subscribe(vmtScope, ref, { username: 'distro', level: 'stakeholder', reason: 'asked to be told reason-marker-d1s' });
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

  it('counts: each list total is what the policy lets that role read; the queue’s instance-wide counters reach only the VMT', async () => {
    const facts = await Promise.all((await t.ctx.storage.db.selectFrom('reports').select('id').execute()).map(async (r) => (await loadReportBy(t.ctx.storage.db, { id: r.id }))!.facts));
    for (const role of roles) {
      const client = role.client ?? new TestClient(t);
      const user = users[role.name];
      const actor = user ? await buildUserActor(t.ctx.storage.db, t.ctx.config, user.user, { kind: 'session', mfaPassed: true }) : anonymous;
      const readable = facts.filter((f) => canRead(reportAccess(actor, f))).length;
      const all = await client.get('/api/v1/reports', 'application/json');
      expect(all.statusCode, role.name).toBe(200);
      expect((JSON.parse(all.body) as { total: number }).total, `${role.name} list total`).toBe(readable);
      // The queue (its counts come from counters over every report) answers the VMT alone.
      const queue = await client.get('/vmt');
      if (role.name === 'vmt') expect(queue.statusCode).toBe(200);
      else expect(queue.statusCode, `${role.name} /vmt`).not.toBe(200);
    }
  });

  it('notification mail never carries the report’s content, and VMT-only events reach only the VMT', async () => {
    const mails = await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute();
    expect(mails.length).toBeGreaterThan(3);
    for (const m of mails) {
      for (const marker of ['secret-description-marker-4d2', 'markertitle7q', 'vmt-only-comment-marker-51z', 'everyone-comment-marker-8k3', 'attachment-marker-9x1', ...REASONS]) {
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

  /** Who took part and why, on every page, API, feed, export and the audit log: the VMT only (and each subscriber their own name). */
  async function expectExtentHidden(phase: string) {
    // One probe for every reason (they share the prefix): every route × every role is a lot of requests.
    expect(await probeLeaks(t, roles, privateObject('reason-marker-', ['vmt'], 'absence')), `${phase}: reasons`).toEqual([]);
    for (const [owner, name] of Object.entries(SUBSCRIBER_NAMES)) {
      // The admin's people pages list every account (that is not who took part in a report).
      const peoplePage = (url: string) => url.startsWith('/admin/users') || url.startsWith('/api/v1/users');
      const v = await probeLeaks(t, roles, { ...privateObject(name, ['vmt', owner], 'absence'), allowed: (role, route) => ['vmt', owner].includes(role) || (role === 'admin' && peoplePage(route.url)), mustShow: () => false });
      expect(v, `${phase}: ${name}`).toEqual([]);
    }
    // The VMT sees the whole list with the reasons, on the page and in the JSON.
    const vmtClient = roles.find((r) => r.name === 'vmt')!.client!;
    for (const accept of ['text/html', 'application/json']) {
      const url = accept === 'text/html' ? `/reports/${ref}` : `/api/v1/reports/${ref}`;
      const body = (await vmtClient.get(url, accept)).body;
      for (const marker of [...REASONS, ...Object.values(SUBSCRIBER_NAMES).map((n) => (accept === 'text/html' ? n : n.replace('User ', '')))]) expect(body, `${phase}: vmt ${url}`).toContain(marker);
    }
    // The anonymous reporter's private link shows no one else either.
    const link = await new TestClient(t).get(`/r/${reporterToken}`);
    expect(link.statusCode).toBe(200);
    for (const marker of [...REASONS, ...Object.values(SUBSCRIBER_NAMES), 'distro', 'novacoresec', 'Disclosure widened']) expect(link.body, `${phase}: /r/ link`).not.toContain(marker);
  }

  it('who was let in, and why: only the VMT sees subscriptions and reasons during the embargo', async () => {
    await expectExtentHidden('embargo');
    // A subscriber's JSON carries their own subscription only, without the VMT's reason.
    const stakeholder = roles.find((r) => r.name === 'stakeholder')!.client!;
    const json = JSON.parse((await stakeholder.get(`/api/v1/reports/${ref}`, 'application/json')).body) as { subscriptions: Record<string, unknown>[]; timeline: { kind: string }[] };
    expect(json.subscriptions).toEqual([{ username: 'distro', level: 'stakeholder', read_only: true, added_at: expect.any(String) }]);
    expect(json.timeline.map((e) => e.kind)).not.toContain('subscribed');
  }, 300_000);

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

  it('after opening: subscriptions and reasons stay the VMT’s; the reporter’s files stay private unless picked', async () => {
    const vmtScope = await scopeOf(users.vmt!);
    await makePublic(vmtScope, ref, 'Coordinated disclosure reached.');
    await expectExtentHidden('public');
    const att = await t.ctx.storage.db.selectFrom('report_attachments').select('id').where('report_id', '=', reportId).executeTakeFirstOrThrow();
    const file = `/reports/${ref}/attachments/${att.id}`;
    const outsiders = roles.filter((r) => !PRIVATE_ROLES.includes(r.name));
    for (const role of outsiders) {
      const client = role.client ?? new TestClient(t);
      expect((await client.get(file, 'application/octet-stream')).statusCode, role.name).toBe(404);
      const page = await client.get(`/reports/${ref}`);
      expect(page.statusCode, role.name).toBe(200);
      expect(page.body, role.name).not.toContain('poc.py');
      expect((await client.get(`/api/v1/reports/${ref}`, 'application/json')).body, role.name).not.toContain('poc.py');
    }
    // The people on the report keep their files.
    for (const name of PRIVATE_ROLES) expect((await roles.find((r) => r.name === name)!.client!.get(file, 'application/octet-stream')).body, name).toBe('attachment-marker-9x1');
    // Once the coordinator picks the file, everyone may download it.
    await publishFiles(vmtScope, ref, [String(att.id)], 'The proof of concept helps operators test the fix.');
    expect((await new TestClient(t).get(file, 'application/octet-stream')).body).toBe('attachment-marker-9x1');
    expect((await new TestClient(t).get(`/reports/${ref}`)).body).toContain('Published with the report: poc.py.');
  }, 300_000);
});
