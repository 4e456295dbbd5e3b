// Key inspection against keys made by the real GnuPG, and refusal of bad key input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgpError } from './errors.js';
import { inspectKey, readRecipientKey } from './keys.js';
import { readKeyring } from './read.js';
import { TempGnupg } from './testing/gnupg.js';

let gpg: TempGnupg;
const fpr: Record<string, string> = {};

beforeAll(() => {
  gpg = new TempGnupg();
  fpr.ed = gpg.generateKey({ uid: 'Ed Alice <alice@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  fpr.signOnly = gpg.generateKey({ uid: 'Sign Only <signonly@example.org>', algo: 'ed25519' });
  fpr.rsa2048 = gpg.generateKey({ uid: 'Rsa Two <rsa2048@example.org>', algo: 'rsa2048', encryptionAlgo: 'rsa2048' });
  fpr.rsa4096 = gpg.generateKey({ uid: 'Rsa Four <rsa4096@example.org>', algo: 'rsa4096', encryptionAlgo: 'rsa4096' });
  fpr.rsa1024 = gpg.generateKey({ uid: 'Weak Rsa <rsa1024@example.org>', algo: 'rsa1024', encryptionAlgo: 'rsa1024' });
  fpr.dsa = gpg.generateKey({ uid: 'Old Dsa <dsa@example.org>', algo: 'dsa2048' });
  // Created in 2020 with a one-year expiry: expired today.
  fpr.expired = gpg.generateKey({
    uid: 'Expired <expired@example.org>',
    algo: 'ed25519',
    encryptionAlgo: 'cv25519',
    expire: '1y',
    fakedTime: '20200101T000000',
  });
  fpr.revoked = gpg.generateKey({ uid: 'Revoked <revoked@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  gpg.revoke(fpr.revoked);
  // Primary key valid forever, encryption subkey added in 2020 with a one-year expiry.
  fpr.staleSubkey = gpg.generateKey({ uid: 'Stale Subkey <stale@example.org>', algo: 'ed25519', fakedTime: '20200101T000000' });
  gpg.ok(['--faked-system-time', '20200101T000000', '--quick-add-key', fpr.staleSubkey, 'cv25519', 'encr', '1y']);
});

afterAll(() => gpg.cleanup());

const publicKey = (name: string) => gpg.exportPublic(fpr[name] ?? '').toString('utf8');

async function rejection(promise: Promise<unknown>): Promise<PgpError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PgpError);
  return error as PgpError;
}

describe('inspectKey on GnuPG keys', () => {
  it('reads an ed25519/cv25519 key, armored and binary, with the fingerprint gpg reports', async () => {
    const armored = await inspectKey(publicKey('ed'));
    const binary = await inspectKey(new Uint8Array(gpg.exportPublic(fpr.ed ?? '', false)));
    for (const inspection of [armored, binary]) {
      expect(inspection.fingerprint).toBe(fpr.ed);
      expect(inspection.keyId).toBe(fpr.ed?.slice(-16));
      expect(inspection.userIds).toEqual(['Ed Alice <alice@example.org>']);
      expect(inspection.kind).toBe('public');
      expect(inspection.algorithm).toBe('eddsa');
      expect(inspection.label).toBe('ed25519');
      expect(inspection.expires).toBeNull();
      expect(inspection.revoked).toBe(false);
      expect(inspection.capabilities).toEqual(['certify', 'sign']);
      expect(inspection.subkeys.map((subkey) => [subkey.label, subkey.capabilities])).toEqual([['cv25519', ['encrypt']]]);
      expect(inspection.usableForEncryption).toEqual({ usable: true, keyId: inspection.subkeys[0]?.keyId });
      expect(inspection.usableForSigning).toEqual({ usable: true, keyId: inspection.keyId });
    }
  });

  it('reports RSA 2048 and 4096 bit lengths and accepts both', async () => {
    const rsa2048 = await inspectKey(publicKey('rsa2048'));
    const rsa4096 = await inspectKey(publicKey('rsa4096'));
    expect([rsa2048.algorithm, rsa2048.bits, rsa2048.label]).toEqual(['rsa', 2048, 'rsa2048']);
    expect([rsa4096.bits, rsa4096.subkeys[0]?.bits]).toEqual([4096, 4096]);
    expect(rsa2048.usableForEncryption.usable && rsa4096.usableForEncryption.usable).toBe(true);
    expect(rsa2048.usableForSigning.usable && rsa4096.usableForSigning.usable).toBe(true);
  });

  it('recognises an exported secret key', async () => {
    const inspection = await inspectKey(gpg.exportSecret(fpr.ed ?? ''));
    expect(inspection.kind).toBe('secret');
    expect(inspection.secretLocked).toBe(false);
    expect(inspection.fingerprint).toBe(fpr.ed);
  });

  it('refuses an expired key with the reason and the expiry date', async () => {
    const inspection = await inspectKey(publicKey('expired'));
    expect(inspection.expires?.getUTCFullYear()).toBe(2020);
    expect(inspection.usableForEncryption).toMatchObject({ usable: false, reason: 'expired' });
    expect(inspection.usableForSigning).toMatchObject({ usable: false, reason: 'expired' });
    expect(inspection.usableForEncryption.message).toMatch(/expired on 2020-12-3/);
  });

  it('refuses a revoked key', async () => {
    const inspection = await inspectKey(publicKey('revoked'));
    expect(inspection.revoked).toBe(true);
    expect(inspection.usableForEncryption).toMatchObject({ usable: false, reason: 'revoked' });
    expect(inspection.usableForSigning).toMatchObject({ usable: false, reason: 'revoked' });
  });

  it('calls RSA-1024 and DSA weak', async () => {
    const weakRsa = await inspectKey(publicKey('rsa1024'));
    expect(weakRsa.bits).toBe(1024);
    expect(weakRsa.usableForEncryption).toMatchObject({ usable: false, reason: 'weak_rsa' });
    expect(weakRsa.usableForSigning.message).toMatch(/at least 2048 bits/);
    const dsa = await inspectKey(publicKey('dsa'));
    expect(dsa.algorithm).toBe('dsa');
    expect(dsa.usableForSigning).toMatchObject({ usable: false, reason: 'weak_algorithm' });
  });

  it('says a signing-only key has no encryption subkey', async () => {
    const inspection = await inspectKey(publicKey('signOnly'));
    expect(inspection.usableForSigning.usable).toBe(true);
    expect(inspection.usableForEncryption).toMatchObject({ usable: false, reason: 'no_encryption_subkey' });
  });

  it('names an expired encryption subkey on a valid primary key', async () => {
    const inspection = await inspectKey(publicKey('staleSubkey'));
    expect(inspection.expires).toBeNull();
    expect(inspection.usableForSigning.usable).toBe(true);
    expect(inspection.usableForEncryption).toMatchObject({ usable: false, reason: 'expired' });
    expect(inspection.usableForEncryption.message).toMatch(/subkey .* expired/);
  });

  it('readRecipientKey refuses keys it cannot encrypt to and accepts good ones', async () => {
    expect((await readRecipientKey(publicKey('ed'))).getFingerprint().toUpperCase()).toBe(fpr.ed);
    const error = await rejection(readRecipientKey(publicKey('rsa1024')));
    expect(error.reason).toBe('key_unusable');
    expect(error.fields[0]?.field).toBe('recipientKey');
  });
});

describe('bad key input', () => {
  it('refuses text that is not armor', async () => {
    expect((await rejection(inspectKey('hello, this is my key'))).reason).toBe('not_armored');
  });

  it('refuses garbage inside armor and random binary', async () => {
    const garbage = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAAbbbbCCCCdddd\n-----END PGP PUBLIC KEY BLOCK-----\n';
    expect((await rejection(inspectKey(garbage))).reason).toBe('malformed_packet');
    const random = new Uint8Array(300).map((_, index) => (index * 37 + 11) % 256);
    expect((await rejection(inspectKey(random))).reason).toBe('malformed_packet');
  });

  it('refuses truncated armored and binary keys', async () => {
    const armored = publicKey('ed');
    const cut = await rejection(inspectKey(armored.slice(0, Math.floor(armored.length / 2))));
    expect(cut.reason).toBe('truncated_packet');
    expect(cut.message).toMatch(/truncated/);
    const binary = new Uint8Array(gpg.exportPublic(fpr.ed ?? '', false));
    expect((await rejection(inspectKey(binary.subarray(0, binary.length - 20)))).reason).toBe('truncated_packet');
  });

  it('refuses a signature where a key is expected, and empty input', async () => {
    const signature = gpg.ok(['--armor', '--detach-sign', '--local-user', fpr.ed ?? ''], 'data').toString('utf8');
    expect((await rejection(inspectKey(signature))).reason).toBe('not_a_key');
    expect((await rejection(inspectKey(''))).reason).toBe('no_key');
  });

  it('refuses several keys where one is expected, but reads them as a keyring', async () => {
    const two = publicKey('ed') + publicKey('rsa2048');
    const error = await rejection(inspectKey(two, { field: 'stakeholderKey' }));
    expect(error.reason).toBe('multiple_keys');
    expect(error.fields).toEqual([{ field: 'stakeholderKey', message: expect.stringContaining('found 2') as unknown }]);
    const both = gpg.exportPublic(`${fpr.ed ?? ''}`, false);
    const ring = await readKeyring(Buffer.concat([both, gpg.exportPublic(fpr.rsa2048 ?? '', false)]));
    expect(ring.map((key) => key.getFingerprint().toUpperCase())).toEqual([fpr.ed, fpr.rsa2048]);
    expect((await readKeyring(two)).length).toBe(2);
  });
});
