// Post/redirect/get and no CSRF token in any URL (issue 15, item 4), swept over the route registry so new
// pages and forms are covered as they are added: every HTML page for every role carries no `_csrf=`, every
// multipart form sends its token as its first field, every form POST answers a redirect or an error (never
// a page a reload would post again), and each create form makes exactly one row however often its result
// page is reloaded.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogueEntry } from './route.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { GOOD_FIELDS, multipartBody, pairs, postMultipart, setUpIntake } from '../reports/testing/intake.js';
import type { Database } from '../storage/tables.js';

interface Role {
  name: string;
  client: TestClient;
}

interface World {
  roles: Role[];
  anonymous: TestClient;
  vmt: TestClient;
  admin: TestClient;
  plain: TestClient;
  ref: string;
  token: string;
  orgId: number;
  adminId: number;
}

async function fileReportByForm(c: TestClient, t: TestApp): Promise<{ ref: string; token: string; page: LightMyRequestResponse }> {
  const posted = await postMultipart(t, c, '/report', pairs(GOOD_FIELDS));
  expect(posted.statusCode, posted.body.slice(0, 300)).toBe(303);
  const page = await c.get(posted.headers.location as string);
  const token = /\/r\/([A-Za-z0-9_-]{43})/.exec(page.body)?.[1] ?? '';
  const ref = /R-[A-Z2-9]{8}/.exec(page.body)?.[0] ?? '';
  return { ref, token, page };
}

async function setUpWorld(t: TestApp): Promise<World> {
  const { vmt } = await setUpIntake(t);
  const adminUser = await makeUser(t, { roles: ['admin'] });
  const anonymous = new TestClient(t);
  const filed = await fileReportByForm(anonymous, t);
  const vmtClient = await signedInClient(t, vmt);
  const admin = await signedInClient(t, adminUser);
  const plain = await signedInClient(t, await makeUser(t, { totp: false }));
  const org = await admin.post('/admin/stakeholders', { name: 'Distro Linux', description: '', follows: 'nova' }, '/admin/stakeholders');
  const orgId = Number(/\/admin\/stakeholders\/(\d+)/.exec(String(org.headers.location))?.[1]);
  return {
    roles: [
      { name: 'anonymous', client: anonymous },
      { name: 'plain user', client: plain },
      { name: 'vmt', client: vmtClient },
      { name: 'admin', client: admin },
    ],
    anonymous,
    vmt: vmtClient,
    admin,
    plain,
    ref: filed.ref,
    token: filed.token,
    orgId,
    adminId: adminUser.user.id,
  };
}

/** A route's URL with its parameters filled from the world; null when the world has nothing to aim it at. */
function aim(route: CatalogueEntry, w: World): string | null {
  const values: Record<string, string> = { ref: w.ref, slug: 'nova', token: w.token, orgId: String(w.orgId), userId: String(w.adminId) };
  let url = route.url;
  for (const name of (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => p.slice(1))) {
    const value = values[name];
    if (value === undefined) return null;
    url = url.replace(`:${name}`, encodeURIComponent(value));
  }
  return url;
}

const isHtml = (res: LightMyRequestResponse) => String(res.headers['content-type'] ?? '').startsWith('text/html');

