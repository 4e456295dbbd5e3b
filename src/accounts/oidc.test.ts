// Single sign-on through the HTTP stack on both databases (issue 19), the parts that need no provider:
// the configuration and its fix-it messages, PASSWORD_SIGN_IN=off, unlinking, refusals before any provider
// is asked, and the leak matrix of the new routes (a linked identity: its owner only; a role rule: admins
// only; a provider id: public). The flow itself, through a real provider in Chromium: oidc.browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type OidcProviderConfig } from '../config/config.js';
import { createApiToken } from './api-tokens.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, signedInClient, TestClient, TEST_PASSWORD, type TestApp } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { addRoleRule } from './oidc-manage.js';
import { scrubUrl } from '../logging.js';
import { sha256Hex } from './secrets.js';

// Port 9 (discard) on loopback: nothing listens, so a start fails fast without leaving the machine.
const corp: OidcProviderConfig = { id: 'corp', issuer: 'http://127.0.0.1:9', clientId: 'cordon', clientSecret: 's3cret-value-never-shown', name: 'Corp SSO', allowedEmailDomains: [], trustMfa: false, mfaAmrValues: ['mfa'], mfaAcrValues: [] };

describe('OIDC configuration', () => {
  const base = { DATA_DIR: '/tmp/cordon-oidc-config', OIDC_PROVIDERS: 'corp,git-lab' };
  const full = { ...base, OIDC_CORP_ISSUER: 'https://id.example.org/realms/main/', OIDC_CORP_CLIENT_ID: 'cordon', OIDC_CORP_CLIENT_SECRET: 'xyz-secret', OIDC_GIT_LAB_ISSUER: 'https://gitlab.example.org', OIDC_GIT_LAB_CLIENT_ID: 'c2', OIDC_GIT_LAB_CLIENT_SECRET: 'other-secret' };

  it('reads each provider with its defaults', () => {
    const c = loadConfig({ ...full, OIDC_CORP_NAME: 'Corp', OIDC_CORP_ALLOWED_EMAIL_DOMAINS: 'Example.org, @example.com', OIDC_CORP_TRUST_MFA: 'true' });
    expect(c.oidcProviders.map((p) => [p.id, p.issuer, p.name, p.allowedEmailDomains, p.trustMfa, p.mfaAmrValues, p.mfaAcrValues])).toEqual([
      ['corp', 'https://id.example.org/realms/main', 'Corp', ['example.org', 'example.com'], true, ['mfa'], []],
      ['git-lab', 'https://gitlab.example.org', 'git-lab', [], false, ['mfa'], []],
    ]);
    expect(c.passwordSignIn).toBe(true);
  });

  it('names each missing or wrong variable with a fix, and never echoes the secret', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ ...full, OIDC_CORP_CLIENT_ID: '', OIDC_GIT_LAB_ISSUER: 'http://gitlab.example.org', OIDC_CORP_TRUST_MFA: 'maybe' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.variable)).toEqual(['OIDC_CORP_TRUST_MFA', 'OIDC_CORP_CLIENT_ID', 'OIDC_GIT_LAB_ISSUER'].sort((a, b) => error!.problems.findIndex((p) => p.variable === a) - error!.problems.findIndex((p) => p.variable === b)));
    expect(error!.problems.every((p) => p.fix.length > 10)).toBe(true);
    expect(error!.message).not.toContain('xyz-secret');
  });

  it('refuses PASSWORD_SIGN_IN=off without a provider, saying what to do', () => {
    expect(() => loadConfig({ DATA_DIR: '/tmp/x', PASSWORD_SIGN_IN: 'off' })).toThrow(/PASSWORD_SIGN_IN: is off but no OpenID Connect provider is configured[\s\S]*fix: Configure OIDC_PROVIDERS/);
    expect(loadConfig({ ...full, PASSWORD_SIGN_IN: 'off' }).passwordSignIn).toBe(false);
  });

  it('keeps the authorization code and state of a callback out of the logs', () => {
    expect(scrubUrl('/auth/oidc/corp/callback?code=abc123&state=st4te&iss=x')).toBe('/auth/oidc/corp/callback?code=[redacted]&state=[redacted]&iss=x');
  });
});

