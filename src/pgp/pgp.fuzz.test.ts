// Fuzz target (issue 13): OpenPGP armor and packets from outside (keys users paste, signatures and
// encrypted mail). Invariants: any input is read or refused with a catalogued PgpError/AppError,
// never a TypeError or RangeError from the packet parser; a changed clear-signed text never verifies
// as "valid"; a changed encrypted message never decrypts to different plaintext (RFC 4880 §5.13 MDC,
// RFC 9580 §5.13.2 AEAD); a changed detached signature over fixed data is never "valid" unless it
// still carries the same signature.
import fc from 'fast-check';
import { readKey, readSignature, unarmor, type PrivateKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRecipientPublicKey } from '../keys/public-keys.js';
import { catalogued, hostileText, mutatedBytes, mutatedText, replayRegressions, runFuzz, seedFiles, type FuzzTarget } from '../testing/fuzz.js';
import { decryptMessage } from './decrypt.js';
import { inspectKey } from './keys.js';
import { readKeyring } from './read.js';
import { unlockSecretKey } from './team-key.js';
import { verifyClearSigned, verifyDetachedSignature } from './verify.js';

const seeds = new Map(seedFiles(import.meta.url, 'seeds/pgp').map((s) => [s.file, s.bytes]));
const text = (name: string): string => (seeds.get(name) ?? Buffer.alloc(0)).toString('utf8');
const NOW = new Date('2026-06-01T00:00:00Z');
const ARMOR_FRAGMENTS = ['-----BEGIN PGP PUBLIC KEY BLOCK-----', '-----END PGP PUBLIC KEY BLOCK-----', '-----BEGIN PGP SIGNED MESSAGE-----', '-----BEGIN PGP SIGNATURE-----',
  '-----END PGP SIGNATURE-----', '-----BEGIN PGP MESSAGE-----', '-----END PGP MESSAGE-----', 'Hash: SHA256', 'Hash: MD5', 'Version: x', '=AAAA', '- ', '\n\n', 'Comment: \u202e'];

let secretKey: PrivateKey;
const binary: Record<string, Uint8Array> = {};

beforeAll(async () => {
  secretKey = await unlockSecretKey(text('secret-key.asc'), 'fuzz seed passphrase (test only)');
  for (const name of ['encrypted.asc', 'detached.asc', 'secret-key.asc']) {
    const { data } = await unarmor(text(name));
    binary[name] = data;
  }
});

const keyInput = fc.oneof(
  mutatedText([text('public-key.asc'), text('secret-key.asc')], { fragments: ARMOR_FRAGMENTS }),
  fc.constant(null).chain(() => mutatedBytes([new Uint8Array(seeds.get('public-key.bin') ?? []), binary['secret-key.asc'] ?? new Uint8Array()])),
  hostileText,
);

const keyTarget: FuzzTarget<string | Uint8Array> = {
  name: 'pgp-key-read',
  testFile: import.meta.url,
  arbitrary: keyInput,
  runs: 250,
  longShare: 0.1,
  check: async (input) => {
    await catalogued('readKeyring', () => readKeyring(input));
    await catalogued('inspectKey', () => inspectKey(input, { now: NOW }));
    const checked = await catalogued('checkRecipientPublicKey', () => checkRecipientPublicKey(input, 'key', NOW));
    if ('value' in checked) expect(checked.value.armored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  },
};

const clearSignedTarget: FuzzTarget<string> = {
  name: 'pgp-clearsigned',
  testFile: import.meta.url,
  arbitrary: fc.oneof(mutatedText([text('clearsigned.asc')], { fragments: ARMOR_FRAGMENTS }), hostileText),
  runs: 250,
  longShare: 0.1,
  check: async (input) => {
    const known = [await readKey({ armoredKey: text('public-key.asc') })];
    const result = await catalogued('verifyClearSigned', () => verifyClearSigned(input, known, NOW));
    if ('value' in result && result.value.signature.status === 'valid') {
      // RFC 4880 §7.1: trailing white space is not signed; everything else is.
      const norm = (t: string): string => t.replace(/[ \t]+$/gm, '').replace(/\r\n/g, '\n').replace(/\n+$/, '');
      expect(norm(result.value.text)).toBe(norm('Security fix for CVE-2026-1234.\n- a dashed line\nFrom the VMT\n'));
    }
  },
};

const detachedTarget: FuzzTarget<string | Uint8Array> = {
  name: 'pgp-detached-signature',
  testFile: import.meta.url,
  arbitrary: fc.oneof(mutatedText([text('detached.asc')], { fragments: ARMOR_FRAGMENTS }), fc.constant(null).chain(() => mutatedBytes([binary['detached.asc'] ?? new Uint8Array()]))),
  runs: 250,
  longShare: 0.1,
  check: async (input) => {
    const known = [await readKey({ armoredKey: text('public-key.asc') })];
    const result = await catalogued('verifyDetachedSignature', () => verifyDetachedSignature(new TextEncoder().encode('patch contents\n'), input, known, NOW));
    if ('value' in result && result.value.status === 'valid') {
      // Valid only when the signature packet itself is the original one.
      const original = await readSignature({ armoredSignature: text('detached.asc') });
      const given = typeof input === 'string' ? await readSignature({ armoredSignature: input }) : await readSignature({ binarySignature: input });
      expect(Buffer.from(given.write() as Uint8Array).equals(Buffer.from(original.write() as Uint8Array))).toBe(true);
    }
  },
};

const decryptTarget: FuzzTarget<string | Uint8Array> = {
  name: 'pgp-decrypt',
  testFile: import.meta.url,
  arbitrary: fc.oneof(mutatedText([text('encrypted.asc')], { fragments: ARMOR_FRAGMENTS }), fc.constant(null).chain(() => mutatedBytes([binary['encrypted.asc'] ?? new Uint8Array()]))),
  runs: 200,
  longShare: 0.1,
  check: async (input) => {
    const known = [await readKey({ armoredKey: text('public-key.asc') })];
    const result = await catalogued('decryptMessage', () => decryptMessage(input, { secretKeys: [secretKey], knownPublicKeys: known, maxPlaintextBytes: 1 << 20, now: NOW }));
    if ('value' in result) expect(Buffer.from(result.value.data).toString('utf8')).toBe('secret report body\n');
  },
};

describe('fuzz: OpenPGP armor and packets', () => {
  for (const target of [keyTarget, clearSignedTarget, detachedTarget, decryptTarget] as FuzzTarget<never>[]) {
    it(`${target.name}: committed regression inputs still pass`, async () => {
      await replayRegressions(target);
    });
    it(`${target.name}: generated inputs keep the invariants`, async () => {
      expect((await runFuzz(target)).runs).toBeGreaterThan(0);
    });
  }
});
