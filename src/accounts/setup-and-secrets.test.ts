// Issue 13 (accounts) and issue 21 item 5: the first-admin setup link under races and several nodes,
// registration that does not reveal addresses, and secrets sealed at rest with a key kept outside the
// database — on both databases, through HTTP, with real concurrent starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createTestApp, makeUser, TestClient, TEST_PASSWORD, unusedTotpCode, type TestApp } from '../testing/harness.js';
import { childEnv, createTestStorage, testDialects } from '../testing/databases.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { testConfig } from '../config/config.js';
import { openContext } from '../server.js';
import { repoPath } from '../testing/fixture-files.js';
import { sha256Hex } from './secrets.js';
import { openStorage } from '../storage/database.js';
import { KEY_FILE, newKeyText, SecretsKeyError } from '../storage/sealing.js';
import { instanceSecret } from '../storage/instance-secrets.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { ensureSetupLink, SETUP_LINK_REUSE_MS } from './invites.js';
import { prepareSecrets, rotateSecrets } from './secrets-at-rest.js';
import { currentTotp, newTotpSecret } from './totp.js';

async function outbox(t: TestApp): Promise<string[]> {
  await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
  const dir = path.join(t.ctx.config.dataDir, 'outbox');
  return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, '')) : [];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Everything a process wrote until `pattern` shows up in its output (or it exits). */
function outputUntil(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const take = (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) resolve(out);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', () => resolve(out));
  });
}

const account = (username: string) => ({ username, display_name: `Admin ${username}`, email: `${username}@example.org`, password: 'a very long passphrase' });

