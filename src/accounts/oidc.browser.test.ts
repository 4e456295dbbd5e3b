// Single sign-on through a real OpenID Connect provider (issue 19), in real Chromium, on both databases: the
// `oidc-provider` package runs on 127.0.0.1 as the provider of a Cordon app, and the browser signs in
// through its login page. New account (registration open), an existing account linked only after its
// owner's confirmation, then signed in directly; every refusal leaves the database as it was; the
// provider's MFA stands in for TOTP only when trusted; a claim grants a role only through an admin's rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { systemClock } from '../clock.js';
import { testConfig, type OidcProviderConfig } from '../config/config.js';
import { systemScope, type AppContext } from '../context.js';
import { buildApp } from '../http/app.js';
import { createLogger } from '../logging.js';
import { describeInBrowser, launchBrowser, screenshot, signedInPage } from '../testing/browser.js';
import { createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { currentTotp, newTotpSecret } from './totp.js';
import { sealTotpSecret } from './secrets-at-rest.js';
import { createAccount } from './users.js';
import { addRoleRule } from './oidc-manage.js';
import { createInvite } from './invites.js';
import { startTestProvider, type TestIdentity, type TestProvider } from './testing/oidc-provider.js';
import type { FastifyInstance } from 'fastify';
import type { InstanceRole } from '../storage/tables.js';

const PASSWORD = 'correct horse battery staple';
const VIEWPORTS = [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const;

describeInBrowser('signing in with OpenID Connect in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe.each(testDialects())('on %s', (dialect) => {
    let db: TestStorage;
    let ctx: AppContext;
    let app: FastifyInstance;
    let base: string;
    let idp: TestProvider;
    let provider: OidcProviderConfig;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      db = await createTestStorage(dialect);
      const config = testConfig({ dataDir: db.dataDir, host: '127.0.0.1', port: 0 });
      ctx = { config, storage: db.storage, clock: systemClock, log: createLogger({ logLevel: 'silent' }) };
      app = (await buildApp(ctx)).app;
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      ctx.config.publicUrl = base;
      idp = await startTestProvider([`${base}/auth/oidc/testid/callback`]);
      provider = idp.config(`${base}/auth/oidc/testid/callback`);
      ctx.config.oidcProviders = [provider];
    }, 60_000);
    afterAll(async () => {
      for (const c of contexts) await c.close();
      await app?.close();
      await idp?.close();
      await db?.cleanup();
    });

    async function newPage(viewport: { width: number; height: number } = { width: 1280, height: 900 }): Promise<Page> {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      return context.newPage();
    }

    function identity(login: string, extra: Partial<TestIdentity> = {}): TestIdentity {
      const who: TestIdentity = { sub: `sub-${login}-${dialect}`, email: `${login}@example.org`, email_verified: true, name: `${login} Example`, ...extra };
      idp.identities.set(login, who);
      return who;
    }

    /** From Cordon's sign-in page through the provider's login page and back; resolves on Cordon's answer. */
    async function signInWith(page: Page, login: string, next?: string, atProvider?: () => Promise<void>): Promise<number | undefined> {
      await page.goto(`${base}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
      await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
      await page.waitForURL(`${idp.issuer}/interaction/**`, { timeout: 5000 }).catch(async (e: unknown) => {
        throw new Error(`${String(e)} at ${page.url()}: ${(await page.content()).slice(0, 2000)}`);
      });
      await atProvider?.();
      await page.locator('#login').fill(login);
      const answer = page.waitForResponse((r) => r.url().startsWith(`${base}/auth/oidc/testid/callback`));
      await page.getByRole('button', { name: 'Sign in at Test ID' }).click();
      const status = (await answer).status();
      await page.waitForLoadState('load');
      return status;
    }

    async function snapshot() {
      const d = ctx.storage.db;
      const count = async (table: 'users' | 'oidc_identities' | 'user_roles') => Number((await d.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const live = await d.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
      return { users: await count('users'), identities: await count('oidc_identities'), roles: await count('user_roles'), sessions: Number(live.n) };
    }

    async function auditActions(userId: number): Promise<string[]> {
      const rows = await ctx.storage.db.selectFrom('audit_events').select('action').where('target_type', '=', 'user').where('target_id', '=', String(userId)).orderBy('id').execute();
      return rows.map((r) => r.action);
    }

    async function signedInAs(page: Page): Promise<{ username: string; roles: string[] } | null> {
      const r = await page.request.get(`${base}/api/v1/me`, { headers: { accept: 'application/json' } });
      if (r.status() !== 200) return null;
      const me = (await r.json()) as { username: string; roles: string[] };
      return { username: me.username, roles: me.roles };
    }

    async function makeAccount(username: string, options: { roles?: InstanceRole[]; totp?: boolean } = {}) {
      const user = await createAccount(systemScope(ctx), { username, email: `${username}@example.org`, displayName: username, password: PASSWORD, roles: options.roles ?? [] });
      const secret = options.totp ? newTotpSecret() : null;
      if (secret) await ctx.storage.db.updateTable('users').set({ totp_secret: sealTotpSecret(ctx.storage, secret), totp_enabled_at: new Date().toISOString() }).where('id', '=', user.id).execute();
      return { user, secret };
    }

    it('creates an account on the first sign-in when registration is open, and signs it in directly next time', async () => {
      identity('alice');
      for (const [name, viewport] of VIEWPORTS) {
        const page = await newPage(viewport);
        await page.goto(`${base}/login`);
        expect(await page.getByRole('link', { name: 'Sign in with Test ID' }).count()).toBe(1);
        if (dialect === 'sqlite') await screenshot(page, `oidc-sign-in-${name}`);
      }
      const before = await snapshot();
      const page = await newPage();
      expect(await signInWith(page, 'alice', '/account')).toBe(303);
      expect(new URL(page.url()).pathname).toBe('/account');
      expect(await signedInAs(page)).toEqual({ username: 'alice', roles: [] });
      const user = await ctx.storage.db.selectFrom('users').selectAll().where('email', '=', 'alice@example.org').executeTakeFirstOrThrow();
      expect(user.password_hash).toBe('');
      expect(await auditActions(user.id)).toEqual(['user.created_by_oidc', 'user.oidc_linked', 'user.signed_in']);
      expect(await snapshot()).toEqual({ ...before, users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1 });

      // Next time, in a fresh browser: the same account, nothing new.
      const again = await newPage();
      const between = await snapshot();
      expect(await signInWith(again, 'alice')).toBe(303);
      expect(await signedInAs(again)).toEqual({ username: 'alice', roles: [] });
      expect(await snapshot()).toEqual({ ...between, sessions: between.sessions + 1 });
    });

    it('links an existing account only after its owner confirms with the password and TOTP code', async () => {
      const { user, secret } = await makeAccount('bob', { totp: true });
      identity('bob');
      const page = await newPage();
      expect(await signInWith(page, 'bob', '/account')).toBe(303);
      expect(new URL(page.url()).pathname).toBe('/auth/oidc/link');
      expect(await page.getByRole('heading', { name: 'Link Test ID to your account' }).count()).toBe(1);
      // Not signed in, nothing linked yet.
      expect(await signedInAs(page)).toBeNull();
      expect(await ctx.storage.db.selectFrom('oidc_identities').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
      if (dialect === 'sqlite') {
        for (const [name, viewport] of VIEWPORTS) {
          await page.setViewportSize(viewport);
          await screenshot(page, `oidc-link-confirm-${name}`);
        }
        await page.setViewportSize({ width: 1280, height: 900 });
      }

      // A wrong password links nothing.
      const before = await snapshot();
      await page.locator('#f-password').fill('not the password at all');
      await page.locator('#f-code').fill(currentTotp(secret!, new Date()));
      await page.getByRole('button', { name: 'Confirm and link' }).click();
      expect(await page.locator('main').textContent()).toContain('Wrong password.');
      expect(await snapshot()).toEqual(before);

      await page.locator('#f-password').fill(PASSWORD);
      await page.locator('#f-code').fill(currentTotp(secret!, new Date(Date.now() + 30_000)));
      await page.getByRole('button', { name: 'Confirm and link' }).click();
      await page.waitForURL(`${base}/account`);
      expect(await signedInAs(page)).toEqual({ username: 'bob', roles: [] });
      expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['user.oidc_linked', 'user.signed_in']));
      expect(await snapshot()).toEqual({ ...before, identities: before.identities + 1, sessions: before.sessions + 1 });

      // Next time: straight in (the TOTP step follows, bob has it and the provider's MFA is not trusted).
      const again = await newPage();
      await signInWith(again, 'bob');
      expect(new URL(again.url()).pathname).toBe('/login/totp');
    });

    it.each([
      ['a changed byte in the ID token signature', 'tamper', /could not be verified/],
      ['a nonce the app never sent', 'nonce', /could not be verified/],
      ['an unverified email', 'unverified', /did not confirm that your email address is verified/],
      ['an email domain that is not allowed', 'domain', /cannot sign in with Test ID here/],
      ['closed registration', 'closed', /does not take new accounts/],
    ] as const)('refuses %s and changes nothing', async (_what, kind, message) => {
      const login = `refused-${kind}`;
      identity(login, kind === 'unverified' ? { email_verified: false } : kind === 'domain' ? { email: `${login}@elsewhere.test` } : {});
      idp.hooks.tamperIdToken = kind === 'tamper';
      idp.hooks.replaceNonce = kind === 'nonce';
      if (kind === 'domain') provider.allowedEmailDomains = ['example.org'];
      if (kind === 'closed') ctx.config.registration = 'closed';
      try {
        const before = await snapshot();
        const page = await newPage();
        expect(await signInWith(page, login)).toBe(400);
        expect(await page.locator('main').textContent()).toMatch(message);
        expect(await signedInAs(page)).toBeNull();
        expect(await snapshot()).toEqual(before);
      } finally {
        idp.hooks.tamperIdToken = false;
        idp.hooks.replaceNonce = false;
        provider.allowedEmailDomains = [];
        ctx.config.registration = 'open';
      }
    });

    it('refuses a wrong state and a replayed callback, changing nothing', async () => {
      identity('carol');
      // A wrong state: the callback's state is changed on its way to the app.
      const page = await newPage();
      idp.hooks.replaceState = true;
      const before = await snapshot();
      try {
        expect(await signInWith(page, 'carol')).toBe(400);
      } finally {
        idp.hooks.replaceState = false;
      }
      expect(await page.locator('main').textContent()).toMatch(/already used, has expired or was started in another browser/);
      expect(await snapshot()).toEqual(before);

      // A replay: the same callback URL again after it signed in once.
      const first = await newPage();
      let callback = '';
      let flowCookie = '';
      first.on('request', (r) => {
        if (r.url().startsWith(`${base}/auth/oidc/testid/callback`)) callback = r.url();
      });
      const keepCookie = async () => {
        flowCookie = (await first.context().cookies(`${base}/auth/oidc/`)).find((c) => c.name === 'cordon_oidc')?.value ?? '';
      };
      expect(await signInWith(first, 'carol', undefined, keepCookie)).toBe(303);
      expect(flowCookie).not.toBe('');
      // The same browser, its flow cookie put back: only the spent state can refuse it now.
      await first.context().addCookies([{ name: 'cordon_oidc', value: flowCookie, url: `${base}/auth/oidc/` }]);
      const after = await snapshot();
      const replay = await first.goto(callback);
      expect(replay?.status()).toBe(400);
      expect(await snapshot()).toEqual(after);
    });

    it('with REGISTRATION=invite: refuses a stranger, and creates the account an invitation carries through the flow', async () => {
      identity('ivan');
      ctx.config.registration = 'invite';
      try {
        const before = await snapshot();
        const stranger = await newPage();
        expect(await signInWith(stranger, 'ivan')).toBe(400);
        expect(await stranger.locator('main').textContent()).toContain('new accounts need an invitation');
        expect(await snapshot()).toEqual(before);

        const link = await createInvite(systemScope(ctx), { email: 'ivan@example.org', roles: [] });
        const page = await newPage();
        await page.goto(link);
        await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
        await page.waitForURL(`${idp.issuer}/interaction/**`);
        await page.locator('#login').fill('ivan');
        await page.getByRole('button', { name: 'Sign in at Test ID' }).click();
        await page.waitForURL(`${base}/account`);
        expect(await signedInAs(page)).toEqual({ username: 'ivan', roles: [] });
        const invite = await ctx.storage.db.selectFrom('invites').select(['used_at', 'user_id']).where('email', '=', 'ivan@example.org').executeTakeFirstOrThrow();
        expect(invite.used_at).not.toBeNull();
        expect(await snapshot()).toEqual({ ...before, users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1 });
        // Spent: the same invitation cannot start another account.
        const again = await newPage();
        const res = await again.goto(`${base}/auth/oidc/testid/start?invite=${encodeURIComponent(link.slice(link.lastIndexOf('/') + 1))}`);
        expect(res?.status()).toBe(400);
      } finally {
        ctx.config.registration = 'open';
      }
    });

    async function linkDirectly(userId: number, who: TestIdentity): Promise<void> {
      const at = new Date().toISOString();
      await ctx.storage.db.insertInto('oidc_identities').values({ provider: 'testid', subject: who.sub, user_id: userId, email: who.email, created_at: at, last_used_at: at }).execute();
    }

    async function lastSignIn(userId: number): Promise<unknown> {
      const row = await ctx.storage.db.selectFrom('audit_events').select('after_json').where('action', '=', 'user.signed_in').where('target_id', '=', String(userId)).orderBy('id', 'desc').executeTakeFirstOrThrow();
      return typeof row.after_json === 'string' ? JSON.parse(row.after_json) : row.after_json;
    }

    it("skips the TOTP step for a VMT member only when the provider is trusted and asserts amr mfa", async () => {
      const { user } = await makeAccount('vera', { roles: ['vmt'], totp: true });
      const who = identity('vera', { amr: ['pwd', 'mfa'] });
      await linkDirectly(user.id, who);
      const plain = await makeAccount('victor', { roles: ['vmt'], totp: true });
      await linkDirectly(plain.user.id, identity('victor'));
      try {
        provider.trustMfa = true;
        const trusted = await newPage();
        await signInWith(trusted, 'vera', '/account');
        expect(new URL(trusted.url()).pathname).toBe('/account');
        expect((await signedInAs(trusted))?.roles).toEqual(['vmt']);
        expect(await lastSignIn(user.id)).toMatchObject({ via: 'oidc', provider: 'testid', second_factor: 'provider' });
        const session = await ctx.storage.db.selectFrom('sessions').select(['mfa_passed', 'mfa_via']).where('user_id', '=', user.id).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
        expect(session).toEqual({ mfa_passed: 1, mfa_via: 'provider' });

        // A VMT member without TOTP here: the provider's MFA activates the role all the same.
        const w = await makeAccount('wanda', { roles: ['vmt'] });
        await linkDirectly(w.user.id, identity('wanda', { amr: ['hwk', 'mfa'] }));
        const noTotp = await newPage();
        await signInWith(noTotp, 'wanda', '/account');
        expect(new URL(noTotp.url()).pathname).toBe('/account');
        expect(await signedInAs(noTotp)).toEqual({ username: 'wanda', roles: ['vmt'] });

        // Trusted, but this login asserts no MFA: the TOTP step is asked.
        const noAmr = await newPage();
        await signInWith(noAmr, 'victor', '/account');
        expect(new URL(noAmr.url()).pathname).toBe('/login/totp');
        expect(await signedInAs(noAmr)).toBeNull();

        // Not trusted: the same amr mfa does not stand in for TOTP.
        provider.trustMfa = false;
        const untrusted = await newPage();
        await signInWith(untrusted, 'vera', '/account');
        expect(new URL(untrusted.url()).pathname).toBe('/login/totp');
        expect(await signedInAs(untrusted)).toBeNull();
        expect(await lastSignIn(user.id)).toMatchObject({ second_factor: 'pending' });
      } finally {
        provider.trustMfa = false;
      }
    });

    it('grants a role for a mapped claim, and nothing for the same claim without the rule', async () => {
      identity('gina', { groups: ['vmt', 'staff'] });
      const before = await signInWith(await newPage(), 'gina');
      expect(before).toBe(303);
      const gina = await ctx.storage.db.selectFrom('users').select('id').where('username', '=', 'gina').executeTakeFirstOrThrow();
      expect(await ctx.storage.db.selectFrom('user_roles').select('role').where('user_id', '=', gina.id).execute()).toEqual([]);

      // An admin maps groups ∋ vmt → vmt on the admin page.
      const admin = await makeAccount('root', { roles: ['admin'], totp: true });
      for (const [name, viewport] of VIEWPORTS) {
        const page = await signedInPage(browser, base, 'root', { password: PASSWORD, totpSecret: admin.secret ?? undefined, viewport });
        contexts.push(page.context());
        await page.goto(`${base}/admin/sign-in`);
        if (name === 'desktop') {
          await page.locator('#f-claim').fill('groups');
          await page.locator('#f-value').fill('vmt');
          await page.locator('#f-role').selectOption('vmt');
          await page.getByRole('button', { name: 'Add rule' }).click();
          await page.waitForURL(`${base}/admin/sign-in`);
          expect(await page.locator('main').textContent()).toContain('Rule added');
        }
        if (dialect === 'sqlite') await screenshot(page, `oidc-admin-rules-${name}`);
        const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(scroll, `admin page at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
      }
      const rule = await ctx.storage.db.selectFrom('audit_events').select('action').where('action', '=', 'oidc.role_rule_added').execute();
      expect(rule).toHaveLength(1);
      // Admin can never be mapped.
      await expect(addRoleRule(systemScope(ctx), { provider: 'testid', claim: 'groups', value: 'staff', role: 'admin' })).rejects.toMatchObject({ code: 'validation_failed' });

      const after = await newPage();
      await signInWith(after, 'gina');
      // gina has no TOTP: the vmt role is held but waits for a second factor, as for any new VMT member.
      expect(await ctx.storage.db.selectFrom('user_roles').select('role').where('user_id', '=', gina.id).execute()).toEqual([{ role: 'vmt' }]);
      expect(await auditActions(gina.id)).toContain('user.role_granted_by_rule');
    });
  });
});
