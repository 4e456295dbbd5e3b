// Hostile and broken incoming mail: each case ends in a typed MailRejection with a reason (or, for
// odd but legitimate mail, a correct parse) — never a crash or a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrivateKey } from 'openpgp';
import { generateTeamKey, unlockSecretKey } from '../../pgp/team-key.js';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { MailRejection } from './errors.js';
import type { MailRejectionReason } from './errors.js';
import { openInboundMessage } from './inbound.js';
import type { InboundLimits } from './limits.js';

let gpg: TempGnupg;
let teamKey: PrivateKey;

beforeAll(async () => {
  gpg = new TempGnupg();
  const team = await generateTeamKey({ name: 'VMT', email: 'vmt@example.org', passphrase: 'rejections passphrase' });
  teamKey = await unlockSecretKey(team.secretKeyArmored, 'rejections passphrase');
  gpg.importKey(team.publicKeyArmored);
});
afterAll(() => gpg.cleanup());

const head = 'From: reporter@example.net\r\nTo: vmt@example.org\r\nSubject: test\r\nMIME-Version: 1.0\r\n';
const open = (raw: string | Buffer, limits: Partial<InboundLimits> = {}) =>
  openInboundMessage(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, { secretKeys: [teamKey], knownPublicKeys: [], limits });

async function rejected(raw: string | Buffer, reason: MailRejectionReason, limits: Partial<InboundLimits> = {}): Promise<MailRejection> {
  const error = await open(raw, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MailRejection);
  expect((error as MailRejection).reason).toBe(reason);
  return error as MailRejection;
}

function encryptedMail(payload: string, control = 'Version: 1'): string {
  return `${head}Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="e"\r\n\r\n--e\r\nContent-Type: application/pgp-encrypted\r\n\r\n${control}\r\n--e\r\nContent-Type: application/octet-stream\r\n\r\n${payload}\r\n--e--\r\n`;
}

