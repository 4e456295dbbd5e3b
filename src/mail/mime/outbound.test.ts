// Outgoing mail checked by the real GnuPG: gpg --verify accepts our PGP/MIME and inline
// signatures, gpg --decrypt opens our encrypted mail; headers are RFC 5322/2047 and injection-proof.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrivateKey, PublicKey } from 'openpgp';
import { readSingleKey } from '../../pgp/read.js';
import { PgpError } from '../../pgp/errors.js';
import { generateTeamKey, unlockSecretKey } from '../../pgp/team-key.js';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { MailBuildError } from './errors.js';
import { openInboundMessage } from './inbound.js';
import { buildEncryptedMessage, buildInlineSignedMessage, buildPlainMessage, buildSignedMessage } from './outbound.js';
import type { OutgoingMail } from './outbound.js';
import { decodeQuotedPrintable, splitMultipart } from '../testing/mime.js';

const passphrase = 'outbound test passphrase';
let gpg: TempGnupg;
let teamKey: PrivateKey;
let recipientKey: PublicKey;
let recipientFpr: string;
let signOnlyKey: PublicKey;

// A patch with CRLF lines and trailing spaces must arrive byte for byte.
const patch = 'From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] fix\n\n--- a/x.py\r\n+++ b/x.py\r\n+  fixed   \n';

const mail = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  from: { name: 'Example VMT', address: 'vmt@example.org' },
  to: [{ name: 'Distros, Private', address: 'distros@lists.example.net' }],
  cc: ['coresec@example.org'],
  replyTo: 'vmt@example.org',
  subject: '[pre-OSSA] Vulnerability in Nova (CVE-2024-12345)',
  text: 'This is an embargoed pre-notice.\n\nFrom the VMT, with trailing space \n. \nRégis Müller reported it.\n',
  date: new Date('2024-05-07T15:00:00Z'),
  headers: { 'X-Cordon-Report': 'report-42' },
  attachments: [{ filename: 'cve-2024-12345-master.patch', content: patch }],
  ...overrides,
});

