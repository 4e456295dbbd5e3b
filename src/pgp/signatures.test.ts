// Signing, verifying and decrypting, checked both ways against the real GnuPG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Key, PrivateKey } from 'openpgp';
import { decryptMessage } from './decrypt.js';
import { encryptAndSign } from './encrypt.js';
import { PgpError } from './errors.js';
import { readKeyring, readSingleKey } from './read.js';
import { clearSignText, detachedSignature, signMimeEntity } from './sign.js';
import { generateTeamKey, unlockSecretKey } from './team-key.js';
import { TempGnupg } from './testing/gnupg.js';
import { verifyClearSigned, verifyDetachedSignature } from './verify.js';

const passphrase = 'team passphrase for tests';
let gpg: TempGnupg;
let teamKey: PrivateKey;
let oldTeamKey: PrivateKey;
let teamPublic: string;
let reporterFpr: string;
let revokedFpr: string;
let strangerFpr: string;
let known: Key[];
let signedBeforeRevocation: string;

beforeAll(async () => {
  gpg = new TempGnupg();
  const team = await generateTeamKey({ name: 'VMT', email: 'vmt@example.org', passphrase });
  const old = await generateTeamKey({ name: 'VMT 2019', email: 'vmt@example.org', passphrase });
  teamKey = await unlockSecretKey(team.secretKeyArmored, passphrase);
  oldTeamKey = await unlockSecretKey(old.secretKeyArmored, passphrase);
  teamPublic = team.publicKeyArmored;
  gpg.importKey(team.publicKeyArmored);
  gpg.importKey(old.publicKeyArmored);
  reporterFpr = gpg.generateKey({ uid: 'Reporter <reporter@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  revokedFpr = gpg.generateKey({ uid: 'Revoked <revoked@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  strangerFpr = gpg.generateKey({ uid: 'Stranger <stranger@example.net>', algo: 'ed25519' });
  // gpg refuses to sign with a revoked key, so the signature is made first.
  signedBeforeRevocation = gpg.ok(['--armor', '--local-user', revokedFpr, '--detach-sign'], 'patch contents\n').toString('utf8');
  gpg.revoke(revokedFpr);
  known = await readKeyring(Buffer.concat([gpg.exportPublic(reporterFpr, false), gpg.exportPublic(revokedFpr, false)]));
});
afterAll(() => gpg.cleanup());

describe('signatures we make, verified by gpg', () => {
  it('gpg --verify accepts clear-signed text, including non-ASCII and trailing spaces', async () => {
    const text = 'Contact: mailto:security@example.org\nExpires: 2030-01-01T00:00:00.000Z\nÉquipe sécurité   \n-- dash line\n';
    const signed = await clearSignText(text, teamKey);
    expect(signed).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\r?\nHash: SHA(256|512)\r?\n/);
    const result = gpg.run(['--verify'], signed);
    expect(result.stderr).toMatch(/Good signature from "VMT <vmt@example.org>"/);
    const tampered = gpg.run(['--verify'], signed.replace('2030', '2031'));
    expect(tampered.status).not.toBe(0);
    expect(tampered.stderr).toMatch(/BAD signature/);
  });

  it('gpg --verify accepts a detached .asc signature over exact bytes and rejects altered bytes', async () => {
    const file = new TextEncoder().encode('{"document":{"title":"CSAF"}}\n');
    const signature = await detachedSignature(file, teamKey);
    expect(signature).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    const dataPath = gpg.writeFile('advisory.json', file);
    const sigPath = gpg.writeFile('advisory.json.asc', signature);
    expect(gpg.run(['--verify', sigPath, dataPath]).stderr).toMatch(/Good signature/);
    const alteredPath = gpg.writeFile('altered.json', '{"document":{"title":"CSAF!"}}\n');
    expect(gpg.run(['--verify', sigPath, alteredPath]).stderr).toMatch(/BAD signature/);
  });

  it('names in micalg the hash the MIME signature really uses (RFC 3156 §5)', async () => {
    const { signature, micalg } = await signMimeEntity(new TextEncoder().encode('Content-Type: text/plain\r\n\r\nhi\r\n'), teamKey);
    const list = gpg.run(['--list-packets'], signature).stdout.toString('utf8');
    // OpenPGP.js pairs ed25519 with SHA-512 (digest algo 10); RSA keys get SHA-256 (8).
    const digest = /digest algo (\d+)/.exec(list)?.[1];
    expect(micalg).toBe({ '8': 'pgp-sha256', '10': 'pgp-sha512' }[digest ?? '']);
  });

  it('gpg --decrypt opens what we encrypt and sees our signature', async () => {
    const reporterKey = await readSingleKey(gpg.exportPublic(reporterFpr));
    const armored = await encryptAndSign(new TextEncoder().encode('embargoed text'), { recipientKeys: [reporterKey], signingKey: teamKey });
    const result = gpg.run(['--decrypt'], armored);
    expect(result.stdout.toString('utf8')).toBe('embargoed text');
    expect(result.stderr).toMatch(/Good signature from "VMT <vmt@example.org>"/);
  });
});

describe('signatures gpg makes, verified by us', () => {
  it('classifies a detached signature as valid, invalid, unknown-key or revoked-key', async () => {
    const data = Buffer.from('patch contents\n');
    const sign = (fingerprint: string) => gpg.ok(['--armor', '--local-user', fingerprint, '--detach-sign'], data).toString('utf8');
    const good = await verifyDetachedSignature(data, sign(reporterFpr), known);
    expect(good).toMatchObject({ status: 'valid', fingerprint: reporterFpr });
    expect(good.signedAt).toBeInstanceOf(Date);
    expect((await verifyDetachedSignature(Buffer.from('patch contents!\n'), sign(reporterFpr), known)).status).toBe('invalid');
    expect(await verifyDetachedSignature(data, sign(strangerFpr), known)).toMatchObject({ status: 'unknown-key', keyId: strangerFpr.slice(-16) });
    expect(await verifyDetachedSignature(data, signedBeforeRevocation, known)).toMatchObject({ status: 'revoked-key', fingerprint: revokedFpr });
    expect((await verifyDetachedSignature(data, 'not a signature', known)).status).toBe('invalid');
  });

  it('verifies gpg --clearsign output and returns the signed text', async () => {
    const signed = gpg.ok(['--local-user', reporterFpr, '--clearsign'], 'I found a bug.\n- dashed\n').toString('utf8');
    const result = await verifyClearSigned(signed, known);
    expect(result.signature.status).toBe('valid');
    expect(result.text).toBe('I found a bug.\n- dashed');
    expect((await verifyClearSigned(signed.replace('a bug', 'no bug'), known)).signature.status).toBe('invalid');
  });
});

describe('decrypting gpg messages with the team keys', () => {
  const encryptTo = (fingerprint: string, signer?: string) =>
    gpg.ok(['--trust-model', 'always', '--armor', ...(signer ? ['--local-user', signer, '--sign'] : []), '--encrypt', '--recipient', fingerprint], 'secret report').toString('utf8');
  const limits = { maxPlaintextBytes: 1024 * 1024 };

  it('decrypts with the current or a retired team key and checks the inner signature', async () => {
    const toOld = encryptTo(oldTeamKey.getFingerprint(), reporterFpr);
    const opened = await decryptMessage(toOld, { secretKeys: [teamKey, oldTeamKey], knownPublicKeys: known, ...limits });
    expect(Buffer.from(opened.data).toString('utf8')).toBe('secret report');
    expect(opened.signature).toMatchObject({ status: 'valid', fingerprint: reporterFpr });
    const unsigned = await decryptMessage(encryptTo(teamKey.getFingerprint()), { secretKeys: [teamKey], knownPublicKeys: known, ...limits });
    expect(unsigned.signature.status).toBe('none');
  });

  it('refuses a message encrypted to someone else, naming the key ids', async () => {
    const error = await decryptMessage(encryptTo(reporterFpr), { secretKeys: [teamKey], knownPublicKeys: known, ...limits }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PgpError);
    expect((error as PgpError).reason).toBe('no_matching_secret_key');
    expect((error as PgpError).message).toMatch(/wrong key/);
  });

  it('refuses garbage and truncated messages', async () => {
    const armored = encryptTo(teamKey.getFingerprint());
    const truncated = await decryptMessage(armored.slice(0, 200), { secretKeys: [teamKey], knownPublicKeys: [], ...limits }).catch((caught: unknown) => caught);
    expect((truncated as PgpError).reason).toBe('truncated_packet');
    const garbage = await decryptMessage(new Uint8Array([0x85, 1, 2, 3]), { secretKeys: [teamKey], knownPublicKeys: [], ...limits }).catch((caught: unknown) => caught);
    expect(garbage).toBeInstanceOf(PgpError);
    expect(teamPublic).toMatch(/PUBLIC KEY/);
  });
});