describe('limits', () => {
  it('refuses a message over the size limit', async () => {
    const error = await rejected(`${head}\r\n${'x'.repeat(5000)}`, 'too_large', { maxMessageBytes: 4096 });
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/limit is 4096/);
  });

  it('refuses a huge header section', async () => {
    await rejected(`${head}X-Filler: ${'a'.repeat(300 * 1024)}\r\n\r\nbody\r\n`, 'header_too_large');
    // Many small folded lines add up the same way.
    await rejected(`${head}X-Folded: start\r\n${' continued line\r\n'.repeat(20000)}\r\nbody\r\n`, 'header_too_large');
  });

  it('refuses too many parts', async () => {
    const parts = Array.from({ length: 300 }, (_, index) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`).join('');
    const error = await rejected(`${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`, 'too_many_parts');
    expect(error.message).toMatch(/more than 250 MIME parts/);
  });

  it('refuses zip-bomb style nesting of multiparts and of message/rfc822, quickly', async () => {
    let nested = 'Content-Type: text/plain\r\n\r\ncore\r\n';
    for (let level = 0; level < 5000; level += 1) {
      nested = `Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n--b${level}\r\n${nested}\r\n--b${level}--\r\n`;
    }
    await rejected(`${head}${nested}`, 'too_deep');
    let message = `${head}\r\ninnermost\r\n`;
    for (let level = 0; level < 40; level += 1) message = `${head}Content-Type: message/rfc822\r\n\r\n${message}`;
    await rejected(message, 'too_deep');
  });

  it('accepts the same shapes within the limits', async () => {
    const opened = await open(`${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n`);
    expect(opened.textBody.trim()).toBe('hello');
  });
});

describe('malformed MIME', () => {
  it('refuses input without a header section: prose, binary garbage, empty', async () => {
    await rejected('just some words\r\nwithout any headers\r\n', 'malformed_mime');
    await rejected(Buffer.from(Array.from({ length: 512 }, (_, index) => (index * 131 + 7) % 256)), 'malformed_mime');
    await rejected('', 'malformed_mime');
  });

  it('refuses a multipart without a boundary parameter, or whose boundary never appears', async () => {
    const noParameter = await rejected(`${head}Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n`, 'missing_boundary');
    expect(noParameter.message).toMatch(/no boundary parameter/);
    await rejected(`${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\nno delimiters at all\r\n`, 'missing_boundary');
  });

  it('skips an mbox "From " envelope line handed over by an MTA pipe', async () => {
    const opened = await open(`From reporter@example.net Tue May  7 10:00:00 2024\r\n${head}\r\nhello\r\n`);
    expect(opened.from).toEqual({ name: '', address: 'reporter@example.net' });
    expect(opened.subject).toBe('test');
    expect(opened.textBody.trim()).toBe('hello');
  });

  it('tolerates a missing close delimiter (truncated but readable mail)', async () => {
    const opened = await open(`${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nstill readable\r\n`);
    expect(opened.textBody.trim()).toBe('still readable');
  });

  it('refuses PGP/MIME shapes that break RFC 3156', async () => {
    await rejected(
      `${head}Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="e"\r\n\r\n--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--e--\r\n`,
      'malformed_mime',
    );
    await rejected(encryptedMail('x', 'Version: 2'), 'malformed_pgp');
    await rejected(
      `${head}Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary="s"\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\nonly one part\r\n--s--\r\n`,
      'malformed_mime',
    );
  });
});

describe('bad PGP in mail', () => {
  it('refuses garbage and truncated encrypted payloads', async () => {
    await rejected(encryptedMail('-----BEGIN PGP MESSAGE-----\r\n\r\nAAAAbbbb\r\n-----END PGP MESSAGE-----'), 'malformed_pgp');
    const armored = gpg.ok(['--trust-model', 'always', '--armor', '--encrypt', '--recipient', teamKey.getFingerprint()], 'secret').toString('utf8');
    await rejected(encryptedMail(armored.slice(0, 120)), 'malformed_pgp');
    await rejected(encryptedMail('no armor, no packets'), 'malformed_pgp');
  });

  it('refuses a compression bomb: a small encrypted payload that inflates past the limit', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const armored = gpg.ok(['--trust-model', 'always', '--armor', '--compress-algo', 'zlib', '--compress-level', '9', '--encrypt', '--recipient', teamKey.getFingerprint()], zeros).toString('utf8');
    expect(armored.length).toBeLessThan(200 * 1024);
    const error = await rejected(encryptedMail(armored), 'decryption_failed', { maxMessageBytes: 1024 * 1024 });
    expect(error.message).toMatch(/could not be decrypted|exceeds/);
  });

  it('refuses mail encrypted to the wrong key, saying so', async () => {
    const other = gpg.generateKey({ uid: 'Other <other@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    const armored = gpg.ok(['--trust-model', 'always', '--armor', '--encrypt', '--recipient', other], 'secret').toString('utf8');
    const error = await rejected(encryptedMail(armored), 'not_encrypted_to_team');
    expect(error.message).toMatch(/none of which is a team key/);
    await rejected(`${head}\r\nHi\r\n${armored}`, 'not_encrypted_to_team');
  });

  it('marks an unreadable PGP/MIME signature part as invalid instead of failing', async () => {
    const opened = await open(
      `${head}Content-Type: multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256; boundary="s"\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\nsigned?\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\ngarbage\r\n--s--\r\n`,
    );
    expect(opened.signature.status).toBe('invalid');
    expect(opened.textBody.trim()).toBe('signed?');
  });
});

describe('charsets', () => {
  it('decodes ISO-8859-1 bodies and encoded-word subjects', async () => {
    const body = Buffer.from('Le problème est grave.\r\n', 'latin1');
    const raw = Buffer.concat([
      Buffer.from('From: =?ISO-8859-1?Q?Fran=E7ois?= <f@example.net>\r\nTo: vmt@example.org\r\nSubject: =?ISO-8859-1?Q?Probl=E8me_de_s=E9curit=E9?=\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      body,
    ]);
    const opened = await open(raw);
    expect(opened.subject).toBe('Problème de sécurité');
    expect(opened.from).toEqual({ name: 'François', address: 'f@example.net' });
    expect(opened.textBody.trim()).toBe('Le problème est grave.');
  });

  it('decodes Shift_JIS bodies and subjects', async () => {
    const sjis = (hex: string) => Buffer.from(hex, 'hex');
    // 脆弱性の報告 ("vulnerability report") in Shift_JIS.
    const text = sjis('90c68ee390ab82cc95f18d90');
    const raw = Buffer.concat([
      Buffer.from(`From: r@example.jp\r\nTo: vmt@example.org\r\nSubject: =?Shift_JIS?B?${text.toString('base64')}?=\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: base64\r\n\r\n${text.toString('base64')}\r\n`),
    ]);
    const opened = await open(raw);
    expect(opened.subject).toBe('脆弱性の報告');
    expect(opened.textBody.trim()).toBe('脆弱性の報告');
  });
});
