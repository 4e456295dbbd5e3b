// Incoming mail made by the real GnuPG — PGP/MIME and inline, encrypted and/or signed — opened
// and verified by us, with the signature statuses a triager must see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Key, PrivateKey } from 'openpgp';
import { readKeyring } from '../../pgp/read.js';
import { generateTeamKey, unlockSecretKey } from '../../pgp/team-key.js';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { MailRejection } from './errors.js';
import { openInboundMessage } from './inbound.js';

const passphrase = 'inbound test passphrase';
let gpg: TempGnupg;
let teamKey: PrivateKey;
let oldTeamKey: PrivateKey;
let reporterFpr: string;
let strangerFpr: string;
let revokedFpr: string;
let known: Key[];
let revokedSignature: string;

const headers = (contentType: string) =>
  [
    'From: =?UTF-8?Q?Ren=C3=A9e_Reporter?= <reporter@example.net>',
    'To: VMT <vmt@example.org>',
    'Cc: helper@example.net',
    'Subject: Vulnerability in Nova',
    'Date: Tue, 07 May 2024 10:00:00 +0200',
    'Message-ID: <report-1@example.net>',
    'In-Reply-To: <earlier@example.org>',
    'References: <first@example.org> <earlier@example.org>',
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
  ].join('\r\n');

const innerEntity = [
  'Content-Type: multipart/mixed; boundary="inner"',
  '',
  '--inner',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Nova leaks tokens — see the attached proof.',
  '--inner',
  'Content-Type: text/x-python; name="poc.py"',
  'Content-Disposition: attachment; filename="poc.py"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('print("poc")\n').toString('base64'),
  '--inner--',
  '',
].join('\r\n');

function pgpMimeEncrypted(armored: string): Buffer {
  return Buffer.from(
    [
      headers('multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"'),
      '',
      'This is an OpenPGP/MIME encrypted message.',
      '--enc',
      'Content-Type: application/pgp-encrypted',
      '',
      'Version: 1',
      '',
      '--enc',
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      '',
      armored.trimEnd(),
      '--enc--',
      '',
    ].join('\r\n'),
  );
}

function pgpMimeSigned(signedPart: string, signature: string): Buffer {
  return Buffer.from(
    [
      headers('multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig"'),
      '',
      '--sig',
      signedPart,
      '--sig',
      'Content-Type: application/pgp-signature; name="signature.asc"',
      '',
      signature.trimEnd(),
      '--sig--',
      '',
    ].join('\r\n'),
  );
}

function plainText(body: string, contentType = 'text/plain; charset=utf-8'): Buffer {
  return Buffer.from(`${headers(contentType)}\r\n\r\n${body}`);
}

const detachSign = (fingerprint: string, data: string) =>
  gpg.ok(['--armor', '--local-user', fingerprint, '--digest-algo', 'SHA256', '--detach-sign'], data).toString('utf8');