describe.each(testDialects())('first-run setup on %s', (dialect) => {
  it('makes exactly one admin from six parallel posts of the setup link (item 6)', async () => {
    const t = await createTestApp(dialect);
    try {
      const link = new URL((await ensureSetupLink(t.system))!).pathname;
      const clients = Array.from({ length: 6 }, () => new TestClient(t));
      for (const c of clients) await c.get(link);
      const results = await Promise.all(clients.map((c, i) => c.request('POST', link, { form: { ...account(`racer${i}`), _csrf: c.lastCsrf! } })));
      expect(results.filter((r) => r.statusCode === 303)).toHaveLength(1);
      expect(results.filter((r) => r.statusCode === 404)).toHaveLength(5);
      expect(await t.ctx.storage.db.selectFrom('users').select('id').execute()).toHaveLength(1);
      expect(await t.ctx.storage.db.selectFrom('user_roles').select('role').where('role', '=', 'admin').execute()).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('answers 404 on a live setup link once any account exists (items 6 and 10)', async () => {
    const t = await createTestApp(dialect);
    try {
      const link = new URL((await ensureSetupLink(t.system))!).pathname;
      await makeUser(t, { username: 'someone', totp: false });
      const c = new TestClient(t);
      expect((await c.get(link)).statusCode).toBe(404);
      const post = await c.post(link, account('late'), '/login');
      expect(post.statusCode).toBe(404);
      expect(await t.ctx.storage.db.selectFrom('users').select('id').where('username', '=', 'late').execute()).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  it('prints one setup link when two app nodes start together on an empty database (issue 21 item 5)', async () => {
    const db = await createTestStorage(dialect);
    try {
      // Two real `cordon serve` processes on one database, started at the same moment.
      const ports = [await freePort(), await freePort()];
      const nodes = ports.map((port) =>
        spawn(process.execPath, [repoPath('bin', 'cordon.js'), 'serve', '--no-worker'], {
          env: childEnv(db, { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: 'http://cordon.test', LOG_LEVEL: 'info' }),
          cwd: repoPath(),
        }),
      );
      const outputs = await Promise.all(nodes.map((n) => outputUntil(n, /Cordon is serving/)));
      for (const n of nodes) n.kill('SIGTERM');
      for (const out of outputs) expect(out).toMatch(/Cordon is serving/);
      await Promise.all(nodes.map((n) => new Promise((resolve) => (n.exitCode !== null ? resolve(null) : n.once('exit', resolve)))));
      const links = outputs.join('').match(/\/setup\/[A-Za-z0-9_-]{43}/g) ?? [];
      expect(links).toHaveLength(1);
      const live = await db.storage.db.selectFrom('invites').select('token_hash').where('purpose', '=', 'setup').where('used_at', 'is', null).execute();
      expect(live.map((l) => l.token_hash)).toEqual([sha256Hex(links[0]!.slice('/setup/'.length))]);
    } finally {
      await db.cleanup();
    }
  });

  it('on a later start with no account yet, issues a fresh link that retires the old one', async () => {
    const t = await createTestApp(dialect);
    try {
      const first = new URL((await ensureSetupLink(t.system))!).pathname;
      // Within the window a second start (another node) issues nothing.
      expect(await ensureSetupLink(t.system)).toBeNull();
      t.clock.advance(SETUP_LINK_REUSE_MS + 1000);
      const second = new URL((await ensureSetupLink(t.system))!).pathname;
      expect(second).not.toBe(first);
      expect((await new TestClient(t).get(first)).statusCode).toBe(404);
      expect((await new TestClient(t).get(second)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.each(testDialects())('registration and secrets at rest on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('answers registration the same for known and unknown addresses, and tells the owner by mail (item 8)', async () => {
    await makeUser(t, { username: 'existing', totp: false });
    const ask = async (email: string) => {
      const c = new TestClient(t);
      const r = await c.post('/register', { email }, '/register');
      return { status: r.statusCode, location: r.headers.location, body: r.body, flash: c.cookies.get('cordon_flash') !== undefined };
    };
    const known = await ask('existing@example.org');
    const unknown = await ask('newcomer@example.org');
    expect(known).toEqual(unknown);
    expect(known.status).toBe(303);
    expect(await t.ctx.storage.db.selectFrom('users').select('id').where('email', '=', 'newcomer@example.org').execute()).toHaveLength(0);
    const mail = await outbox(t);
    expect(mail.find((m) => m.includes('To: existing@example.org'))).toContain('which already has one (username existing)');
    expect(mail.find((m) => m.includes('To: newcomer@example.org'))).toMatch(/\/invite\/[A-Za-z0-9_-]{43}/);
  });

  it('stores TOTP seeds and instance secrets sealed, not in clear', async () => {
    const u = await makeUser(t, { username: 'sealed', totp: false });
    const c = new TestClient(t);
    await c.signIn(u);
    await c.post('/account/totp/start', {}, '/account/security');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec((await c.get('/account/security')).body)![1]!;
    const stored = (await t.ctx.storage.db.selectFrom('users').select('totp_secret').where('id', '=', u.user.id).executeTakeFirstOrThrow()).totp_secret!;
    expect(stored).toMatch(/^sealed:v1:[0-9a-f]{12}:/);
    expect(stored).not.toContain(secret);
    expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
    expect((await c.post('/account/totp/confirm', { code: currentTotp(secret, t.clock.now()) }, '/account/security')).statusCode).toBe(303);
    for (const row of await t.ctx.storage.db.selectFrom('instance_secrets').select(['name', 'value']).execute()) {
      expect(row.value).toMatch(/^sealed:v1:/);
      expect(row.value).not.toContain(await instanceSecret(t.ctx.storage, row.name));
    }
    const keyFile = path.join(t.ctx.config.dataDir, KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('refuses to start with another instance key, saying how to fix it (a dump alone is not enough)', async () => {
    await prepareSecrets(t.ctx.storage);
    const env = childEnv(t.db);
    // Same database (for SQLite the file is in DATA_DIR), another key: SECRETS_KEY wins over the key file.
    const config = testConfig({ dataDir: t.db.dataDir, databaseUrl: env.DATABASE_URL, secretsKey: newKeyText() });
    const error = await openContext(config).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretsKeyError);
    expect(String((error as Error).message)).toMatch(/sealed with instance key [0-9a-f]{12}, but this node has [0-9a-f]{12}.*SECRETS_KEY/);
    // The same with the storage alone: a TOTP seed from the dump does not open.
    const foreign = openStorage({ databaseUrl: t.db.databaseUrl, dataDir: t.db.dataDir, secretsKey: newKeyText(), ...(t.db.pgSchema ? { pgSchema: t.db.pgSchema } : {}) });
    try {
      const row = await foreign.db.selectFrom('users').select('totp_secret').where('totp_secret', 'is not', null).executeTakeFirstOrThrow();
      expect(() => foreign.secrets.open('users.totp_secret', row.totp_secret!)).toThrow(SecretsKeyError);
    } finally {
      await foreign.close();
    }
  });

  it('seals secrets stored in clear before this version, at start, and sign-in keeps working', async () => {
    const u = await makeUser(t, { username: 'legacy', totp: false });
    const secret = newTotpSecret();
    await t.ctx.storage.db.updateTable('users').set({ totp_secret: secret, totp_enabled_at: t.clock.now().toISOString() }).where('id', '=', u.user.id).execute();
    await t.ctx.storage.db.insertInto('instance_secrets').values({ name: 'legacy_key', value: 'clear-value', created_at: t.clock.now().toISOString() }).execute();
    const { sealed } = await prepareSecrets(t.ctx.storage);
    expect(sealed).toBeGreaterThanOrEqual(1);
    const stored = (await t.ctx.storage.db.selectFrom('users').select('totp_secret').where('id', '=', u.user.id).executeTakeFirstOrThrow()).totp_secret!;
    expect(stored).toMatch(/^sealed:v1:/);
    expect(stored).not.toContain(secret);
    expect(await instanceSecret(t.ctx.storage, 'legacy_key')).toBe('clear-value');
    await new TestClient(t).signIn({ user: u.user, totpSecret: secret });
  });

  it('rotates the instance key: everything is re-sealed, old keys leave the key file, sign-in works', async () => {
    const u = await makeUser(t, { username: 'rotated', roles: ['vmt'] });
    const before = t.ctx.storage.secrets.currentKeyId;
    const { keyId, resealed } = await rotateSecrets(t.system);
    expect(keyId).not.toBe(before);
    expect(resealed).toBeGreaterThanOrEqual(3);
    const values = [
      ...(await t.ctx.storage.db.selectFrom('users').select('totp_secret').where('totp_secret', 'is not', null).execute()).map((r) => r.totp_secret!),
      ...(await t.ctx.storage.db.selectFrom('instance_secrets').select('value').execute()).map((r) => r.value),
    ];
    for (const v of values) expect(v.startsWith(`sealed:v1:${keyId}:`)).toBe(true);
    expect(t.ctx.storage.secrets.keyIds).toEqual([keyId]);
    expect(readFileSync(path.join(t.ctx.config.dataDir, KEY_FILE), 'utf8').trim().split('\n')).toHaveLength(1);
    const c = new TestClient(t);
    const res = await c.post('/login', { login: 'rotated', password: TEST_PASSWORD }, '/login');
    expect(res.statusCode).toBe(303);
    expect((await c.post('/login/totp', { code: await unusedTotpCode(t, u) }, '/login/totp')).statusCode).toBe(303);
  });
});

describe.each(testDialects())('cordon secrets on %s', (dialect) => {
  const cordon = (db: Awaited<ReturnType<typeof createTestStorage>>, args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), ...args], { env: childEnv(db, env), encoding: 'utf8', cwd: repoPath() });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('rotates the key from the command line, and a node with another key stops with a clear message', async () => {
    const db = await createTestStorage(dialect);
    try {
      const status = cordon(db, ['secrets', 'status']);
      expect(status.code).toBe(0);
      const before = /current key ([0-9a-f]{12})/.exec(status.out)![1]!;
      expect(db.storage.secrets.currentKeyId).toBe(before);
      const secret = newTotpSecret();
      const made = cordon(db, ['user', 'create', '--username', 'keyed', '--email', 'keyed@example.org', '--name', 'Keyed']);
      expect(made.code).toBe(0);
      await db.storage.db.updateTable('users').set({ totp_secret: db.storage.secrets.seal('users.totp_secret', secret) }).where('username', '=', 'keyed').execute();
      const rotated = cordon(db, ['secrets', 'rotate']);
      expect(rotated.code).toBe(0);
      const after = /under key ([0-9a-f]{12})/.exec(rotated.out)![1]!;
      expect(after).not.toBe(before);
      const stored = (await db.storage.db.selectFrom('users').select('totp_secret').where('username', '=', 'keyed').executeTakeFirstOrThrow()).totp_secret!;
      expect(stored.startsWith(`sealed:v1:${after}:`)).toBe(true);
      // This process notices the rotated key file and opens the re-sealed value.
      expect(db.storage.secrets.open('users.totp_secret', stored)).toBe(secret);
      const wrong = cordon(db, ['secrets', 'status'], { SECRETS_KEY: newKeyText() });
      expect(wrong.code).toBe(1);
      expect(wrong.err).toMatch(new RegExp(`Cordon cannot open its stored secrets: .*sealed with instance key ${after}`));
      const malformed = cordon(db, ['secrets', 'status'], { SECRETS_KEY: 'too-short' });
      expect(malformed.code).toBe(1);
      expect(malformed.err).toContain('SECRETS_KEY: is not base64 of 32 random bytes.');
    } finally {
      await db.cleanup();
    }
  });
});
