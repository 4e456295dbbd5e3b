// The report list (/reports), its JSON twin (/api/v1/reports) and the VMT triage queue (/vmt), through the
// real HTTP stack on both databases: who sees what, filters, paging, counts and the queue's sections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { createApiToken } from '../accounts/api-tokens.js';
import { JobRegistry, Worker } from '../jobs/worker.js';
import { deadlineJobHandlers } from './embargo/deadline-jobs.js';
import { bringDisclosuresForward } from '../disclosure/run.js';
import { acknowledge, assignCoordinator, setClass, setState } from './triage.js';
import { makePublic } from './embargo/decisions.js';
import { subscribe } from './ladder.js';
import { fileReport, scopeOf } from './testing/queue-fixtures.js';

/** The HTML of one queue section, from its heading to the next section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<h2 id="${id}">`);
  expect(start, `section ${id}`).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

async function apiList(t: TestApp, query: string, auth?: { client?: TestClient; bearer?: string }) {
  const url = `/api/v1/reports${query}`;
  const res = auth?.client
    ? await auth.client.get(url, 'application/json')
    : await t.app.inject({ method: 'GET', url, headers: { accept: 'application/json', ...(auth?.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}) } });
  return res;
}

async function apiTitles(t: TestApp, query: string, auth?: { client?: TestClient; bearer?: string }): Promise<{ titles: string[]; total: number }> {
  const res = await apiList(t, query, auth);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<{ items: { title: string }[]; total: number }>();
  return { titles: body.items.map((i) => i.title).sort(), total: body.total };
}

describe.each(testDialects())('report lists and the triage queue on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestUser;
  let clients: Record<'anonymous' | 'vmt' | 'admin' | 'dormant' | 'reporter' | 'other' | 'coresec', TestClient>;
  let vmtReadToken: string;
  const refs: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const [slug, name] of [['nova', 'Nova'], ['glance', 'Glance'], ['swift', 'Swift']] as const) await createProject(t.system, { slug, name, branches: ['master'] });
    vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    await makeUser(t, { username: 'carol', roles: ['vmt'] });
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const dormant = await makeUser(t, { username: 'dormant', roles: ['vmt'], totp: false });
    const reporter = await makeUser(t, { username: 'reporter', totp: false });
    const other = await makeUser(t, { username: 'other', totp: false });
    const coresec = await makeUser(t, { username: 'coresec', totp: false });
    await setProjectMember(t.system, 'glance', coresec.user.id, 'coresec', true);
    const team = await scopeOf(t, vmt);

    // A report received in December: acknowledged, class A; at "now" its embargo ends in 10 days.
    t.clock.set('2025-12-12T10:00:00.000Z');
    const soon = await fileReport(t, { title: 'Embargo ending soon in Nova', projects: ['nova'], by: reporter });
    await acknowledge(team, soon.ref);
    await setClass(team, soon.ref, 'A');
    await setState(team, soon.ref, 'confirmed');
    // In progress on two projects, coordinated by Carol, class B1.
    t.clock.set('2026-02-02T10:00:00.000Z');
    const progress = await fileReport(t, { title: 'Work in progress on Glance and Nova', projects: ['glance', 'nova'] });
    await acknowledge(team, progress.ref);
    await assignCoordinator(team, progress.ref, 'carol');
    await setClass(team, progress.ref, 'B1');
    await subscribe(team, progress.ref, { username: 'coresec', level: 'coresec', reason: 'Glance security review' });
    // Opened, and closed, reports.
    const opened = await fileReport(t, { title: 'Opened Swift report', projects: ['swift'] });
    await acknowledge(team, opened.ref);
    await makePublic(team, opened.ref, 'Already public upstream');
    const closed = await fileReport(t, { title: 'Closed as invalid', projects: ['swift'], by: reporter });
    await setState(team, closed.ref, 'invalid', 'Not a vulnerability');
    // Not acknowledged in time: the deadline job escalates it.
    t.clock.set('2026-02-20T10:00:00.000Z');
    const late = await fileReport(t, { title: 'Escalated Glance report', projects: ['glance'] });
    t.clock.set('2026-03-02T08:00:00.000Z');
    const registry = new JobRegistry();
    for (const handler of deadlineJobHandlers(t.ctx, { afterOpening: bringDisclosuresForward })) registry.register(handler);
    await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry }).drain();
    // Just received.
    const fresh = await fileReport(t, { title: 'Fresh Swift report', projects: ['swift'] });
    t.clock.set('2026-03-02T10:00:00.000Z');
    Object.assign(refs, { soon: soon.ref, progress: progress.ref, opened: opened.ref, closed: closed.ref, late: late.ref, fresh: fresh.ref });

    vmtReadToken = (await createApiToken(t.system, vmt.user.id, { name: 'ro', scopes: ['read'] })).token;
    clients = {
      anonymous: new TestClient(t),
      vmt: await signedInClient(t, vmt),
      admin: await signedInClient(t, admin),
      dormant: await signedInClient(t, dormant),
      reporter: await signedInClient(t, reporter),
      other: await signedInClient(t, other),
      coresec: await signedInClient(t, coresec),
    };
  });
  afterAll(async () => t.close());

  it('links Reports in the header for everyone and the Queue for VMT members only', async () => {
    for (const [name, client] of Object.entries(clients)) {
      const page = await client.get('/');
      expect(page.body, name).toContain('<a href="/reports">Reports</a>');
      expect(page.body.includes('href="/vmt"'), name).toBe(name === 'vmt');
    }
    expect((await clients.vmt.get('/vmt')).body).toContain('<a href="/vmt" aria-current="page">Queue</a>');
  });

  it('shows anonymous visitors the opened reports only, as the public list', async () => {
    const page = await clients.anonymous.get('/reports');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Opened reports</h1>');
    expect(page.body).toContain(`<a href="/reports/${refs.opened}">Opened Swift report</a>`);
    for (const hidden of ['Embargo ending soon', 'Work in progress', 'Closed as invalid', 'Escalated Glance', 'Fresh Swift']) expect(page.body).not.toContain(hidden);
    expect(page.body).toContain('1 report');
    expect(page.body).not.toContain('>Class</th>');
    expect(page.body).not.toContain('name="visibility"');
  });

  it('lists and counts for each role exactly the reports the policy lets them read', async () => {
    const expected: Record<string, string[]> = {
      anonymous: ['Opened Swift report'],
      reporter: ['Closed as invalid', 'Embargo ending soon in Nova', 'Opened Swift report'],
      other: ['Opened Swift report'],
      coresec: ['Opened Swift report', 'Work in progress on Glance and Nova'],
      admin: ['Opened Swift report'],
      dormant: ['Opened Swift report'],
      vmt: ['Closed as invalid', 'Embargo ending soon in Nova', 'Escalated Glance report', 'Fresh Swift report', 'Opened Swift report', 'Work in progress on Glance and Nova'],
    };
    for (const [name, titles] of Object.entries(expected)) {
      const client = clients[name as keyof typeof clients];
      expect(await apiTitles(t, '', { client }), name).toEqual({ titles, total: titles.length });
      const page = await client.get('/reports');
      expect(page.body, name).toContain(`${titles.length} ${titles.length === 1 ? 'report' : 'reports'}`);
      for (const title of titles) expect(page.body, `${name} sees ${title}`).toContain(title);
    }
    expect(await apiTitles(t, '', { bearer: vmtReadToken })).toMatchObject({ total: 6 });
  });

  it('shows the VMT the class and coordinator, and the embargo end with days left for private reports', async () => {
    const page = await clients.vmt.get('/reports?project=nova');
    expect(page.body).toContain('<th scope="col">Class</th>');
    expect(page.body).toContain('<th scope="col">Coordinator</th>');
    expect(page.body).toContain('User carol');
    expect(page.body).toContain('<time datetime="2026-03-12T10:00:00.000Z">2026-03-12 10:00 UTC</time>');
    expect(page.body).toContain('10 days left');
    const reporterPage = await clients.reporter.get('/reports');
    expect(reporterPage.body).toContain('10 days left');
    expect(reporterPage.body).not.toContain('<th scope="col">Class</th>');
  });

  it('presents API items per audience: class and coordinator for the VMT only', async () => {
    const team = (await apiList(t, '?project=nova&state=confirmed', { client: clients.vmt })).json();
    expect(team).toEqual({
      items: [
        {
          ref: refs.soon,
          url: `/reports/${refs.soon}`,
          title: 'Embargo ending soon in Nova',
          state: 'confirmed',
          visibility: 'private',
          received_at: '2025-12-12T10:00:00.000Z',
          embargo_end_at: '2026-03-12T10:00:00.000Z',
          public_at: null,
          projects: ['nova'],
          cves: [],
          class: 'A',
          coordinator: 'vmt',
          acknowledged_at: '2025-12-12T10:00:00.000Z',
          ack_deadline_at: expect.any(String),
          escalated_at: null,
        },
      ],
      total: 1,
      total_capped: false,
      page: 1,
      page_size: 50,
      next_after: null,
    });
    const mine = (await apiList(t, '?state=confirmed', { client: clients.reporter })).json();
    expect(mine.items).toHaveLength(1);
    expect(Object.keys(mine.items[0]).sort()).toEqual(['cves', 'embargo_end_at', 'projects', 'public_at', 'received_at', 'ref', 'state', 'title', 'url', 'visibility']);
    const open = (await apiList(t, '?visibility=public')).json();
    expect(open.items[0]).toMatchObject({ title: 'Opened Swift report', embargo_end_at: null, public_at: expect.any(String) });
    expect(open.items[0]).not.toHaveProperty('class');
    expect((await apiList(t, '?project=glance', { client: clients.vmt })).json().items.map((i: { projects: string[] }) => i.projects)).toEqual([['glance'], ['glance', 'nova']]);
  });

  it('filters by state, project, visibility and (for the VMT) class', async () => {
    const vmtAuth = { client: clients.vmt };
    expect((await apiTitles(t, '?state=invalid', vmtAuth)).titles).toEqual(['Closed as invalid']);
    expect((await apiTitles(t, '?state=new&state=public', vmtAuth)).titles).toEqual(['Escalated Glance report', 'Fresh Swift report', 'Opened Swift report', 'Work in progress on Glance and Nova']);
    expect((await apiTitles(t, '?project=glance', vmtAuth)).titles).toEqual(['Escalated Glance report', 'Work in progress on Glance and Nova']);
    expect((await apiTitles(t, '?project=swift&visibility=private', vmtAuth)).titles).toEqual(['Closed as invalid', 'Fresh Swift report']);
    expect((await apiTitles(t, '?class=A', vmtAuth)).titles).toEqual(['Embargo ending soon in Nova']);
    expect((await apiTitles(t, '?class=A&class=B1', vmtAuth)).titles).toEqual(['Embargo ending soon in Nova', 'Work in progress on Glance and Nova']);
    expect((await apiTitles(t, '?class=unclassified&project=swift', vmtAuth)).total).toBe(3);
    expect((await apiTitles(t, '?class=A', { bearer: vmtReadToken })).titles).toEqual(['Embargo ending soon in Nova']);
    expect((await apiTitles(t, '?project=unknown-project', vmtAuth)).total).toBe(0);
    // Anonymous filters only ever narrow the public list.
    expect(await apiTitles(t, '?visibility=private')).toEqual({ titles: [], total: 0 });
    // The page keeps the filter values in its form.
    const page = await clients.vmt.get('/reports?state=invalid&project=swift');
    expect(page.body).toContain('<option value="invalid" selected>invalid</option>');
    expect(page.body).toContain('<option value="swift" selected>Swift</option>');
    expect(page.body).toContain('1 report matches');
  });

  it('refuses bad filters with a message per field (JSON 400, and the page with an error summary)', async () => {
    const cases: [string, TestClient | undefined, string, string][] = [
      ['?state=bogus', undefined, 'state', 'Unknown state "bogus". Use one of: new, incomplete, confirmed, triaged, in_progress, fix_committed, public, fix_released, invalid, wont_fix.'],
      ['?class=A', undefined, 'class', 'Only VMT members can filter by class.'],
      ['?class=A', clients.admin, 'class', 'Only VMT members can filter by class.'],
      ['?class=Q', clients.vmt, 'class', 'Unknown class "Q". Use one of: A, B1, B2, B3, C1, C2, D, E, Y, Z, unclassified.'],
      ['?page=0', undefined, 'page', 'Use a page number from 1 to 10000.'],
      ['?page=two', undefined, 'page', 'Use a page number from 1 to 10000.'],
      ['?project=Not%20A%20Slug', undefined, 'project', 'A project is named by its slug: lowercase letters, digits and dashes.'],
      ['?visibility=secret', undefined, 'visibility', 'Use private or public.'],
      ['?after=2026-01-01_12', undefined, 'after', 'This page link is damaged: follow the list’s “Older” link again, or use a page number.'],
    ];
    for (const [query, client, field, message] of cases) {
      const res = await apiList(t, query, client ? { client } : undefined);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.fields, query).toEqual([{ field, message }]);
    }
    const page = await clients.anonymous.get('/reports?state=bogus&class=A');
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('class="error-summary"');
    expect(page.body).toContain('Unknown state &quot;bogus&quot;');
    expect(page.body).toContain('Only VMT members can filter by class.');
    expect(page.body).not.toContain('Opened Swift report');
  });

  it('answers 404 for the queue to everyone but VMT members (admins included), and sends anonymous visitors to sign in', async () => {
    for (const name of ['admin', 'dormant', 'reporter', 'other', 'coresec'] as const) {
      const res = await clients[name].get('/vmt');
      expect(res.statusCode, name).toBe(404);
      expect(res.body, name).not.toContain('Escalated Glance report');
    }
    const anon = await clients.anonymous.get('/vmt');
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/login?next=%2Fvmt');
    expect((await clients.vmt.get('/vmt')).statusCode).toBe(200);
    const token = await t.app.inject({ method: 'GET', url: '/vmt', headers: { authorization: `Bearer ${vmtReadToken}`, accept: 'text/html' } });
    expect(token.statusCode).toBe(200);
  });

  it('shows the queue sections: unacknowledged with deadline and escalation, embargoes ending soon, in progress by project, counts by class', async () => {
    const html = (await clients.vmt.get('/vmt')).body;
    const fresh = section(html, 'new');
    expect(fresh).toContain('Escalated Glance report');
    expect(fresh).toContain('<span class="badge danger">escalated</span>');
    expect(fresh).toContain('Fresh Swift report');
    expect(fresh).toContain('2 days left');
    expect(fresh).not.toContain('Embargo ending soon');
    expect(fresh).not.toContain('Closed as invalid');
    // The escalated one is due first.
    expect(fresh.indexOf('Escalated Glance report')).toBeLessThan(fresh.indexOf('Fresh Swift report'));

    const embargoes = section(html, 'embargoes');
    expect(embargoes).toContain('Embargo ending soon in Nova');
    expect(embargoes).toContain('10 days left');
    expect(embargoes).toContain('User vmt');
    expect(embargoes).not.toContain('Fresh Swift report');
    expect(embargoes).not.toContain('Work in progress');

    const progress = section(html, 'in-progress');
    const glance = progress.slice(progress.indexOf('>Glance</a>'), progress.indexOf('>Nova</a>'));
    const nova = progress.slice(progress.indexOf('>Nova</a>'));
    expect(glance).toContain('Work in progress on Glance and Nova');
    expect(glance).toContain('User carol');
    expect(glance).not.toContain('Embargo ending soon');
    expect(nova).toContain('Work in progress on Glance and Nova');
    expect(nova).toContain('Embargo ending soon in Nova');
    expect(progress).toContain('Opened Swift report');
    expect(progress).not.toContain('Escalated Glance report');
    expect(progress).not.toContain('Closed as invalid');

    const classes = section(html, 'classes');
    const rowOf = (cls: string) => classes.slice(classes.indexOf(`<strong>${cls}</strong>`), classes.indexOf('</tr>', classes.indexOf(`<strong>${cls}</strong>`)));
    expect(rowOf('A')).toContain('<td>1</td>');
    expect(rowOf('A')).toContain('<a href="/reports?class=A">1</a>');
    expect(rowOf('B1')).toContain('<td>1</td>');
    expect(rowOf('Unclassified')).toContain('<td>3</td>');
    expect(rowOf('Unclassified')).toContain('<a href="/reports?class=unclassified">4</a>');
    expect(html).toMatch(/<div class="stat">2<\/div>\s*<a href="#new">awaiting acknowledgement, 1 escalated<\/a>/);
  });

  it('filters the queue by project and class', async () => {
    const glance = (await clients.vmt.get('/vmt?project=glance')).body;
    expect(section(glance, 'new')).toContain('Escalated Glance report');
    expect(section(glance, 'new')).not.toContain('Fresh Swift report');
    expect(section(glance, 'embargoes')).toContain('No embargo ends within 14 days.');
    const progress = section(glance, 'in-progress');
    expect(progress).toContain('Work in progress on Glance and Nova');
    expect(progress).not.toContain('>Nova</a>');
    expect(progress).not.toContain('Opened Swift report');
    expect(glance).toContain('<option value="glance" selected>Glance</option>');

    const classA = (await clients.vmt.get('/vmt?class=A')).body;
    expect(section(classA, 'new')).toContain('Every report is acknowledged.');
    expect(section(classA, 'in-progress')).toContain('Embargo ending soon in Nova');
    expect(section(classA, 'in-progress')).not.toContain('Work in progress');
    expect(section(classA, 'embargoes')).toContain('Embargo ending soon in Nova');

    const bad = await clients.vmt.get('/vmt?class=nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Unknown class &quot;nope&quot;');
  });
});

describe.each(testDialects())('report list paging on %s', (dialect) => {
  let t: TestApp;
  let vmtClient: TestClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    const team = await scopeOf(t, vmt);
    for (let i = 1; i <= 55; i++) {
      t.clock.advance(60_000);
      const r = await fileReport(t, { title: `Bulk report ${String(i).padStart(2, '0')}`, projects: ['nova'] });
      if (i % 20 === 0) await makePublic(team, r.ref, 'Coordinated disclosure.');
    }
    vmtClient = await signedInClient(t, vmt);
  });
  afterAll(async () => t.close());

  it('pages 50 at a time, newest first, with Newer/Older links that keep the filters and a total over all pages', async () => {
    type Page = { items: { title: string }[]; total: number; page: number };
    const first = (await vmtClient.get('/api/v1/reports', 'application/json')).json<Page>();
    const second = (await vmtClient.get('/api/v1/reports?page=2', 'application/json')).json<Page>();
    expect(first.total).toBe(55);
    expect(second.total).toBe(55);
    expect(first.items).toHaveLength(50);
    expect(second.items).toHaveLength(5);
    expect(second.page).toBe(2);
    expect(first.items[0]!.title).toBe('Bulk report 55');
    expect(second.items.map((i) => i.title)).toEqual(['Bulk report 05', 'Bulk report 04', 'Bulk report 03', 'Bulk report 02', 'Bulk report 01']);
    const third = (await vmtClient.get('/api/v1/reports?page=3', 'application/json')).json();
    expect(third).toMatchObject({ items: [], total: 55, page: 3 });

    // The API's keyset cursor gives the same second page as the page number (issue 17).
    const firstWithCursor = (await vmtClient.get('/api/v1/reports', 'application/json')).json<Page & { next_after: string }>();
    const byCursor = (await vmtClient.get(`/api/v1/reports?page=2&after=${encodeURIComponent(firstWithCursor.next_after)}`, 'application/json')).json<Page & { next_after: string | null }>();
    expect(byCursor.items.map((i) => i.title)).toEqual(second.items.map((i) => i.title));
    expect(byCursor).toMatchObject({ total: 55, next_after: null });

    const page1 = await vmtClient.get('/reports?project=nova&visibility=private');
    expect(page1.body).toContain('Showing 1–50 of 53');
    // "Older" is a keyset link: after the last row shown (its filing time and id).
    const older = /<a href="(\/reports\?project=nova&amp;visibility=private&amp;page=2&amp;after=[^"]+)" rel="next">/.exec(page1.body);
    expect(older).not.toBeNull();
    expect(page1.body).not.toContain('rel="prev"');
    const page2 = await vmtClient.get(older![1]!.replace(/&amp;/g, '&'));
    expect(page2.body).toContain('Showing 51–53 of 53');
    const main = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
    expect(main((await vmtClient.get('/reports?project=nova&visibility=private&page=2')).body)).toBe(main(page2.body));
    expect(page2.body).toContain('<a href="/reports?project=nova&amp;visibility=private" rel="prev">');
    expect(page2.body).not.toContain('rel="next"');
  });

  it('counts only what the viewer may read: anonymous visitors see the two opened reports and no pager', async () => {
    const anon = new TestClient(t);
    const list = (await anon.get('/api/v1/reports', 'application/json')).json();
    expect(list.total).toBe(2);
    expect(list.items.map((i: { title: string }) => i.title)).toEqual(['Bulk report 40', 'Bulk report 20']);
    const page = await anon.get('/reports');
    expect(page.body).toContain('2 reports');
    expect(page.body).not.toContain('class="pager"');
    expect((await anon.get('/api/v1/reports?page=2', 'application/json')).json()).toMatchObject({ items: [], total: 2 });
  });
});
