// Bad input at the HTTP boundary: each gets a clear error and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createApiToken } from '../accounts/api-tokens.js';

describe.each(testDialects())('bad input on %s', (dialect) => {
  let t: TestApp;
  let admin: TestUser;
  let bearer: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp(dialect, { maxBodyBytes: 4096 });
    admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    bearer = { authorization: `Bearer ${(await createApiToken(t.system, admin.user.id, { name: 'x', scopes: ['admin'] })).token}` };
  });
  afterAll(async () => t.close());

  const projectCount = async () => (await t.ctx.storage.db.selectFrom('projects').select('id').execute()).length;

  it('malformed JSON → 400 bad_request', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: { ...bearer, 'content-type': 'application/json' }, payload: '{"slug": "nova",' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'bad_request', message: 'The body is not valid JSON.' } });
    expect(await projectCount()).toBe(0);
  });

  it('wrong types and unknown fields → 400 with the field named', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer, payload: { slug: 5, name: 'Nova' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields).toContainEqual({ field: 'slug', message: 'must be string' });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer, payload: { slug: 'nova', name: 'Nova', owner: 'me' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.fields).toContainEqual({ field: 'owner', message: 'is not a known field' });
    const missing = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer, payload: { slug: 'nova' } });
    expect(missing.json().error.fields).toContainEqual({ field: 'name', message: 'is required' });
    expect(await projectCount()).toBe(0);
  });

  it('semantic validation names each bad field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer,
      payload: { slug: 'Nova Compute', name: '', branches: ['master', '$(touch /tmp/x)', '--upload-pack=evil'], repositories: [{ name: 'n', remote_url: 'file:///etc' }] },
    });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().error.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['branches.1', 'branches.2', 'name', 'repositories.0.remote_url', 'slug']);
    expect(await projectCount()).toBe(0);
  });

  it('oversized bodies → 413, for JSON and forms', async () => {
    const big = 'x'.repeat(10_000);
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer, payload: { slug: 'nova', name: 'Nova', description: big } });
    expect(json.statusCode).toBe(413);
    expect(json.json().error.code).toBe('payload_too_large');
    const c = new TestClient(t);
    const form = await c.post('/login', { login: big, password: 'x' }, '/login');
    expect(form.statusCode).toBe(413);
  });

  it('unsupported media types → 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: { ...bearer, 'content-type': 'application/xml' }, payload: '<slug/>' });
    expect(res.statusCode).toBe(415);
  });

  it('an expired session is treated as signed out', async () => {
    const c = await signedInClient(t, admin);
    expect((await c.get('/admin')).statusCode).toBe(200);
    t.clock.advance(8 * 24 * 3600_000);
    const res = await c.get('/admin');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin');
    t.clock.advance(-8 * 24 * 3600_000);
  });

  it('SQL and HTML metacharacters in every text field are stored as text and shown escaped', async () => {
    const nasty = `Robert'); DROP TABLE projects;-- <img src=x onerror=alert(1)> "quoted" & more`;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer, payload: { slug: 'nasty', name: nasty.slice(0, 100), description: nasty, security_contact: nasty } });
    expect(res.statusCode).toBe(201);
    const page = await new TestClient(t).get('/projects/nasty');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).toContain('Robert&#39;); DROP TABLE projects;--');
    expect(await projectCount()).toBe(1);
    const user = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer, payload: { username: "x'; drop", email: 'a@b.c', display_name: '<b>', password: 'long enough password' } });
    expect(user.statusCode).toBe(400);
    expect(user.json().error.fields.map((f: { field: string }) => f.field)).toEqual(['username']);
  });

  it('an invalid TOTP format and a replayed form are refused', async () => {
    const c = new TestClient(t);
    await c.post('/login', { login: 'admin', password: 'correct horse battery staple' }, '/login');
    const res = await c.post('/login/totp', { code: "1' OR '1'='1" }, '/login/totp');
    expect(res.statusCode).toBe(400);
  });

  it('unknown pages are 404 pages in HTML and JSON', async () => {
    const html = await new TestClient(t).get('/no/such/page');
    expect(html.statusCode).toBe(404);
    expect(html.body).toContain('Page not found');
    const json = await t.app.inject({ url: '/api/v1/nothing' });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toEqual({ error: { code: 'not_found', message: 'No such page.' } });
  });

  it('an asset name that is an object property (constructor, __proto__) is no asset: 404', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await t.app.inject({ url: `/assets/${name}` });
      expect(res.statusCode, name).toBe(404);
    }
    expect((await t.app.inject({ url: '/assets/app.css' })).statusCode).toBe(200);
  });

  it('an audit paging cursor that is not an event id is refused with the field named', async () => {
    const res = await t.app.inject({ url: '/api/v1/audit?before=abc', headers: bearer });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(JSON.stringify(res.json().error.fields)).toContain('before');
  });

  it('a query parameter a page reads is checked by its schema: sent twice it is refused, once it works', async () => {
    for (const url of ['/report?project=a&project=b', '/login?next=/a&next=/b', '/advisories?q=a&q=b']) {
      const res = await t.app.inject({ url, headers: { accept: 'application/json' } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('validation_failed');
    }
    for (const url of ['/report?project=a', '/login?next=/a', '/advisories?q=a', '/advisories?utm_source=elsewhere']) expect((await t.app.inject({ url })).statusCode, url).toBe(200);
  });

  it('sends the security headers and a strict CSP on every page', async () => {
    const res = await new TestClient(t).get('/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.body).not.toMatch(/<script>|<style>| style="| on[a-z]+="/);
  });

  it('serves health and Prometheus metrics', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', database: dialect });
    const metrics = await t.app.inject({ url: '/metrics', headers: bearer });
    expect(metrics.body).toMatch(/cordon_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(metrics.body).toContain('cordon_jobs_queued');
  });
});
