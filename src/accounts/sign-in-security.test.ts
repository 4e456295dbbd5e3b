// Issue 13 (accounts): attacks on signing in, made as an attacker would, through the real HTTP stack on
// both databases — second-factor guessing across sign-ins, a TOTP code used twice, account enumeration
// and lock-out through wrong passwords, limits that two app nodes must share, a bad bearer token on a page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createTestApp, makeUser, TestClient, TEST_PASSWORD, unusedTotpCode, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { buildApp } from '../http/app.js';
import { openStorage } from '../storage/database.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { currentTotp, recoveryCodeHash } from './totp.js';

/** A second app node over the same database (its own connection pool / SQLite connection). */
async function secondNode(t: TestApp): Promise<TestApp & { closeNode(): Promise<void> }> {
  const storage = openStorage({ databaseUrl: t.db.databaseUrl, dataDir: t.db.dataDir, ...(t.db.pgSchema ? { pgSchema: t.db.pgSchema } : {}) });
  const ctx = { ...t.ctx, storage };
  const { app, catalogue } = await buildApp(ctx);
  return { ...t, ctx, app, catalogue, closeNode: async () => (await app.close(), await storage.close()) };
}

/** The same browser (cookies and address) talking to another node. */
function sameBrowserOn(node: TestApp, c: TestClient): TestClient {
  const other = new TestClient(node);
  (other as { remoteAddress: string }).remoteAddress = c.remoteAddress;
  for (const [k, v] of c.cookies) other.cookies.set(k, v);
  return other;
}

async function mailsTo(t: TestApp, address: string): Promise<string[]> {
  await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
  const outbox = path.join(t.ctx.config.dataDir, 'outbox');
  if (!existsSync(outbox)) return [];
  return readdirSync(outbox)
    .map((f) => readFileSync(path.join(outbox, f), 'utf8').replace(/=\r?\n/g, ''))
    .filter((m) => m.includes(`To: ${address}`));
}

/** A page without what differs per request (CSRF tokens, the name typed). */
function comparable(body: string, typed: string): string {
  return body.replace(/(name="_csrf" value|name="csrf-token" content)="[^"]+"/g, '$1=""').replaceAll(typed, 'NAME');
}

async function passwordStep(t: TestApp, u: TestUser, c = new TestClient(t)): Promise<TestClient> {
  const res = await c.post('/login', { login: u.user.username, password: TEST_PASSWORD }, '/login');
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toMatch(/^\/login\/totp/);
  return c;
}