beforeAll(async () => {
  gpg = new TempGnupg();
  const team = await generateTeamKey({ name: 'VMT', email: 'vmt@example.org', passphrase });
  const old = await generateTeamKey({ name: 'VMT (2019)', email: 'vmt@example.org', passphrase });
  teamKey = await unlockSecretKey(team.secretKeyArmored, passphrase);
  oldTeamKey = await unlockSecretKey(old.secretKeyArmored, passphrase);
  gpg.importKey(team.publicKeyArmored);
  gpg.importKey(old.publicKeyArmored);
  reporterFpr = gpg.generateKey({ uid: 'Renée Reporter <reporter@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  strangerFpr = gpg.generateKey({ uid: 'Stranger <stranger@example.net>', algo: 'ed25519' });
  revokedFpr = gpg.generateKey({ uid: 'Revoked <revoked@example.net>', algo: 'ed25519' });
  revokedSignature = detachSign(revokedFpr, innerEntity);
  gpg.revoke(revokedFpr);
  known = await readKeyring(Buffer.concat([gpg.exportPublic(reporterFpr, false), gpg.exportPublic(revokedFpr, false)]));
});
afterAll(() => gpg.cleanup());

const open = (raw: Buffer, secretKeys: PrivateKey[] = [teamKey]) => openInboundMessage(raw, { secretKeys, knownPublicKeys: known });
const encryptAndSignTo = (recipient: string, data: string, signer = reporterFpr) =>
  gpg.ok(['--trust-model', 'always', '--armor', '--local-user', signer, '--sign', '--encrypt', '--recipient', recipient], data).toString('utf8');

describe('PGP/MIME from gpg', () => {
  it('decrypts an encrypted and signed message and verifies the signature inside', async () => {
    const opened = await open(pgpMimeEncrypted(encryptAndSignTo(teamKey.getFingerprint(), innerEntity)));
    expect(opened.encryption).toBe('pgp-mime');
    expect(opened.signature).toMatchObject({ status: 'valid', fingerprint: reporterFpr });
    expect(opened.textBody.trim()).toBe('Nova leaks tokens — see the attached proof.');
    expect(opened.attachments).toEqual([{ filename: 'poc.py', contentType: 'text/x-python', content: Buffer.from('print("poc")\n') }]);
    expect(opened).toMatchObject({
      from: { name: 'Renée Reporter', address: 'reporter@example.net' },
      to: [{ name: 'VMT', address: 'vmt@example.org' }],
      cc: [{ name: '', address: 'helper@example.net' }],
      subject: 'Vulnerability in Nova',
      messageId: '<report-1@example.net>',
      inReplyTo: '<earlier@example.org>',
      references: ['<first@example.org>', '<earlier@example.org>'],
    });
  });

  it('verifies a signed-then-encrypted message (RFC 3156 §6.1: multipart/signed inside)', async () => {
    const signed = pgpMimeSigned(innerEntity, detachSign(reporterFpr, innerEntity));
    const entity = signed.subarray(signed.indexOf('Content-Type: multipart/signed'));
    const encrypted = gpg.ok(['--trust-model', 'always', '--armor', '--encrypt', '--recipient', teamKey.getFingerprint()], entity).toString('utf8');
    const opened = await open(pgpMimeEncrypted(encrypted));
    expect(opened.encryption).toBe('pgp-mime');
    expect(opened.signature).toMatchObject({ status: 'valid', fingerprint: reporterFpr });
    expect(opened.attachments.map((attachment) => attachment.filename)).toEqual(['poc.py']);
  });

  it('opens mail encrypted to a retired team key when it is still configured (rotation)', async () => {
    const raw = pgpMimeEncrypted(encryptAndSignTo(oldTeamKey.getFingerprint(), innerEntity));
    expect((await open(raw, [teamKey, oldTeamKey])).signature.status).toBe('valid');
    const error = await open(raw, [teamKey]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailRejection);
    expect((error as MailRejection).reason).toBe('not_encrypted_to_team');
  });

  it('reports a valid multipart/signed message, and invalid once tampered', async () => {
    const raw = pgpMimeSigned(innerEntity, detachSign(reporterFpr, innerEntity));
    const opened = await open(raw);
    expect(opened).toMatchObject({ encryption: 'none', signature: { status: 'valid', fingerprint: reporterFpr } });
    expect(opened.attachments.map((attachment) => attachment.filename)).toEqual(['poc.py']);
    const tampered = Buffer.from(raw.toString('latin1').replace('leaks tokens', 'leaks secrets'), 'latin1');
    expect((await open(tampered)).signature.status).toBe('invalid');
  });

  it('still verifies after an MTA rewrote the line ends to LF', async () => {
    const raw = pgpMimeSigned(innerEntity, detachSign(reporterFpr, innerEntity));
    const lf = Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect((await open(lf)).signature.status).toBe('valid');
  });

  it('says unknown-key for a signer we have no key for, and revoked-key for a revoked one', async () => {
    const unknown = await open(pgpMimeSigned(innerEntity, detachSign(strangerFpr, innerEntity)));
    expect(unknown.signature).toMatchObject({ status: 'unknown-key', keyId: strangerFpr.slice(-16) });
    const revoked = await open(pgpMimeSigned(innerEntity, revokedSignature));
    expect(revoked.signature).toMatchObject({ status: 'revoked-key', fingerprint: revokedFpr });
    const encryptedUnknown = await open(pgpMimeEncrypted(encryptAndSignTo(teamKey.getFingerprint(), innerEntity, strangerFpr)));
    expect(encryptedUnknown.signature.status).toBe('unknown-key');
  });
});

describe('inline PGP from gpg', () => {
  it('decrypts an inline-armored encrypted and signed body', async () => {
    const armored = encryptAndSignTo(teamKey.getFingerprint(), 'Inline report: the API leaks tokens.\n');
    const opened = await open(plainText(`Hi team,\r\n\r\n${armored.replace(/\n/g, '\r\n')}`));
    expect(opened.encryption).toBe('inline');
    expect(opened.signature).toMatchObject({ status: 'valid', fingerprint: reporterFpr, partial: true });
    expect(opened.textBody).toContain('Inline report: the API leaks tokens.');
    expect(opened.textBody).not.toContain('BEGIN PGP');
  });

  it('verifies clear-signed text and flags unsigned text around it', async () => {
    const signed = gpg.ok(['--local-user', reporterFpr, '--clearsign'], 'Signed report.\n').toString('utf8');
    const whole = await open(plainText(signed));
    expect(whole).toMatchObject({ encryption: 'none', signature: { status: 'valid', fingerprint: reporterFpr } });
    expect(whole.signature.partial).toBeUndefined();
    expect(whole.textBody.trim()).toBe('Signed report.');
    const footer = await open(plainText(`${signed}\n-- \nlist footer added by a mailing list\n`));
    expect(footer.signature).toMatchObject({ status: 'valid', partial: true });
    const tampered = await open(plainText(signed.replace('Signed report.', 'Signed r3port.')));
    expect(tampered.signature.status).toBe('invalid');
  });

  it('decrypts inline-encrypted attachments (name.pgp) alongside an inline body', async () => {
    const body = encryptAndSignTo(teamKey.getFingerprint(), 'see attachment\n');
    const attachment = gpg.ok(['--trust-model', 'always', '--encrypt', '--recipient', teamKey.getFingerprint()], 'binary proof');
    const raw = Buffer.from(
      [
        headers('multipart/mixed; boundary="mixed"'),
        '',
        '--mixed',
        'Content-Type: text/plain',
        '',
        body.trimEnd(),
        '--mixed',
        'Content-Type: application/octet-stream; name="proof.bin.pgp"',
        'Content-Disposition: attachment; filename="proof.bin.pgp"',
        'Content-Transfer-Encoding: base64',
        '',
        attachment.toString('base64'),
        '--mixed',
        'Content-Type: application/octet-stream; name="pubkey.gpg"',
        'Content-Disposition: attachment; filename="pubkey.gpg"',
        'Content-Transfer-Encoding: base64',
        '',
        gpg.exportPublic(reporterFpr, false).toString('base64'),
        '--mixed--',
        '',
      ].join('\r\n'),
    );
    const opened = await open(raw);
    expect(opened.encryption).toBe('inline');
    expect(opened.attachments[0]).toEqual({ filename: 'proof.bin', contentType: 'application/octet-stream', content: Buffer.from('binary proof') });
    // A .gpg file that is not an encrypted message (here a binary key) stays as it came.
    expect(opened.attachments[1]).toMatchObject({ filename: 'pubkey.gpg', content: gpg.exportPublic(reporterFpr, false) });
  });
});

describe('plain mail', () => {
  it('returns text, html and an attached public key', async () => {
    const key = gpg.exportPublic(reporterFpr).toString('utf8');
    const raw = Buffer.from(
      [
        headers('multipart/mixed; boundary="m"'),
        '',
        '--m',
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Plain report.',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Plain report.</p>',
        '--alt--',
        '--m',
        'Content-Type: application/pgp-keys; name="0xKEY.asc"',
        'Content-Disposition: attachment; filename="0xKEY.asc"',
        '',
        key.trimEnd(),
        '--m--',
        '',
      ].join('\r\n'),
    );
    const opened = await open(raw);
    expect(opened).toMatchObject({ encryption: 'none', signature: { status: 'none' } });
    expect(opened.textBody.trim()).toBe('Plain report.');
    expect(opened.htmlBody?.trim()).toBe('<p>Plain report.</p>');
    expect(opened.attachedPublicKeys.map((entry) => entry.fingerprint)).toEqual([reporterFpr]);
    expect(opened.attachedPublicKeys[0]?.userIds).toEqual(['Renée Reporter <reporter@example.net>']);
  });
});