beforeAll(async () => {
  gpg = new TempGnupg();
  const team = await generateTeamKey({ name: 'Example VMT', email: 'vmt@example.org', passphrase });
  teamKey = await unlockSecretKey(team.secretKeyArmored, passphrase);
  gpg.importKey(team.publicKeyArmored);
  recipientFpr = gpg.generateKey({ uid: 'Distro Security <security@distro.example>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  recipientKey = (await readSingleKey(gpg.exportPublic(recipientFpr))).toPublic();
  signOnlyKey = (await readSingleKey(gpg.exportPublic(gpg.generateKey({ uid: 'Sign Only <so@example.net>', algo: 'ed25519' })))).toPublic();
});
afterAll(() => gpg.cleanup());

function gpgVerifyDetached(signedBytes: string, signature: string) {
  const dataPath = gpg.writeFile('signed-part.eml', Buffer.from(signedBytes, 'latin1'));
  const sigPath = gpg.writeFile('signature.asc', signature);
  return gpg.run(['--verify', sigPath, dataPath]);
}

function headerSection(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n'));
}

describe('PGP/MIME signed (RFC 3156 §5)', () => {
  it('is accepted by gpg --verify over the signed part exactly as a mail client extracts it', async () => {
    const built = await buildSignedMessage(mail(), { signingKey: teamKey });
    const raw = built.raw.toString('latin1');
    expect(raw).toMatch(/^Content-Type: multipart\/signed;\r\n micalg=pgp-sha(256|512);\r\n protocol="application\/pgp-signature";\r\n boundary="/m);
    const [signed, signature, extra] = splitMultipart(raw);
    expect(extra).toBeUndefined();
    expect(signed?.headers).toMatch(/^Content-Type: multipart\/mixed/);
    expect(signature?.headers).toMatch(/Content-Type: application\/pgp-signature/);
    const result = gpgVerifyDetached(signed?.raw ?? '', signature?.body ?? '');
    expect(result.stderr).toMatch(/Good signature from "Example VMT <vmt@example.org>"/);
    // micalg names the hash the signature really uses.
    const digest = /digest algo (\d+)/.exec(gpg.run(['--list-packets'], signature?.body ?? '').stdout.toString('utf8'))?.[1];
    expect(raw).toContain(`micalg=${digest === '8' ? 'pgp-sha256' : 'pgp-sha512'};`);
  });

  it('fails gpg --verify once a byte of the signed part changes', async () => {
    const [signed, signature] = splitMultipart((await buildSignedMessage(mail({ attachments: [] }), { signingKey: teamKey })).raw.toString('latin1'));
    expect(signed?.headers).toMatch(/^Content-Type: text\/plain; charset=utf-8/);
    const tampered = (signed?.raw ?? '').replace('embargoed', 'embargoeD');
    expect(gpgVerifyDetached(tampered, signature?.body ?? '').stderr).toMatch(/BAD signature/);
  });

  it('writes RFC 5322 headers: encoded non-ASCII subject and names, quoted specials, date, ids, custom headers', async () => {
    const built = await buildSignedMessage(
      mail({
        from: { name: 'Équipe Sécurité', address: 'vmt@example.org' },
        subject: '[OSSA-2024-001] Nova: fuite de données — élevée (CVE-2024-1)',
        inReplyTo: '<report-1@example.net>',
        references: ['<report-0@example.net>', '<report-1@example.net>'],
      }),
      { signingKey: teamKey },
    );
    const head = headerSection(built.raw.toString('latin1'));
    expect(head).toMatch(/^Date: Tue, 07 May 2024 15:00:00 \+0000\r\n/);
    expect(head).toContain('To: "Distros, Private" <distros@lists.example.net>');
    expect(head).toContain('Cc: coresec@example.org');
    expect(head).toContain('Reply-To: vmt@example.org');
    expect(head).toMatch(/\r\nFrom: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <vmt@example.org>/);
    expect(head).toContain('X-Cordon-Report: report-42');
    expect(head).toContain('In-Reply-To: <report-1@example.net>\r\nReferences: <report-0@example.net> <report-1@example.net>');
    expect(head).toMatch(new RegExp(`Message-ID: ${built.messageId.replace(/[.+]/g, '\\$&')}`));
    expect(built.messageId).toMatch(/^<[^@\s]+@example\.org>$/);
    expect(head).toContain('MIME-Version: 1.0');
    expect(built.envelope).toEqual({ from: 'vmt@example.org', to: ['distros@lists.example.net', 'coresec@example.org'] });
    for (const line of built.raw.toString('latin1').split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(78);
      expect(line).toMatch(/^[\x20-\x7e\t]*$/);
    }
  });

  it('round-trips through our own reader: subject, text and patch bytes intact, signature valid', async () => {
    const subject = 'Ünïcødé subject that is long enough to need folding across several encoded words — ok';
    const built = await buildSignedMessage(mail({ subject }), { signingKey: teamKey });
    const opened = await openInboundMessage(built.raw, { secretKeys: [], knownPublicKeys: [teamKey.toPublic()] });
    expect(opened.subject).toBe(subject);
    expect(opened.signature).toMatchObject({ status: 'valid', fingerprint: teamKey.getFingerprint().toUpperCase() });
    // postal-mime keeps the line break before the next boundary, hence trimEnd.
    expect(opened.textBody.trimEnd()).toBe(mail().text.trimEnd());
    expect(opened.attachments.map((attachment) => attachment.filename)).toEqual(['cve-2024-12345-master.patch']);
    expect(opened.attachments[0]?.content.toString('utf8')).toBe(patch);
    expect(opened.to).toEqual([{ name: 'Distros, Private', address: 'distros@lists.example.net' }]);
  });

  it('uses micalg=pgp-sha256 with an RSA team key, and gpg agrees', async () => {
    const rsa = await generateTeamKey({ name: 'RSA VMT', email: 'rsa-vmt@example.org', passphrase, algorithm: 'rsa4096' });
    gpg.importKey(rsa.publicKeyArmored);
    const built = await buildSignedMessage(mail(), { signingKey: await unlockSecretKey(rsa.secretKeyArmored, passphrase) });
    const raw = built.raw.toString('latin1');
    expect(raw).toContain('micalg=pgp-sha256;');
    const [signed, signature] = splitMultipart(raw);
    expect(gpgVerifyDetached(signed?.raw ?? '', signature?.body ?? '').stderr).toMatch(/Good signature from "RSA VMT/);
  }, 120_000);
});

describe('PGP/MIME encrypted and signed (RFC 3156 §4)', () => {
  it('is opened by gpg --decrypt with the recipient key, which also sees our signature', async () => {
    const built = await buildEncryptedMessage(mail({ subject: '[vs] [pre-OSSA] Vulnerability in Nova' }), {
      signingKey: teamKey,
      recipientKeys: [recipientKey],
    });
    const raw = built.raw.toString('latin1');
    expect(raw).toMatch(/Content-Type: multipart\/encrypted;\r\n protocol="application\/pgp-encrypted";\r\n boundary=/);
    expect(raw).not.toContain('embargoed pre-notice');
    const [control, payload] = splitMultipart(raw);
    expect(control?.headers).toBe('Content-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification');
    expect(control?.body).toBe('Version: 1\r\n');
    expect(payload?.headers).toMatch(/^Content-Type: application\/octet-stream; name="encrypted.asc"/);
    const result = gpg.run(['--decrypt'], payload?.body ?? '');
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/Good signature from "Example VMT <vmt@example.org>"/);
    const inner = result.stdout.toString('utf8');
    expect(inner).toMatch(/^Content-Type: multipart\/mixed;/);
    const [textPart, patchPart] = splitMultipart(inner);
    expect(decodeQuotedPrintable(textPart?.body ?? '')).toContain('Régis Müller reported it.');
    expect(Buffer.from(patchPart?.body ?? '', 'base64').toString('utf8')).toBe(patch);
  });

  it('is encrypted to the team key too, so our own reader opens it', async () => {
    const built = await buildEncryptedMessage(mail(), { signingKey: teamKey, recipientKeys: [recipientKey] });
    const opened = await openInboundMessage(built.raw, { secretKeys: [teamKey], knownPublicKeys: [teamKey.toPublic()] });
    expect(opened.encryption).toBe('pgp-mime');
    expect(opened.signature.status).toBe('valid');
    expect(opened.textBody).toContain('Régis Müller');
  });

  it('refuses a recipient key that cannot encrypt', async () => {
    const error = await buildEncryptedMessage(mail(), { signingKey: teamKey, recipientKeys: [signOnlyKey] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PgpError);
    expect((error as PgpError).reason).toBe('key_unusable');
    expect((error as PgpError).message).toMatch(/no encryption subkey/);
  });
});

describe('inline clear-signed mail', () => {
  it('gpg --verify accepts the body, and each attachment with its .asc', async () => {
    const built = await buildInlineSignedMessage(mail(), { signingKey: teamKey });
    const raw = built.raw.toString('latin1');
    const [textPart, patchPart, patchSignature] = splitMultipart(raw);
    expect(textPart?.headers).toContain('Content-Transfer-Encoding: quoted-printable');
    const body = decodeQuotedPrintable(textPart?.body ?? '');
    expect(body).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    expect(gpg.run(['--verify'], body).stderr).toMatch(/Good signature from "Example VMT/);
    expect(patchSignature?.headers).toContain('filename="cve-2024-12345-master.patch.asc"');
    const result = gpgVerifyDetached(
      Buffer.from(patchPart?.body ?? '', 'base64').toString('latin1'),
      Buffer.from(patchSignature?.body ?? '', 'base64').toString('utf8'),
    );
    expect(result.stderr).toMatch(/Good signature/);
  });

  it('sends plain ASCII text as 7bit that gpg verifies straight from the message body', async () => {
    const built = await buildInlineSignedMessage(mail({ text: 'Short ASCII announcement.\n', attachments: [] }), { signingKey: teamKey });
    const raw = built.raw.toString('latin1');
    expect(raw).toContain('Content-Transfer-Encoding: 7bit');
    expect(gpg.run(['--verify'], raw.slice(raw.indexOf('\r\n\r\n') + 4)).stderr).toMatch(/Good signature/);
  });
});

describe('header injection and unsafe input', () => {
  const refused = async (overrides: Partial<OutgoingMail>): Promise<MailBuildError> => {
    const error = await buildSignedMessage(mail(overrides), { signingKey: teamKey }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailBuildError);
    return error as MailBuildError;
  };

  it('refuses CR/LF in subjects, display names, addresses and custom headers', async () => {
    expect(await refused({ subject: 'Hello\r\nBcc: victim@example.com' })).toMatchObject({ reason: 'header_injection', fields: [{ field: 'subject' }] });
    expect(await refused({ from: { name: 'VMT\nBcc: x@example.com', address: 'vmt@example.org' } })).toMatchObject({ reason: 'header_injection', fields: [{ field: 'from.name' }] });
    expect(await refused({ to: ['a@example.org\r\nX-Evil: 1'] })).toMatchObject({ reason: 'header_injection' });
    expect(await refused({ headers: { 'X-Cordon-Report': 'r1\nBcc: y@example.com' } })).toMatchObject({ reason: 'header_injection' });
    expect(await refused({ messageId: '<a@b>\r\nBcc: z@example.com' })).toMatchObject({ reason: 'header_injection' });
  });

  it('refuses bad addresses, header names, reserved headers and missing recipients', async () => {
    expect((await refused({ to: ['not an address'] })).reason).toBe('invalid_address');
    expect((await refused({ headers: { 'X Bad:Name': 'v' } })).reason).toBe('invalid_header_name');
    expect((await refused({ headers: { 'Content-Type': 'text/html' } })).reason).toBe('reserved_header');
    expect((await refused({ to: [], cc: [] })).reason).toBe('missing_recipient');
    expect((await refused({ messageId: 'no-brackets@example.org' })).reason).toBe('invalid_message_id');
  });

  it('refuses unsafe attachment names', async () => {
    for (const filename of ['../../etc/passwd', '.hidden', 'a b.patch', 'résumé.pdf', 'x..patch']) {
      expect((await refused({ attachments: [{ filename, content: 'x' }] })).reason).toBe('unsafe_filename');
    }
    expect((await refused({ attachments: [{ filename: 'evil\r\n.patch', content: 'x' }] })).reason).toBe('header_injection');
  });

  it('builds a plain message with the same header rules', async () => {
    const built = await buildPlainMessage(mail({ attachments: [] }));
    const opened = await openInboundMessage(built.raw, { secretKeys: [], knownPublicKeys: [] });
    expect(opened).toMatchObject({ encryption: 'none', signature: { status: 'none' }, subject: mail().subject });
    await expect(buildPlainMessage(mail({ subject: 'x\ny' }))).rejects.toBeInstanceOf(MailBuildError);
  });
});
