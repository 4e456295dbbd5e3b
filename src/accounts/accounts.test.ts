// Accounts through the real HTTP stack, on both databases: first-run setup, registration, sign-in with and
// without TOTP, sign-in delays, CSRF, session revocation, roles taking effect at once, MFA-gated roles, API tokens,
// password reset through the mail outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestApp, makeUser, signedInClient, TestClient, TEST_PASSWORD, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { ensureSetupLink } from './invites.js';
import { currentTotp } from './totp.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { setInstanceRoles } from './users.js';
import { verifyAuditChain } from '../audit/audit.js';

describe.each(testDialects())('accounts on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('first start: the setup link creates the first admin once, and then is dead', async () => {
    const link = await ensureSetupLink(t.system);
    expect(link).toMatch(/^http:\/\/cordon\.test\/setup\/[A-Za-z0-9_-]{43}$/);
    const pathPart = new URL(link!).pathname;
    const c = new TestClient(t);
    const page = await c.get(pathPart);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Create admin account');
    const res = await c.post(pathPart, { username: 'root', display_name: 'Root Admin', email: 'root@example.org', password: 'a very long passphrase' }, pathPart);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/security');
    const me = await c.request('GET', '/api/v1/me', { accept: 'application/json' });
    expect(JSON.parse(me.body)).toMatchObject({ username: 'root', roles: [], roles_pending_second_factor: ['admin'] });
    // Spent: the link is gone, and no new link is issued once an account exists.
    expect((await new TestClient(t).get(pathPart)).statusCode).toBe(404);
    expect(await ensureSetupLink(t.system)).toBeNull();
  });

  it('registration starts with the address and finishes through the mailed link, keeping what was typed', async () => {
    await makeUser(t, { username: 'taken' });
    const c = new TestClient(t);
    const bad = await c.post('/register', { email: 'not an address' }, '/register');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('value="not an address"');
    const res = await c.post('/register', { email: 'fresh@example.org' }, '/register');
    expect(res.statusCode).toBe(303);
    const worker = new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) });
    await worker.drain();
    const outbox = path.join(t.ctx.config.dataDir, 'outbox');
    const mail = readdirSync(outbox).map((f) => readFileSync(path.join(outbox, f), 'utf8')).find((m) => m.includes('To: fresh@example.org'));
    const link = /http:\/\/cordon\.test(\/invite\/[A-Za-z0-9_-]+)/.exec(mail!.replace(/=\r?\n/g, ''))![1]!;
    const taken = await c.post(link, { username: 'taken', display_name: '<script>x</script>', password: 'short' }, link);
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('This username is taken.');
    expect(taken.body).toContain('Use at least 12 characters.');
    expect(taken.body).not.toContain('<script>x</script>');
    expect(taken.body).toContain('&lt;script&gt;x&lt;/script&gt;');
    const ok = await c.post(link, { username: 'fresh', display_name: 'Fresh', password: TEST_PASSWORD }, link);
    expect(ok.statusCode).toBe(303);
    expect(JSON.parse((await c.get('/api/v1/me', 'application/json')).body)).toMatchObject({ username: 'fresh', email: 'fresh@example.org' });
  });

  it('signs in without TOTP and with TOTP; a wrong code is refused', async () => {
    const plain = await makeUser(t, { username: 'plain', totp: false });
    const c = await signedInClient(t, plain);
    expect(JSON.parse((await c.get('/api/v1/me', 'application/json')).body).username).toBe('plain');

    const vmt = await makeUser(t, { username: 'vmtmember', roles: ['vmt'] });
    const c2 = new TestClient(t);
    const step1 = await c2.post('/login', { login: 'vmtmember', password: TEST_PASSWORD }, '/login');
    expect(step1.headers.location).toMatch(/^\/login\/totp/);
    // Half signed in: not a user yet.
    expect((await c2.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
    const bad = await c2.post('/login/totp', { code: '000000' }, '/login/totp');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('That code is not valid');
    const good = await c2.post('/login/totp', { code: currentTotp(vmt.totpSecret!, t.clock.now()) }, '/login/totp');
    expect(good.statusCode).toBe(303);
    expect(JSON.parse((await c2.get('/api/v1/me', 'application/json')).body).roles).toEqual(['vmt']);
  });

  it('delays sign-ins after wrong passwords instead of locking, without revealing which accounts exist', async () => {
    await makeUser(t, { username: 'victim' });
    const c = new TestClient(t);
    for (let i = 0; i < 4; i++) {
      const r = await c.post('/login', { login: 'victim', password: 'wrong password!' }, '/login');
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('Wrong username or password.');
    }
    const delayed = await c.post('/login', { login: 'victim', password: TEST_PASSWORD }, '/login');
    expect(delayed.statusCode).toBe(429);
    expect(Number(delayed.headers['retry-after'])).toBeGreaterThan(0);
    expect(delayed.body).toContain('try again in');
    expect(delayed.body).not.toContain('locked');
    t.clock.advance(Number(delayed.headers['retry-after']) * 1000);
    expect((await c.post('/login', { login: 'victim', password: TEST_PASSWORD }, '/login')).statusCode).toBe(303);
  });

  it('rejects state changes with a missing or wrong CSRF token and changes nothing', async () => {
    const admin = await makeUser(t, { username: 'csrfadmin', roles: ['admin'] });
    const c = await signedInClient(t, admin);
    const before = await t.ctx.storage.db.selectFrom('projects').select('id').execute();
    const missing = await c.request('POST', '/admin/projects', { form: { name: 'Evil', slug: 'evil', branches: 'master' } });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('The form expired');
    const wrong = await c.request('POST', '/admin/projects', { form: { name: 'Evil', slug: 'evil', branches: 'master', _csrf: 'forged-token' } });
    expect(wrong.statusCode).toBe(403);
    // A token minted for another session does not work here either.
    const other = new TestClient(t);
    await other.get('/login');
    const foreign = await c.request('POST', '/admin/projects', { form: { name: 'Evil', slug: 'evil', branches: 'master', _csrf: other.lastCsrf! } });
    expect(foreign.statusCode).toBe(403);
    expect(await t.ctx.storage.db.selectFrom('projects').select('id').execute()).toEqual(before);
    const json = await c.request('POST', '/api/v1/projects', { json: { slug: 'evil', name: 'Evil' }, accept: 'application/json' });
    expect(json.statusCode).toBe(403);
    expect(JSON.parse(json.body).error.code).toBe('csrf_invalid');
  });

  it('revokes sessions: sign-out, sign-out elsewhere, disabling the account', async () => {
    const u = await makeUser(t, { username: 'revokee', totp: false });
    const a = await signedInClient(t, u);
    const b = await signedInClient(t, u);
    expect((await b.post('/account/sessions/revoke-others', {}, '/account/sessions')).statusCode).toBe(303);
    expect((await a.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
    expect((await b.get('/api/v1/me', 'application/json')).statusCode).toBe(200);
    const sessionCookie = b.cookies.get('cordon_session');
    await b.post('/logout', {});
    // The old cookie value is dead on the server, not only forgotten by the browser.
    const replay = new TestClient(t);
    replay.cookies.set('cordon_session', sessionCookie!);
    expect((await replay.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
    const c = await signedInClient(t, u);
    const admin = await makeUser(t, { username: 'disabler', roles: ['admin'] });
    const ac = await signedInClient(t, admin);
    expect((await ac.post(`/admin/users/${u.user.id}/disable`, {}, `/admin/users/${u.user.id}`)).statusCode).toBe(303);
    expect((await c.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
  });

  it('rotates the session id at sign-in', async () => {
    const u = await makeUser(t, { username: 'rotator', totp: false });
    const c = await signedInClient(t, u);
    const first = c.cookies.get('cordon_session');
    await c.signIn(u);
    const second = c.cookies.get('cordon_session');
    expect(second).not.toBe(first);
    const stale = new TestClient(t);
    stale.cookies.set('cordon_session', first!);
    expect((await stale.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
  });

  it('applies role changes on the very next request', async () => {
    const u = await makeUser(t, { username: 'promoted', totp: true });
    const c = await signedInClient(t, u);
    expect((await c.get('/admin')).statusCode).toBe(404);
    await setInstanceRoles(t.system, u.user.id, ['admin']);
    expect((await c.get('/admin')).statusCode).toBe(200);
    await setInstanceRoles(t.system, u.user.id, []);
    expect((await c.get('/admin')).statusCode).toBe(404);
  });

  it('keeps MFA-required roles dormant until TOTP is enrolled, then activates them', async () => {
    const u = await makeUser(t, { username: 'newadmin', roles: ['admin'], totp: false });
    const c = await signedInClient(t, u);
    expect((await c.get('/admin')).statusCode).toBe(404);
    expect((await c.get('/account')).body).toContain('inactive');
    await c.post('/account/totp/start', {}, '/account/security');
    const page = await c.get('/account/security');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)![1]!;
    expect(page.body).toContain('data:image/svg+xml;base64,');
    const wrong = await c.post('/account/totp/confirm', { code: '123456' }, '/account/security');
    expect(wrong.statusCode).toBe(400);
    const confirmed = await c.post('/account/totp/confirm', { code: currentTotp(secret, t.clock.now()) }, '/account/security');
    // Post/redirect/get: the recovery codes are on the page after the redirect, once.
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe('/account/recovery-codes');
    const ok = await c.get('/account/recovery-codes');
    expect(ok.statusCode).toBe(200);
    expect((ok.body.match(/<li>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}<\/li>/g) ?? []).length).toBe(10);
    // Issue 15: the page that confirms enrolment already shows the role as active (no stale banner).
    expect(ok.body).toContain('your roles are active');
    expect(ok.body).not.toContain('inactive until you');
    expect((await c.get('/admin')).statusCode).toBe(200);
    expect((await c.get('/account')).body).not.toContain('inactive until you');
  });

  it('recovery codes work once', async () => {
    const u = await makeUser(t, { username: 'recoverer', totp: false });
    const c = await signedInClient(t, u);
    await c.post('/account/totp/start', {}, '/account/security');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec((await c.get('/account/security')).body)![1]!;
    expect((await c.post('/account/totp/confirm', { code: currentTotp(secret, t.clock.now()) }, '/account/security')).statusCode).toBe(303);
    const codes = [...(await c.get('/account/recovery-codes')).body.matchAll(/<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})<\/li>/g)].map((m) => m[1]!);
    const d = new TestClient(t);
    await d.post('/login', { login: 'recoverer', password: TEST_PASSWORD }, '/login');
    expect((await d.post('/login/totp', { code: codes[0]! }, '/login/totp')).statusCode).toBe(303);
    const e = new TestClient(t);
    await e.post('/login', { login: 'recoverer', password: TEST_PASSWORD }, '/login');
    expect((await e.post('/login/totp', { code: codes[0]! }, '/login/totp')).statusCode).toBe(400);
  });

  it('scopes API tokens, stores them hashed, and lets them be revoked', async () => {
    const admin = await makeUser(t, { username: 'tokenadmin', roles: ['admin'] });
    const c = await signedInClient(t, admin);
    const readRes = await c.json('POST', '/api/v1/tokens', { name: 'reader', scopes: ['read'] });
    expect(readRes.statusCode).toBe(201);
    const readToken = JSON.parse(readRes.body).token as string;
    const adminToken = JSON.parse((await c.json('POST', '/api/v1/tokens', { name: 'adm', scopes: ['admin'] })).body).token as string;
    const stored = await t.ctx.storage.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(readToken);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(readToken) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/users', headers: bearer(readToken) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/users', headers: bearer(adminToken) })).statusCode).toBe(200);
    // No CSRF token needed with a bearer token; the body is still validated.
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(adminToken), payload: { slug: 'glance', name: 'Glance' } });
    expect(created.statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer('cdn_not-a-real-token') })).statusCode).toBe(401);
    const id = JSON.parse(readRes.body).id as number;
    await c.post(`/account/tokens/${id}/revoke`, {}, '/account/tokens');
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(readToken) })).statusCode).toBe(401);
    // A token cannot mint more tokens.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(adminToken), payload: { name: 'x', scopes: ['admin'] } })).statusCode).toBe(403);
  });

  it('resets a password through the mail outbox', async () => {
    const u = await makeUser(t, { username: 'forgetful', totp: false });
    const c = new TestClient(t);
    const res = await c.post('/password/forgot', { email: 'forgetful@example.org' }, '/password/forgot');
    expect(res.statusCode).toBe(303);
    const unknown = await c.post('/password/forgot', { email: 'nobody@example.org' }, '/password/forgot');
    expect(unknown.headers.location).toBe(res.headers.location);
    const worker = new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) });
    expect(await worker.drain()).toBeGreaterThanOrEqual(1);
    const outbox = path.join(t.ctx.config.dataDir, 'outbox');
    const mail = readdirSync(outbox).map((f) => readFileSync(path.join(outbox, f), 'utf8')).find((m) => m.includes('To: forgetful@example.org'));
    expect(mail).toBeDefined();
    const link = /http:\/\/cordon\.test(\/password\/reset\/[A-Za-z0-9_-]+)/.exec(mail!.replace(/=\r?\n/g, ''))![1]!;
    const done = await c.post(link, { password: 'a brand new long passphrase' }, link);
    expect(done.statusCode).toBe(303);
    expect((await c.get(link)).statusCode).toBe(404);
    const login = await new TestClient(t).post('/login', { login: u.user.username, password: 'a brand new long passphrase' }, '/login');
    expect(login.statusCode).toBe(303);
  });

  it('has written an intact audit chain for all of the above', async () => {
    const verdict = await verifyAuditChain(t.ctx.storage.db);
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThan(20);
  });
});