async function countRows(t: TestApp, table: keyof Database): Promise<number> {
  const row = await t.ctx.storage.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(testDialects())('post/redirect/get and CSRF tokens on %s', (dialect) => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    w = await setUpWorld(t);
  });
  afterAll(async () => t.close());

  it('no page, for any role, puts a CSRF token in a URL; every multipart form sends its token as its first field', async () => {
    let pages = 0;
    let multipartForms = 0;
    const gets = t.catalogue.filter((r) => r.method === 'GET' && !r.api && r.url !== '/assets/:file');
    for (const route of gets) {
      const url = aim(route, w);
      if (url === null) continue;
      for (const role of w.roles) {
        const res = await role.client.get(url);
        if (!isHtml(res)) continue;
        pages += 1;
        expect(res.body, `${role.name} GET ${url}`).not.toMatch(/_csrf=/);
        for (const form of res.body.match(/<form\b[^>]*enctype="multipart\/form-data"[^>]*>(?:\s*<[^>]*>)?/g) ?? []) {
          multipartForms += 1;
          expect(form, `${role.name} GET ${url}: the token must come first`).toMatch(/><input type="hidden" name="_csrf" value="[^"]+">$/);
        }
      }
    }
    // The sweep reached the pages that hold forms: the report form and both attachment forms at least.
    expect(pages).toBeGreaterThan(60);
    expect(multipartForms).toBeGreaterThanOrEqual(3);
  });

  it('a multipart form with its token only in the URL is refused and stores nothing (the token is read from the body)', async () => {
    const c = new TestClient(t);
    await c.get('/report');
    const before = await countRows(t, 'reports');
    const res = await c.request('POST', `/report?_csrf=${encodeURIComponent(c.lastCsrf ?? '')}`, { body: multipartBody(pairs(GOOD_FIELDS), []) });
    expect(res.statusCode).toBe(403);
    expect(await countRows(t, 'reports')).toBe(before);
  });

  it('every form POST answers a redirect or an error, never a page that a reload would send again', async () => {
    // On a world of its own: empty forms may change things (the irreversible steps refuse without a reason).
    const own = await createTestApp(dialect);
    try {
      const ow = await setUpWorld(own);
      const posts = own.catalogue.filter((r) => r.method === 'POST' && !r.api && r.url !== '/logout');
      let probed = 0;
      for (const route of posts) {
        const url = aim(route, ow);
        if (url === null) continue;
        for (const role of ow.roles) {
          await role.client.get('/');
          const res = await role.client.request('POST', url, { form: { _csrf: role.client.lastCsrf ?? '' } });
          probed += 1;
          expect(res.statusCode < 200 || res.statusCode >= 300, `${role.name} POST ${url} answered ${res.statusCode}`).toBe(true);
        }
      }
      expect(probed).toBeGreaterThan(100);
    } finally {
      await own.close();
    }
  });

  it('the report form redirects; its confirmation shows the private link once, then “already shown”; the link is never in a URL or stored in clear', async () => {
    const c = new TestClient(t);
    const before = await countRows(t, 'reports');
    const posted = await postMultipart(t, c, '/report', pairs(GOOD_FIELDS));
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/report/received');
    // What the browser keeps is a random key, not the link; the row holds the link sealed under that key.
    const kept = await t.ctx.storage.db.selectFrom('shown_once').selectAll().execute();
    const first = await c.get('/report/received');
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-robots-tag']).toBe('noindex, nofollow');
    const token = /http:\/\/cordon\.test\/r\/([A-Za-z0-9_-]{43})/.exec(first.body)?.[1];
    expect(token).toBeTruthy();
    expect(JSON.stringify(posted.headers)).not.toContain(token);
    expect(JSON.stringify(kept)).not.toContain(token);
    expect(await countRows(t, 'reports')).toBe(before + 1);
    const cookie = /cordon_once_report_received=([^;]+)/.exec(String(posted.headers['set-cookie']))?.[1];
    expect(cookie).toBeTruthy();

    const reload = await c.get('/report/received');
    expect(reload.statusCode).toBe(200);
    expect(reload.body).toContain('This confirmation was already shown');
    expect(reload.body).not.toContain(token);
    expect(reload.body).not.toMatch(/\/r\/[A-Za-z0-9_-]{43}/);
    // The cookie replayed after its one view opens nothing either; nor does another browser.
    const replay = await t.app.inject({ method: 'GET', url: '/report/received', headers: { accept: 'text/html', cookie: `cordon_once_report_received=${cookie}` } });
    expect(replay.body).not.toContain(token);
    expect(replay.body).toContain('already shown');
    expect((await new TestClient(t).get('/report/received')).body).not.toContain(token);
    expect(await countRows(t, 'reports')).toBe(before + 1);
    // The link shown works.
    expect((await new TestClient(t).get(`/r/${token}`)).statusCode).toBe(200);
  });

  it('a new API token is shown once after the redirect; reloading neither shows it again nor makes another', async () => {
    const before = await countRows(t, 'api_tokens');
    const posted = await w.plain.post('/account/tokens', { name: 'ci', scopes: ['read'], expires_in_days: '' }, '/account/tokens');
    expect(posted.statusCode).toBe(303);
    const page = await w.plain.get(posted.headers.location as string);
    const token = /id="new-token">([^<]+)</.exec(page.body)?.[1];
    expect(token).toMatch(/^cdn_/);
    expect(String(posted.headers.location)).not.toContain(token);
    const reload = await w.plain.get(posted.headers.location as string);
    expect(reload.body).not.toContain('id="new-token"');
    expect(reload.body).not.toContain(token);
    expect(await countRows(t, 'api_tokens')).toBe(before + 1);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });

  // Each create form: POST, follow the redirect, reload → exactly one new row.
  const createForms: { name: string; table: keyof Database; send: (w: World) => Promise<{ client: TestClient; res: LightMyRequestResponse }> }[] = [
    { name: 'report (multipart)', table: 'reports', send: async (w) => ({ client: w.anonymous, res: await postMultipart(t, w.anonymous, '/report', pairs(GOOD_FIELDS)) }) },
    { name: 'project', table: 'projects', send: async (w) => ({ client: w.admin, res: await w.admin.post('/admin/projects', { slug: 'keystone', name: 'Keystone', description: '' }, '/admin/projects/new') }) },
    {
      name: 'account',
      table: 'users',
      send: async (w) => ({
        client: w.admin,
        res: await w.admin.post('/admin/users', { username: 'newperson', email: 'newperson@example.org', display_name: 'New Person', password: 'a long enough password here' }, '/admin/users'),
      }),
    },
    { name: 'invitation', table: 'invites', send: async (w) => ({ client: w.admin, res: await w.admin.post('/admin/invites', { invite_email: 'invitee@example.org', invite_roles: 'vmt' }, '/admin/users') }) },
    { name: 'stakeholder organisation', table: 'stakeholder_orgs', send: async (w) => ({ client: w.admin, res: await w.admin.post('/admin/stakeholders', { name: 'Cloud Co', description: '', follows: '' }, '/admin/stakeholders') }) },
    {
      name: 'stakeholder contact',
      table: 'stakeholder_contacts',
      send: async (w) => ({ client: w.admin, res: await w.admin.post(`/admin/stakeholders/${w.orgId}/contacts`, { kind: 'list', name: 'Security list', email: 'sec@distro.example', pgp_public_key: '' }, `/admin/stakeholders/${w.orgId}`) }),
    },
    { name: 'team comment', table: 'report_comments', send: async (w) => ({ client: w.vmt, res: await w.vmt.post(`/reports/${w.ref}/comments`, { body: 'Looking into it.', visibility: 'everyone' }, `/reports/${w.ref}`) }) },
    { name: 'reporter comment', table: 'report_comments', send: async (w) => ({ client: w.anonymous, res: await w.anonymous.post(`/r/${w.token}/comments`, { body: 'More detail.' }, `/r/${w.token}`) }) },
    {
      name: 'reporter file (multipart)',
      table: 'report_attachments',
      send: async (w) => ({ client: w.anonymous, res: await postMultipart(t, w.anonymous, `/r/${w.token}/attachments`, [], [{ filename: 'trace.log', content: Buffer.from('trace') }], { tokenFrom: `/r/${w.token}` }) }),
    },
    {
      name: 'team file (multipart)',
      table: 'report_attachments',
      send: async (w) => ({ client: w.vmt, res: await postMultipart(t, w.vmt, `/reports/${w.ref}/attachments`, [['visibility', 'vmt']], [{ filename: 'notes.txt', content: Buffer.from('notes') }], { tokenFrom: `/reports/${w.ref}` }) }),
    },
    { name: 'API token', table: 'api_tokens', send: async (w) => ({ client: w.plain, res: await w.plain.post('/account/tokens', { name: 'export', scopes: ['read'], expires_in_days: '30' }, '/account/tokens') }) },
  ];
  it.each(createForms.map((f) => [f.name, f] as const))('create form “%s”: POST, follow the redirect, reload: one row only', async (_name, form) => {
    const before = await countRows(t, form.table);
    const { client, res } = await form.send(w);
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/(?!\/)/);
    expect(location).not.toContain('_csrf');
    const after = await countRows(t, form.table);
    expect(after).toBe(before + 1);
    const shown = await client.get(location);
    expect(shown.statusCode).toBe(200);
    const reloaded = await client.get(location);
    expect(reloaded.statusCode).toBe(200);
    expect(await countRows(t, form.table)).toBe(after);
  });
});