describe.each(testDialects())('OIDC sign-in over HTTP on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { oidcProviders: [{ ...corp }] });
  });
  afterAll(async () => t.close());

  const count = async (table: 'users' | 'sessions' | 'oidc_identities' | 'oidc_flows') => Number((await t.ctx.storage.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('shows the provider on the sign-in page and refuses an unknown one', async () => {
    const c = new TestClient(t);
    const page = await c.get('/login');
    expect(page.body).toContain('href="/auth/oidc/corp/start?next=%2F"');
    expect(page.body).toContain('Sign in with Corp SSO');
    expect(page.body).not.toContain('s3cret-value-never-shown');
    expect((await c.get('/auth/oidc/nope/start')).statusCode).toBe(404);
  });

  it('refuses a callback that no flow of this browser started, changing nothing', async () => {
    const before = [await count('users'), await count('sessions'), await count('oidc_identities')];
    const c = new TestClient(t);
    const res = await c.get('/auth/oidc/corp/callback?code=abc&state=made-up');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('already used, has expired or was started in another browser');
    expect([await count('users'), await count('sessions'), await count('oidc_identities')]).toEqual(before);
  });

  it('says clearly when the provider cannot be reached, and records no flow', async () => {
    const flows = await count('oidc_flows');
    const res = await new TestClient(t).get('/auth/oidc/corp/start');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Corp SSO cannot be reached right now');
    expect(await count('oidc_flows')).toBe(flows);
  });

  it('with PASSWORD_SIGN_IN=off: no password form, and the password routes refuse', async () => {
    const u = await makeUser(t, { totp: false });
    t.ctx.config.passwordSignIn = false;
    try {
      const c = new TestClient(t);
      const page = await c.get('/login');
      expect(page.body).not.toContain('name="password"');
      expect(page.body).toContain('Sign in with Corp SSO');
      const sessions = await count('sessions');
      const res = await c.post('/login', { login: u.user.username, password: TEST_PASSWORD }, '/login');
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Password sign-in is turned off');
      expect(await count('sessions')).toBe(sessions);
      expect((await c.post('/password/forgot', { email: u.user.email }, '/login')).statusCode).toBe(400);
    } finally {
      t.ctx.config.passwordSignIn = true;
    }
    // Turned back on, the same request signs in: the refusal was the setting, not the request.
    expect((await new TestClient(t).post('/login', { login: u.user.username, password: TEST_PASSWORD }, '/login')).statusCode).toBe(303);
  });

  it('unlinks an identity (audited) but never the last way to sign in', async () => {
    const u = await makeUser(t, { totp: false });
    const at = t.clock.now().toISOString();
    const link = async (userId: number, subject: string) =>
      (await t.ctx.storage.db.insertInto('oidc_identities').values({ provider: 'corp', subject, user_id: userId, email: `${subject}@example.org`, created_at: at, last_used_at: at }).returning('id').executeTakeFirstOrThrow()).id;
    const own = await link(u.user.id, `s-${u.user.username}`);
    const c = await signedInClient(t, u);
    const page = await c.get('/account/sign-in');
    expect(page.body).toContain(`s-${u.user.username}@example.org`);
    const res = await c.post(`/account/sign-in/${own}/unlink`, {}, '/account/sign-in');
    expect(res.statusCode).toBe(303);
    expect(await t.ctx.storage.db.selectFrom('oidc_identities').select('id').where('id', '=', own).execute()).toEqual([]);
    const audit = await t.ctx.storage.db.selectFrom('audit_events').select('action').where('action', '=', 'user.oidc_unlinked').where('target_id', '=', String(u.user.id)).execute();
    expect(audit).toHaveLength(1);

    // Password sign-in off: the only identity is the only way in.
    const only = await link(u.user.id, `only-${u.user.username}`);
    t.ctx.config.passwordSignIn = false;
    try {
      const refused = await c.post(`/account/sign-in/${only}/unlink`, {}, '/account/sign-in');
      expect(refused.statusCode).toBe(303);
      expect((await c.get(String(refused.headers.location))).body).toContain('This is your only way to sign in');
      expect(await t.ctx.storage.db.selectFrom('oidc_identities').select('id').where('id', '=', only).execute()).toHaveLength(1);
    } finally {
      t.ctx.config.passwordSignIn = true;
    }
  });

  it('with password sign-in off, links only for the owner already signed in to the account', async () => {
    const u = await makeUser(t, { totp: false });
    const pending = async (browser: string, subject: string) => {
      const now = t.clock.now();
      await t.ctx.storage.db
        .insertInto('oidc_flows')
        .values({ provider: 'corp', state_hash: sha256Hex(`${browser}-state`), browser_hash: sha256Hex(browser), stage: 'confirming', nonce: '', code_verifier: '', next: '/account', user_id: u.user.id, claims_json: JSON.stringify({ sub: subject, email: u.user.email, email_verified: true }), invite_id: null, created_at: now.toISOString(), expires_at: new Date(now.getTime() + 600_000).toISOString() })
        .execute();
    };
    const linked = async (subject: string) => t.ctx.storage.db.selectFrom('oidc_identities').select('user_id').where('subject', '=', subject).execute();
    t.ctx.config.passwordSignIn = false;
    try {
      // A stranger's browser holding the flow: no password form, and the POST links nothing.
      await pending('browser-of-stranger', `sub-a-${u.user.username}`);
      const stranger = new TestClient(t);
      stranger.cookies.set('cordon_oidc', 'browser-of-stranger');
      const page = await stranger.get('/auth/oidc/link');
      expect(page.body).not.toContain('name="password"');
      expect(page.body).toContain('another way first');
      expect((await stranger.post('/auth/oidc/link', {}, '/auth/oidc/link')).statusCode).toBe(400);
      expect(await linked(`sub-a-${u.user.username}`)).toEqual([]);

      // The owner, signed in already: one click links it (audited as confirmed by the session).
      t.ctx.config.passwordSignIn = true;
      const owner = await signedInClient(t, u);
      t.ctx.config.passwordSignIn = false;
      await pending('browser-of-owner', `sub-b-${u.user.username}`);
      owner.cookies.set('cordon_oidc', 'browser-of-owner');
      expect((await owner.get('/auth/oidc/link')).body).toContain(`You are signed in as ${u.user.username}`);
      expect((await owner.post('/auth/oidc/link', {}, '/auth/oidc/link')).statusCode).toBe(303);
      expect(await linked(`sub-b-${u.user.username}`)).toEqual([{ user_id: u.user.id }]);
      const audit = await t.ctx.storage.db.selectFrom('audit_events').select('after_json').where('action', '=', 'user.oidc_linked').where('target_id', '=', String(u.user.id)).executeTakeFirstOrThrow();
      expect(JSON.parse(String(audit.after_json))).toMatchObject({ provider: 'corp', confirmed_by: 'session' });
    } finally {
      t.ctx.config.passwordSignIn = true;
    }
  });

  describe('leak matrix', () => {
    let roles: LeakRole[];
    let identityId = 0;
    let ruleId = 0;
    const admins = new Set(['admin', 'admin-token']);
    const snapshot = async () => ({
      identities: await t.ctx.storage.db.selectFrom('oidc_identities').selectAll().orderBy('id').execute(),
      rules: await t.ctx.storage.db.selectFrom('oidc_role_rules').selectAll().orderBy('id').execute(),
    });
    beforeAll(async () => {
      const owner = await makeUser(t, { username: 'idowner', totp: false });
      const at = t.clock.now().toISOString();
      identityId = (await t.ctx.storage.db.insertInto('oidc_identities').values({ provider: 'corp', subject: 'sub-owner', user_id: owner.user.id, email: 'idp-marker-q4@example.org', created_at: at, last_used_at: at }).returning('id').executeTakeFirstOrThrow()).id;
      const admin = await makeUser(t, { username: 'ssoadmin', roles: ['admin'] });
      ruleId = (await addRoleRule({ ...t.system, actor: { kind: 'anonymous' } }, { provider: 'corp', claim: 'groups', value: 'rule-marker-z8', role: 'vmt' })).id;
      const adminToken = await createApiToken(t.system, admin.user.id, { name: 'adm', scopes: ['admin'] });
      roles = [
        { name: 'anonymous', client: null },
        { name: 'owner', client: await signedInClient(t, owner) },
        { name: 'plain', client: await signedInClient(t, await makeUser(t, { username: 'ssoplain', totp: false })) },
        { name: 'vmt', client: await signedInClient(t, await makeUser(t, { username: 'ssovmt', roles: ['vmt'] })) },
        { name: 'admin', client: await signedInClient(t, admin) },
        { name: 'dormant-admin', client: await signedInClient(t, await makeUser(t, { username: 'ssodormant', roles: ['admin'], totp: false })) },
        { name: 'admin-token', client: null, bearer: adminToken.token },
      ];
    });

    it('a linked identity: its owner only, on every route; others cannot unlink it', async () => {
      const before = await snapshot();
      const v = await probeLeaks(t, roles, { kind: 'oidc_identity', paramValue: String(identityId), marker: 'idp-marker-q4', allowed: (role, route) => role === 'owner' && (route.url === '/account/sign-in' || route.url.includes(':identityId')) });
      expect(v).toEqual([]);
      expect(await snapshot()).toEqual(before);
    });

    it('a role rule: admins only; nobody else can remove it', async () => {
      const before = await snapshot();
      const v = await probeLeaks(t, roles, { kind: 'oidc_role_rule', paramValue: String(ruleId), marker: 'rule-marker-z8', allowed: (role) => admins.has(role) });
      expect(v).toEqual([]);
      expect(await snapshot()).toEqual(before);
    });

    it('a provider id is public: its routes answer everyone alike and show no secret', async () => {
      const v = await probeLeaks(t, roles, { kind: 'oidc_provider', paramValue: 'corp', marker: 's3cret-value-never-shown', allowed: () => false, denial: 'absence' });
      expect(v).toEqual([]);
    });
  });
});
