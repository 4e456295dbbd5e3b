// The owner's confirmation of a provider link (issue 19, /auth/oidc/link) is a second way past the second
// factor: its codes must count against the same per-account lock as the TOTP sign-in step (login.ts), and a
// recovery code must work there exactly as at that step — once. Through the HTTP stack on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../config/config.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, TestClient, TEST_PASSWORD, type TestApp, type TestUser } from '../testing/harness.js';
import { SECOND_FACTOR_FREE_FAILURES } from './login.js';
import { sha256Hex } from './secrets.js';
import { currentTotp, recoveryCodeHash, TOTP_PERIOD_S } from './totp.js';

const corp: OidcProviderConfig = { id: 'corp', issuer: 'http://127.0.0.1:9', clientId: 'cordon', clientSecret: 'never-shown', name: 'Corp SSO', allowedEmailDomains: [], trustMfa: false, mfaAmrValues: ['mfa'], mfaAcrValues: [] };

describe.each(testDialects())('confirming a provider link with the second factor on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { oidcProviders: [{ ...corp }] });
  });
  afterAll(async () => t.close());

  /** A browser in which the provider said "this is u's verified email" (what the callback leaves behind). */
  async function browserWithPendingLink(u: TestUser, subject: string): Promise<TestClient> {
    const browser = `browser-${subject}`;
    const now = t.clock.now();
    await t.ctx.storage.db
      .insertInto('oidc_flows')
      .values({ provider: 'corp', state_hash: sha256Hex(`${browser}-state`), browser_hash: sha256Hex(browser), stage: 'confirming', nonce: '', code_verifier: '', next: '/account', user_id: u.user.id, claims_json: JSON.stringify({ sub: subject, email: u.user.email, email_verified: true }), invite_id: null, created_at: now.toISOString(), expires_at: new Date(now.getTime() + 600_000).toISOString() })
      .execute();
    const c = new TestClient(t);
    c.cookies.set('cordon_oidc', browser);
    return c;
  }
  const linked = async (subject: string) => t.ctx.storage.db.selectFrom('oidc_identities').select('user_id').where('subject', '=', subject).execute();
  const confirm = (c: TestClient, code: string) => c.post('/auth/oidc/link', { password: TEST_PASSWORD, code }, '/auth/oidc/link');
  /** A six-digit code that is none of the codes accepted now (the current step and one either side). */
  const wrongCode = (u: TestUser) => {
    const now = t.clock.now().getTime();
    const valid = new Set([-1, 0, 1].map((d) => currentTotp(u.totpSecret!, new Date(now + d * TOTP_PERIOD_S * 1000))));
    return ['000000', '111111', '222222', '333333'].find((c) => !valid.has(c))!;
  };

  it('counts wrong codes against the account lock of the sign-in step, which then refuses there too', async () => {
    const u = await makeUser(t, { username: 'linkguess', totp: true });
    const attacker = await browserWithPendingLink(u, 'sub-linkguess');
    // Someone who knows the password guesses codes on the link page instead of the sign-in step.
    for (let i = 0; i < SECOND_FACTOR_FREE_FAILURES; i += 1) expect((await confirm(attacker, wrongCode(u))).statusCode).toBe(400);
    const row = await t.ctx.storage.db.selectFrom('users').select(['second_factor_failures', 'second_factor_locked_until']).where('id', '=', u.user.id).executeTakeFirstOrThrow();
    expect(row.second_factor_failures).toBe(SECOND_FACTOR_FREE_FAILURES);
    expect(row.second_factor_locked_until).not.toBeNull();
    // Locked: now even the right code is refused on the link page …
    const refused = await confirm(attacker, currentTotp(u.totpSecret!, t.clock.now()));
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('recovery code still works');
    expect(await linked('sub-linkguess')).toEqual([]);
    // … and at the sign-in step, from another browser.
    const c = new TestClient(t);
    expect((await c.post('/login', { login: u.user.username, password: TEST_PASSWORD }, '/login')).statusCode).toBe(303);
    expect((await c.post('/login/totp', { code: currentTotp(u.totpSecret!, t.clock.now()) }, '/login/totp')).statusCode).toBe(429);
    expect((await c.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
    const actions = await t.ctx.storage.db.selectFrom('audit_events').select('action').where('target_id', '=', String(u.user.id)).where('action', 'like', 'user.second_factor%').execute();
    expect(actions.map((a) => a.action)).toContain('user.second_factor_locked');
  });

  it('links with a recovery code once, and not a second time', async () => {
    const u = await makeUser(t, { username: 'linkrecover', totp: true });
    await t.ctx.storage.db.insertInto('recovery_codes').values({ user_id: u.user.id, code_hash: recoveryCodeHash('hjkm-npqr-stuv'), used_at: null }).execute();
    const first = await browserWithPendingLink(u, 'sub-recover-1');
    const ok = await confirm(first, 'hjkm-npqr-stuv');
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/account');
    expect(await linked('sub-recover-1')).toEqual([{ user_id: u.user.id }]);
    expect(JSON.parse((await first.get('/api/v1/me', 'application/json')).body).username).toBe(u.user.username);
    const used = await t.ctx.storage.db.selectFrom('recovery_codes').select('used_at').where('user_id', '=', u.user.id).executeTakeFirstOrThrow();
    expect(used.used_at).not.toBeNull();

    // The same code again, for another identity: spent.
    const second = await browserWithPendingLink(u, 'sub-recover-2');
    const again = await confirm(second, 'hjkm-npqr-stuv');
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('That code is not valid');
    expect(await linked('sub-recover-2')).toEqual([]);
    expect((await second.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
  });
});
