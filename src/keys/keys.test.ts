// The team key (generated, imported, rotated; stored only passphrase-protected) and people's public keys
// (users on their account page, stakeholder contacts), checked against keys made by the real GnuPG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessage, encrypt, readKey } from 'openpgp';
import { AppError } from '../errors/catalogue.js';
import { decryptMessage } from '../pgp/decrypt.js';
import { readSingleSecretKey } from '../pgp/read.js';
import { encryptSecretKeyAtRest, unlockSecretKey } from '../pgp/team-key.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { addContact, createOrg } from '../stakeholders/stakeholders.js';
import { createTestApp, makeUser, signedInClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { checkRecipientPublicKey, formatFingerprint, setUserKey, userKeyOf } from './public-keys.js';
import { currentTeamKey, generateAndStoreTeamKey, importTeamKey, listTeamKeys, requirePassphrase, unlockTeamKeys } from './team-keys.js';

const PASSPHRASE = 'team key test passphrase';

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe.each(testDialects())('team and public keys on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  const fpr: Record<string, string> = {};
  const pub = (name: string) => gpg.exportPublic(fpr[name] ?? '').toString('utf8');

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: PASSPHRASE, teamEmail: 'security@example.org' });
    gpg = new TempGnupg();
    fpr.alice = gpg.generateKey({ uid: 'Alice <alice@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    fpr.signOnly = gpg.generateKey({ uid: 'Sign Only <so@example.org>', algo: 'ed25519' });
    fpr.weak = gpg.generateKey({ uid: 'Weak <weak@example.org>', algo: 'rsa1024', encryptionAlgo: 'rsa1024' });
    fpr.expired = gpg.generateKey({ uid: 'Expired <expired@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519', expire: '1y', fakedTime: '20200101T000000' });
    fpr.revoked = gpg.generateKey({ uid: 'Revoked <revoked@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    gpg.revoke(fpr.revoked);
    fpr.imported = gpg.generateKey({ uid: 'Imported VMT <security@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    t.clock.set(new Date());
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('refuses to create or import a team key without PGP_PASSPHRASE, saying how to fix it', async () => {
    const noPassphrase = { ...t.system, app: { ...t.ctx, config: { ...t.ctx.config, pgpPassphrase: undefined } } };
    const error = await refusal(generateAndStoreTeamKey(noPassphrase, {}));
    expect(error.message).toMatch(/^Set PGP_PASSPHRASE in the environment \(at least 12 characters\)/);
    expect((await refusal(importTeamKey(noPassphrase, gpg.exportSecret(fpr.imported!)))).message).toContain('PGP_PASSPHRASE');
    expect(() => requirePassphrase({ pgpPassphrase: 'short' })).toThrow(/too short/);
    expect(await listTeamKeys(t.ctx.storage.db)).toEqual([]);
  });

  it('generates a v4 ed25519/cv25519 team key, stored encrypted under the passphrase', async () => {
    const { fingerprint, revocationCertificate } = await generateAndStoreTeamKey(t.system, { name: 'Example VMT', email: 'security@example.org' });
    expect(revocationCertificate).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    const [row] = await listTeamKeys(t.ctx.storage.db);
    expect(row).toMatchObject({ fingerprint, status: 'current', source: 'generated', algorithm: 'ed25519', user_ids: '["Example VMT <security@example.org>"]', expires_at: null });
    const stored = await readSingleSecretKey(row!.secret_key);
    expect(stored.isDecrypted()).toBe(false);
    await expect(unlockSecretKey(row!.secret_key, 'not the passphrase')).rejects.toThrow(/passphrase does not unlock/);
    const publicKey = await readKey({ armoredKey: row!.public_key });
    expect(publicKey.keyPacket.version).toBe(4);
    // GnuPG sees the same key: ed25519 primary, cv25519 encryption subkey.
    gpg.importKey(row!.public_key);
    const listing = gpg.ok(['--with-colons', '--list-keys', fingerprint]).toString('utf8');
    expect(listing).toMatch(/^pub:[^:]*:255:22:/m);
    expect(listing).toMatch(/^sub:[^:]*:255:18:.*:e:/m);
  });

  it('refuses a second init; rotation keeps the old key, retired, for decrypting old mail', async () => {
    expect((await refusal(generateAndStoreTeamKey(t.system, {}))).message).toMatch(/already exists .* Replace it at \/admin\/keys or with `cordon keys rotate`/);
    const old = (await currentTeamKey(t.ctx.storage.db))!;
    const toOld = (await encrypt({ message: await createMessage({ text: 'old mail' }), encryptionKeys: await readKey({ armoredKey: old.public_key }), format: 'binary' })) as Uint8Array;
    const { fingerprint } = await generateAndStoreTeamKey(t.system, {}, true);
    const keys = await listTeamKeys(t.ctx.storage.db);
    expect(keys.map((k) => [k.fingerprint, k.status])).toEqual([[fingerprint, 'current'], [old.fingerprint, 'retired']]);
    // The new key keeps the team's name and address.
    expect(keys[0]!.user_ids).toBe('["Example VMT <security@example.org>"]');
    const unlocked = await unlockTeamKeys(t.ctx.storage.db, t.ctx.config);
    expect(unlocked.signing?.getFingerprint().toUpperCase()).toBe(fingerprint);
    expect(unlocked.decryption).toHaveLength(2);
    const opened = await decryptMessage(toOld, { secretKeys: unlocked.decryption, knownPublicKeys: [], maxPlaintextBytes: 1000 });
    expect(Buffer.from(opened.data).toString()).toBe('old mail');
  });

  it('imports an existing secret key; a public key, an unusable key or a foreign passphrase are refused clearly', async () => {
    expect((await refusal(importTeamKey(t.system, pub('alice'), { rotate: true }))).message).toMatch(/This is a public key/);
    expect((await refusal(importTeamKey(t.system, gpg.exportSecret(fpr.signOnly!), { rotate: true }))).message).toMatch(/cannot receive encrypted mail: The key has no encryption subkey/);
    expect((await refusal(importTeamKey(t.system, gpg.exportSecret(fpr.expired!), { rotate: true }))).message).toMatch(/cannot sign mail: .*expired/);
    const protectedKey = await encryptSecretKeyAtRest(gpg.exportSecret(fpr.imported!), 'the owner’s own passphrase');
    expect((await refusal(importTeamKey(t.system, protectedKey, { rotate: true }))).message).toMatch(/passphrase does not unlock this secret key. Give the key’s own passphrase/);
    const { fingerprint } = await importTeamKey(t.system, protectedKey, { rotate: true, keyPassphrase: 'the owner’s own passphrase' });
    expect(fingerprint).toBe(fpr.imported);
    const row = (await currentTeamKey(t.ctx.storage.db))!;
    expect(row.source).toBe('imported');
    // Re-protected under PGP_PASSPHRASE, never stored unlocked.
    await expect(unlockSecretKey(row.secret_key, PASSPHRASE)).resolves.toBeTruthy();
    expect((await refusal(importTeamKey(t.system, gpg.exportSecret(fpr.imported!), { rotate: true }))).message).toMatch(/already one of the team keys/);
    // Binary secret keys are accepted too.
    const binary = gpg.ok(['--export-secret-keys', fpr.alice!]);
    expect((await importTeamKey(t.system, new Uint8Array(binary), { rotate: true })).fingerprint).toBe(fpr.alice);
  });

  it('checks public keys: armored or binary, public only, usable for encryption', async () => {
    const now = t.clock.now();
    const armored = await checkRecipientPublicKey(pub('alice'), 'key', now);
    expect(armored.inspection).toMatchObject({ fingerprint: fpr.alice, userIds: ['Alice <alice@example.org>'] });
    const binary = await checkRecipientPublicKey(new Uint8Array(gpg.exportPublic(fpr.alice!, false)), 'key', now);
    expect(binary.armored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    const why = async (input: string) => (await refusal(checkRecipientPublicKey(input, 'key', now))).fields[0]?.message ?? '';
    expect(await why(gpg.exportSecret(fpr.alice!))).toMatch(/That is a secret \(private\) key/);
    expect(await why(pub('expired'))).toMatch(/Mail cannot be encrypted to this key: .*expired/);
    expect(await why(pub('revoked'))).toMatch(/revoked/);
    expect(await why(pub('weak'))).toMatch(/too weak: RSA keys need at least 2048 bits/);
    expect(await why(pub('signOnly'))).toMatch(/no encryption subkey/);
    expect(await why('hello')).toMatch(/not an ASCII-armored OpenPGP key/);
    expect(await why(pub('alice').slice(0, 200))).toMatch(/truncated|not valid/);
    expect(await why(`${pub('alice')}\n${pub('weak')}`)).toMatch(/Expected one key but found 2/);
  });

  it('stakeholder contacts’ keys are inspected when added', async () => {
    const org = await createOrg(t.system, { name: 'Distro' });
    const bad = await refusal(addContact(t.system, org, { kind: 'list', name: 'Sec', email: 'sec@distro.example', pgpPublicKey: pub('expired') }));
    expect(bad.fields).toEqual([{ field: 'pgp_public_key', message: expect.stringMatching(/expired/) }]);
    await addContact(t.system, org, { kind: 'list', name: 'Sec', email: 'sec@distro.example', wantsEncryption: true, pgpPublicKey: pub('alice') });
    const row = await t.ctx.storage.db.selectFrom('stakeholder_contacts').select('pgp_public_key').where('email', '=', 'sec@distro.example').executeTakeFirstOrThrow();
    expect(row.pgp_public_key).toContain('BEGIN PGP PUBLIC KEY BLOCK');
  });

  it('users paste, replace and remove their key on their account page, and see what it is', async () => {
    const user = await makeUser(t, { username: 'keyowner', totp: false });
    const client = await signedInClient(t, user);
    expect((await client.get('/account/pgp-key')).body).toContain('No key on file.');
    const refused = await client.post('/account/pgp-key', { public_key: pub('expired') }, '/account/pgp-key');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/Mail cannot be encrypted to this key: .*expired/);
    const saved = await client.post('/account/pgp-key', { public_key: pub('alice') }, '/account/pgp-key');
    expect(saved.statusCode).toBe(303);
    const page = await client.get('/account/pgp-key');
    expect(page.body).toContain(formatFingerprint(fpr.alice!));
    expect(page.body).toContain('Alice &lt;alice@example.org&gt;');
    expect(page.body).toContain('ed25519 / cv25519');
    expect(page.body).toMatch(/badge ok">usable/);
    const api = JSON.parse((await client.json('GET', '/api/v1/me/pgp-key')).body) as { key: { fingerprint: string; usable_for_encryption: boolean; expires: string | null } };
    expect(api.key).toMatchObject({ fingerprint: fpr.alice, usable_for_encryption: true, expires: null });
    const replaced = await client.json('PUT', '/api/v1/me/pgp-key', { public_key: pub('weak') });
    expect(replaced.statusCode).toBe(400);
    expect(replaced.body).toContain('too weak');
    expect((await client.post('/account/pgp-key/remove', {}, '/account/pgp-key')).statusCode).toBe(303);
    expect(await userKeyOf(t.ctx.storage.db, user.user.id)).toBeUndefined();
    await setUserKey(t.system, user.user.id, pub('alice'));
    expect(JSON.parse((await client.json('DELETE', '/api/v1/me/pgp-key')).body)).toEqual({ removed: true });
  });
});
