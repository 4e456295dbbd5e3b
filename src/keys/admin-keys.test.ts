// The team key in the browser (issue 15 item 2): /admin/keys through the real HTTP stack on both databases,
// with keys made by the real GnuPG — generate (user id from the current instance name and team address),
// import (a secret key that unlocks and can sign and encrypt; every bad key refused clearly, nothing
// stored), replace behind the confirmation step, the PGP_PASSPHRASE explanation, placeholder and
// mismatched addresses, and who may see or change any of it.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecretKeyAtRest, unlockSecretKey } from '../pgp/team-key.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { formatFingerprint } from './public-keys.js';
import { listTeamKeys } from './team-keys.js';

const PASSPHRASE = 'admin key page passphrase';

describe.each(testDialects())('the team key page on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let admin: TestClient;
  let vmt: TestClient;
  let plain: TestClient;
  const fpr: Record<string, string> = {};
  const keys = () => listTeamKeys(t.ctx.storage.db);
  const auditActions = async () => (await t.ctx.storage.db.selectFrom('audit_events').select('action').orderBy('id').execute()).map((e) => e.action);

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: PASSPHRASE, instanceName: 'Widget Security', teamEmail: 'security@widget.example.org', mailFrom: 'Widget VMT <security@widget.example.org>' });
    gpg = new TempGnupg();
    fpr.old = gpg.generateKey({ uid: 'Old Team <security@localhost>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    fpr.signOnly = gpg.generateKey({ uid: 'Sign Only <so@example.org>', algo: 'ed25519' });
    // After GnuPG made its keys, so that their signatures are not in the future of the test clock.
    t.clock.set(new Date(Date.now() + 1000));
    admin = await signedInClient(t, await makeUser(t, { username: 'admin', roles: ['admin'] }));
    vmt = await signedInClient(t, await makeUser(t, { username: 'vmt', roles: ['vmt'] }));
    plain = await signedInClient(t, await makeUser(t, { username: 'plain', totp: false }));
  });
  afterAll(async () => {
    gpg?.cleanup();
    await t?.close();
  });

  it('is for admins (and the VMT, read-only); others get a 404, anonymous callers the sign-in', async () => {
    expect((await plain.get('/admin/keys')).statusCode).toBe(404);
    expect((await plain.post('/admin/keys/generate', { algorithm: 'ed25519' })).statusCode).toBe(404);
    const anonymous = await new TestClient(t).get('/admin/keys');
    expect(anonymous.statusCode === 401 || (anonymous.statusCode === 303 && String(anonymous.headers.location).startsWith('/login'))).toBe(true);
    const page = await vmt.get('/admin/keys');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No team key yet');
    expect(page.body).not.toContain('action="/admin/keys/generate"');
    expect((await vmt.post('/admin/keys/generate', { algorithm: 'ed25519' }, '/admin/keys')).statusCode).toBe(404);
    expect(await keys()).toEqual([]);
  });

  it('without PGP_PASSPHRASE says which variable and why, and refuses to generate; nothing is stored', async () => {
    t.ctx.config.pgpPassphrase = undefined;
    try {
      const page = await admin.get('/admin/keys');
      expect(page.body).toContain('PGP_PASSPHRASE is not usable');
      expect(page.body).toMatch(/encrypted under the passphrase in the environment variable <code>PGP_PASSPHRASE<\/code>/);
      expect(page.body).toContain('Set PGP_PASSPHRASE first');
      expect(page.body).not.toContain('action="/admin/keys/generate"');
      const res = await admin.post('/admin/keys/generate', { algorithm: 'ed25519' }, '/admin/keys');
      expect(res.statusCode).toBe(412);
      expect(res.body).toContain('Set PGP_PASSPHRASE in the environment (at least 12 characters) first');
      expect(await keys()).toEqual([]);
    } finally {
      t.ctx.config.pgpPassphrase = PASSPHRASE;
    }
    expect((await admin.get('/admin/keys')).body).toContain('PGP_PASSPHRASE is set');
  });

  it('refuses a public key, a key that cannot receive encrypted mail, a wrong passphrase and garbage, clearly; nothing is stored', async () => {
    const tryImport = async (key: string, keyPassphrase = '') => admin.post('/admin/keys/import', { key, key_passphrase: keyPassphrase }, '/admin/keys');
    const cases: [string, Awaited<ReturnType<typeof tryImport>>, RegExp][] = [
      ['empty', await tryImport(''), /Paste the ASCII-armored secret key/],
      ['public', await tryImport(gpg.exportPublic(fpr.old!).toString('utf8')), /This is a public key/],
      ['sign-only', await tryImport(gpg.exportSecret(fpr.signOnly!)), /cannot receive encrypted mail/],
      ['garbage', await tryImport('-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nnot a key\n-----END PGP PRIVATE KEY BLOCK-----\n'), /key/i],
      ['wrong passphrase', await tryImport(await encryptSecretKeyAtRest(gpg.exportSecret(fpr.old!), 'the owner’s own passphrase'), 'not the passphrase at all'), /passphrase does not unlock this secret key/],
    ];
    for (const [name, res, message] of cases) {
      expect(res.statusCode, name).toBe(400);
      expect(res.body, name).toMatch(message);
      expect(res.body, name).toContain('class="error-summary"');
      // The secret key is never written back into the page.
      expect(res.body, name).not.toContain('PRIVATE KEY BLOCK');
    }
    expect(await keys()).toEqual([]);
    expect(await auditActions()).not.toContain('team_key.imported');
  });

  it('imports a protected secret key with its own passphrase and stores it under PGP_PASSPHRASE; a key for another address is flagged', async () => {
    const protectedKey = await encryptSecretKeyAtRest(gpg.exportSecret(fpr.old!), 'the owner’s own passphrase');
    const res = await admin.post('/admin/keys/import', { key: protectedKey, key_passphrase: 'the owner’s own passphrase' }, '/admin/keys');
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/admin/keys');
    const [row] = await keys();
    expect(row).toMatchObject({ fingerprint: fpr.old, status: 'current', source: 'imported' });
    await expect(unlockSecretKey(row!.secret_key, PASSPHRASE)).resolves.toBeTruthy();
    expect(await auditActions()).toContain('team_key.imported');
    const page = await admin.get('/admin/keys');
    expect(page.body).toContain(formatFingerprint(fpr.old!));
    expect(page.body).toContain('This key does not name the team address security@widget.example.org');
    expect(page.body).toContain('Make a new key for security@widget.example.org');
    expect(page.body).toContain('href="/keys/team.asc"');
    // A second key cannot sneak in beside the current one: replacing goes through the confirmation step.
    const again = await admin.post('/admin/keys/generate', { algorithm: 'ed25519' }, '/admin/keys');
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Replace it at /admin/keys');
    expect(await keys()).toHaveLength(1);
  });

  it('replaces the key only with a confirmation and a reason; the new key names the current instance and team address', async () => {
    const confirm = await admin.get('/admin/keys/replace');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Widget Security Team &lt;security@widget.example.org&gt;');
    const refused = await admin.post('/admin/keys/replace', { mode: 'generate', algorithm: 'ed25519', reason: '' }, '/admin/keys/replace');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('tick the box to confirm');
    expect(await keys()).toHaveLength(1);
    expect((await vmt.post('/admin/keys/replace', { mode: 'generate', confirm: 'yes', reason: 'x' }, '/admin/keys')).statusCode).toBe(404);

    const done = await admin.post('/admin/keys/replace', { mode: 'generate', algorithm: 'ed25519', confirm: 'yes', reason: 'The key named security@localhost.' }, '/admin/keys/replace');
    expect(done.statusCode, done.body).toBe(303);
    const rows = await keys();
    const current = rows.find((k) => k.status === 'current')!;
    expect(JSON.parse(current.user_ids)).toEqual(['Widget Security Team <security@widget.example.org>']);
    expect(rows.find((k) => k.fingerprint === fpr.old)?.status).toBe('retired');
    const revocation = path.join(t.ctx.config.dataDir, `team-key-${current.fingerprint}.rev`);
    expect(existsSync(revocation)).toBe(true);
    expect(statSync(revocation).mode & 0o777).toBe(0o600);
    const retired = await t.ctx.storage.db.selectFrom('audit_events').select('after_json').where('action', '=', 'team_key.retired').executeTakeFirstOrThrow();
    expect(retired.after_json).toContain('The key named security@localhost.');

    const page = await admin.get('/admin/keys');
    expect(page.body).not.toContain('does not name the team address');
    expect(page.body).toContain('Retired keys');
    const vmtPage = await vmt.get('/admin/keys');
    expect(vmtPage.body).toContain(formatFingerprint(current.fingerprint));
    expect(vmtPage.body).not.toContain('href="/admin/keys/replace"');
  });

  it('says so when the team and From addresses are placeholders, naming the user id a new key would get', async () => {
    const saved = { teamEmail: t.ctx.config.teamEmail, mailFrom: t.ctx.config.mailFrom };
    Object.assign(t.ctx.config, { teamEmail: 'security@localhost', mailFrom: 'Cordon <security@localhost>' });
    try {
      const page = await admin.get('/admin/keys');
      expect(page.body).toContain('The addresses are placeholders.');
      expect(page.body).toMatch(/set MAIL_FROM to the team(&#39;|')s real address/);
      expect(page.body).toContain('set TEAM_EMAIL');
    } finally {
      Object.assign(t.ctx.config, saved);
    }
  });
});