describe.each(testDialects())('sign-in security on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('counts wrong second-factor codes per account across sign-ins and addresses, and a right password does not reset them (item 1)', async () => {
    const u = await makeUser(t, { username: 'mfaguess', roles: ['vmt'] });
    await t.ctx.storage.db.insertInto('recovery_codes').values({ user_id: u.user.id, code_hash: recoveryCodeHash('abcd-efgh-jkmn'), used_at: null }).execute();
    // The attacker knows the password: sign in afresh from a new address, try a code or two, repeat.
    for (const codes of [['000000', '111111'], ['222222', '333333'], ['444444']]) {
      const c = await passwordStep(t, u);
      for (const code of codes) expect((await c.post('/login/totp', { code }, '/login/totp')).statusCode).toBe(400);
    }
    // Five wrong codes: the app's codes are now refused, even the right one, from anywhere.
    const c = await passwordStep(t, u);
    const refused = await c.post('/login/totp', { code: currentTotp(u.totpSecret!, t.clock.now()) }, '/login/totp');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(refused.body).toContain('recovery code still works');
    expect(JSON.parse((await c.get('/api/v1/me', 'application/json')).body).error.code).toBe('unauthenticated');
    const mail = await mailsTo(t, 'mfaguess@example.org');
    expect(mail.some((m) => m.includes('wrong authentication codes'))).toBe(true);
    // The owner is not kept out: a recovery code works during the lock.
    const owner = await passwordStep(t, u);
    expect((await owner.post('/login/totp', { code: 'abcd-efgh-jkmn' }, '/login/totp')).statusCode).toBe(303);
    // After the lock the app's codes work again, and a right code clears the count.
    t.clock.advance(16 * 60_000);
    const later = await passwordStep(t, u);
    expect((await later.post('/login/totp', { code: await unusedTotpCode(t, u) }, '/login/totp')).statusCode).toBe(303);
    const row = await t.ctx.storage.db.selectFrom('users').select(['second_factor_failures', 'second_factor_locked_until']).where('id', '=', u.user.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ second_factor_failures: 0, second_factor_locked_until: null });
  });

  it('accepts a TOTP code once, also when two sessions send it at the same moment (item 2)', async () => {
    const u = await makeUser(t, { username: 'replayed', roles: ['vmt'] });
    const code = currentTotp(u.totpSecret!, t.clock.now());
    const first = await passwordStep(t, u);
    expect((await first.post('/login/totp', { code }, '/login/totp')).statusCode).toBe(303);
    // Someone who saw the code (shoulder, log, phishing proxy) and knows the password tries it again.
    const replay = await passwordStep(t, u);
    const again = await replay.post('/login/totp', { code }, '/login/totp');
    expect(again.statusCode).toBe(400);
    expect((await replay.get('/api/v1/me', 'application/json')).statusCode).toBe(401);
    // The next step's code, sent by two half-signed-in sessions at once: exactly one wins.
    t.clock.advance(30_000);
    const next = currentTotp(u.totpSecret!, t.clock.now());
    const [a, b] = [await passwordStep(t, u), await passwordStep(t, u)];
    for (const x of [a, b]) await x.get('/login/totp');
    const results = await Promise.all([a, b].map((x) => x.request('POST', '/login/totp', { form: { code: next, _csrf: x.lastCsrf! } })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 400]);
  });

  it('spends a recovery code once, also when two sessions send it at the same moment', async () => {
    const u = await makeUser(t, { username: 'recovering', roles: ['vmt'] });
    await t.ctx.storage.db.insertInto('recovery_codes').values({ user_id: u.user.id, code_hash: recoveryCodeHash('pqrs-tuvw-xyz2'), used_at: null }).execute();
    const [a, b] = [await passwordStep(t, u), await passwordStep(t, u)];
    for (const x of [a, b]) await x.get('/login/totp');
    const results = await Promise.all([a, b].map((x) => x.request('POST', '/login/totp', { form: { code: 'pqrs-tuvw-xyz2', _csrf: x.lastCsrf! } })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 400]);
  });

  it('answers wrong passwords the same for existing and unknown accounts, with delays, never a lock (item 8)', async () => {
    await makeUser(t, { username: 'enumerated', totp: false });
    const probe = async (name: string) => {
      const c = new TestClient(t);
      const out: { status: number; retry: unknown; body: string }[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await c.post('/login', { login: name, password: 'not the password' }, '/login');
        out.push({ status: r.statusCode, retry: r.headers['retry-after'], body: comparable(r.body, name) });
      }
      return out;
    };
    const known = await probe('enumerated');
    const unknown = await probe('never-registered');
    expect(known.map((k) => k.status)).toEqual([400, 400, 400, 400, 429, 429, 429, 429]);
    expect(unknown).toEqual(known);
    expect(known.some((k) => /locked/i.test(k.body))).toBe(false);
  });

  it('does not let an attacker keep the VMT out: known devices pass, a new device waits at most a minute (item 8)', async () => {
    const vmt = await makeUser(t, { username: 'vmtowner', roles: ['vmt'] });
    const laptop = new TestClient(t);
    await laptop.signIn(vmt);
    await laptop.post('/logout', {});
    // A botnet: many addresses, each a few wrong passwords, for as long as it likes.
    for (let i = 0; i < 15; i++) {
      const bot = new TestClient(t);
      for (let j = 0; j < 4; j++) await bot.post('/login', { login: 'vmtowner', password: `guess ${i} ${j}` }, '/login');
    }
    const fromAnywhere = await new TestClient(t).post('/login', { login: 'vmtowner', password: TEST_PASSWORD }, '/login');
    expect(fromAnywhere.statusCode).toBe(429);
    // The owner's own browser (a signed known-device cookie from an earlier full sign-in) gets straight in,
    // from another address too.
    const travelling = new TestClient(t);
    travelling.cookies.set('cordon_device', laptop.cookies.get('cordon_device')!);
    await travelling.signIn(vmt);
    expect(JSON.parse((await travelling.get('/api/v1/me', 'application/json')).body).username).toBe('vmtowner');
    // A forged or another account's device cookie counts for nothing.
    const forged = new TestClient(t);
    forged.cookies.set('cordon_device', laptop.cookies.get('cordon_device')!.replace(/^u\d+/, 'u1'));
    expect((await forged.post('/login', { login: 'vmtowner', password: TEST_PASSWORD }, '/login')).statusCode).toBe(429);
    // On a new device the wait is the account's gentle global delay: at most a minute.
    expect(Number(fromAnywhere.headers['retry-after'])).toBeLessThanOrEqual(60);
    t.clock.advance(Number(fromAnywhere.headers['retry-after']) * 1000);
    await new TestClient(t).signIn(vmt);
  });

  it('shares limits between app nodes on one database', async () => {
    const nodeB = await secondNode(t);
    try {
      await makeUser(t, { username: 'twonodes', totp: false });
      const onA = new TestClient(t);
      const onB = sameBrowserOn(nodeB, onA);
      // The per-route limits (/password/forgot: 5 a minute per address) count requests to both nodes.
      const r = new TestClient(t);
      const rB = sameBrowserOn(nodeB, r);
      const statuses: number[] = [];
      for (const c of [r, rB, r, rB, r, rB]) statuses.push((await c.post('/password/forgot', { email: 'someone@example.org' }, '/password/forgot')).statusCode);
      expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
      // So do wrong passwords split over two nodes.
      for (const c of [onA, onB, onA, onB]) expect((await c.post('/login', { login: 'twonodes', password: 'wrong one' }, '/login')).statusCode).toBe(400);
      expect((await onA.post('/login', { login: 'twonodes', password: TEST_PASSWORD }, '/login')).statusCode).toBe(429);
    } finally {
      await nodeB.closeNode();
    }
  });

  it('answers a bad bearer token on an HTML page with 401, not a redirect to sign in (item 10)', async () => {
    const res = await t.app.inject({ url: '/account', headers: { authorization: 'Bearer not-a-token', accept: 'text/html' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const api = await t.app.inject({ url: '/api/v1/me', headers: { authorization: 'Bearer not-a-token' } });
    expect(api.statusCode).toBe(401);
  });
});
