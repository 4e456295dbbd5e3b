// Incoming mail to the team address, made by the real GnuPG: PGP/MIME and inline, encrypted and signed,
// becomes a private report in the VMT queue with its signature status recorded; bad input of every kind
// is quarantined with a reason, and the raw message is always stored first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../context.js';
import { buildUserActor } from '../../access/load-actor.js';
import { createProject } from '../../projects/projects.js';
import { listReports } from '../store.js';
import { readComments } from '../collaboration.js';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { createTestApp, makeUser, type TestApp } from '../../testing/harness.js';
import { testDialects } from '../../testing/databases.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../../keys/team-keys.js';
import { storeInboundMessage } from '../../mail/inbound-store.js';
import { processInboundMessage, retryInboundMessage } from '../../mail/inbound-process.js';
import { MAIL_JOB, type OutgoingMail } from '../../mail/outbox.js';
import { gpgEncrypt, headerLines, inlineMessage, innerEntity, pgpMimeMessage, plainMessage, type TestHeaders } from '../../mail/testing/mail.js';
import { mailIntake } from './mail-intake.js';

const PASSPHRASE = 'inbound pipeline passphrase';

describe.each(testDialects())('incoming mail to the team on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let vmtScope: Scope;
  let teamFpr: string;
  let reporterFpr: string;
  let strangerFpr: string;

  const to = 'Security <security@example.org>';
  const h = (subject: string, from = 'Rita Reporter <rita@example.net>', extra: string[] = []): TestHeaders => ({ from, to, subject, extra });

  async function ingest(raw: Buffer, envelopeTo: string[] = []) {
    // Keys and signatures made by gpg just now must not look "from the future" to the test clock.
    t.clock.set(new Date());
    const id = await storeInboundMessage(t.system, { raw, via: 'pipe', envelopeTo });
    const result = await processInboundMessage(t.ctx, id, mailIntake);
    const row = await t.ctx.storage.db.selectFrom('inbound_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // Nothing is lost: the stored bytes are exactly what arrived, whatever happened next.
    expect(Buffer.from(row.raw).equals(raw)).toBe(true);
    return { result, row };
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: PASSPHRASE, teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>', publicUrl: 'https://security.example.org' });
    t.clock.set(new Date());
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    await createProject(t.system, { slug: 'swift', name: 'Swift', branches: ['master'] });
    const vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    vmtScope = { app: t.ctx, requestId: null, actor: await buildUserActor(t.ctx.storage.db, t.ctx.config, vmt.user, { kind: 'session', mfaPassed: true }) };
    ({ fingerprint: teamFpr } = await generateAndStoreTeamKey(t.system, { name: 'Example VMT', email: 'security@example.org' }));
    gpg = new TempGnupg();
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    reporterFpr = gpg.generateKey({ uid: 'Rita Reporter <rita@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    strangerFpr = gpg.generateKey({ uid: 'Stranger <stranger@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  async function vmtQueue() {
    return (await listReports(t.ctx.storage.db, t.ctx.storage.dialect, vmtScope.actor)).items;
  }

  it('files a PGP/MIME mail, encrypted and signed by gpg with the sender’s key attached, as a private report', async () => {
    const key = gpg.exportPublic(reporterFpr).toString('utf8');
    const inner = innerEntity('Nova leaks admin tokens in its logs.\nSteps: enable debug logging.', [
      { filename: 'poc.py', contentType: 'text/x-python', content: 'print("poc")\n' },
      { filename: 'rita.asc', contentType: 'application/pgp-keys', content: key },
    ]);
    const { result, row } = await ingest(pgpMimeMessage(h('[nova] Token leak in logs'), gpgEncrypt(gpg, inner, teamFpr, reporterFpr)));
    expect(result.status).toBe('processed');
    expect(row).toMatchObject({ status: 'processed', outcome: 'report', encryption: 'pgp-mime', signature_status: 'valid', signer_fingerprint: reporterFpr });
    const report = await t.ctx.storage.db.selectFrom('reports').selectAll().where('ref', '=', result.reportRef!).executeTakeFirstOrThrow();
    expect(report).toMatchObject({ title: '[nova] Token leak in logs', source: 'email', visibility: 'private', reporter_email: 'rita@example.net', state: 'new' });
    expect(report.description).toContain('Nova leaks admin tokens');
    expect(report.reporter_pgp_key).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect((await vmtQueue()).map((r) => r.ref)).toContain(report.ref);
    const files = await t.ctx.storage.db.selectFrom('report_attachments').select(['filename', 'content']).where('report_id', '=', report.id).execute();
    expect(files.map((f) => f.filename).sort()).toEqual(['poc.py', 'rita.asc']);
    // The triagers see how it arrived, in a note only the VMT reads.
    const notes = await readComments(vmtScope, report.id, true);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ visibility: 'vmt', author_label: 'Cordon mail' });
    expect(notes[0]!.body).toContain('Encryption: PGP/MIME');
    expect(notes[0]!.body).toMatch(/Signature: valid, by key [0-9A-F ]+ — a key attached to this same mail/);
    // The reporter is sent a receipt: the private part (title, link) only for encryption to their key.
    const jobs = await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', MAIL_JOB).execute();
    const receipt = jobs.map((j) => JSON.parse(j.payload) as OutgoingMail).find((m) => m.to[0] === 'rita@example.net');
    expect(receipt?.subject).toBe(`[Cordon ${report.ref}] Your report was received`);
    expect(receipt?.text).not.toContain('Token leak');
    expect(receipt?.privateBody).toContain('/r/');
    expect(receipt?.headers).toEqual({ 'X-Cordon-Report': report.ref });
  });

  it('files an inline-armored mail; a signature by a key we do not have is recorded as not verified', async () => {
    const armored = gpgEncrypt(gpg, 'Swift object server path traversal.\nProject: swift\n', teamFpr, strangerFpr);
    const { result, row } = await ingest(inlineMessage(h('Path traversal', 'Stranger <stranger@example.net>'), armored));
    expect(result.status).toBe('processed');
    expect(row).toMatchObject({ encryption: 'inline', signature_status: 'unknown-key' });
    const report = await t.ctx.storage.db.selectFrom('reports').selectAll().where('ref', '=', result.reportRef!).executeTakeFirstOrThrow();
    expect(report.description).toContain('path traversal');
    const projects = await t.ctx.storage.db.selectFrom('report_projects').innerJoin('projects', 'projects.id', 'report_projects.project_id').select('projects.slug').where('report_id', '=', report.id).execute();
    expect(projects.map((p) => p.slug)).toEqual(['swift']);
    const [note] = await readComments(vmtScope, report.id, true);
    expect(note?.body).toContain('Encryption: inline PGP');
    expect(note?.body).toMatch(/Signature: made by key [0-9A-F]{16}, which we do not have — not verified/);
  });

  it('files plain mail in ISO-8859-1 and keeps a title free of smuggled header lines', async () => {
    const injected = '=?UTF-8?Q?Nova_bug=0D=0ABcc:_evil@example.com?=';
    const { result } = await ingest(plainMessage(h(injected), 'Régis Müller found it.\nProject: nova\n', 'iso-8859-1'));
    expect(result.status).toBe('processed');
    const report = await t.ctx.storage.db.selectFrom('reports').selectAll().where('ref', '=', result.reportRef!).executeTakeFirstOrThrow();
    expect(report.title).toBe('Nova bug Bcc: evil@example.com');
    expect(report.description).toBe('Régis Müller found it.\nProject: nova');
    const [note] = await readComments(vmtScope, report.id, true);
    expect(note?.body).toContain('Encryption: none');
  });

  it('quarantines what it cannot read, with a reason, and keeps every raw message', async () => {
    const teamArmored = gpgEncrypt(gpg, innerEntity('x'), teamFpr);
    const deep = (() => {
      let body = 'Content-Type: text/plain\r\n\r\ndeep\r\n';
      for (let i = 0; i < 25; i += 1) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
      return Buffer.from(`${headerLines(h('deep'), 'multipart/mixed; boundary="outer"')}\r\n\r\n--outer\r\n${body}\r\n--outer--\r\n`);
    })();
    const cases: [string, Buffer, string][] = [
      ['garbage PGP', pgpMimeMessage(h('[nova] x'), '-----BEGIN PGP MESSAGE-----\n\nbm90IHJlYWxseSBwZ3A=\n=AAAA\n-----END PGP MESSAGE-----'), 'malformed_pgp'],
      ['truncated PGP', pgpMimeMessage(h('[nova] x'), teamArmored.slice(0, Math.floor(teamArmored.length / 2))), 'malformed_pgp'],
      ['the wrong key', pgpMimeMessage(h('[nova] x'), gpgEncrypt(gpg, innerEntity('secret'), reporterFpr)), 'not_encrypted_to_team'],
      ['a PGP/MIME message with one part', Buffer.from(`${headerLines(h('[nova] x'), 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="e"')}\r\n\r\n--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--e--\r\n`), 'malformed_mime'],
      ['a multipart without boundary', Buffer.from(`${headerLines(h('[nova] x'), 'multipart/mixed')}\r\n\r\n--x\r\nhello\r\n`), 'missing_boundary'],
      ['huge headers', Buffer.from(`${headerLines(h('[nova] x', 'Rita <rita@example.net>', [`X-Filler: ${'a'.repeat(300_000)}`]), 'text/plain')}\r\n\r\nbody\r\n`), 'header_too_large'],
      ['zip-bomb style nesting', deep, 'too_deep'],
      ['a bounce', plainMessage(h('Undelivered Mail Returned to Sender', 'MAILER-DAEMON@mx.example.net'), 'The mail system said no.\n'), 'automatic'],
      ['an auto-reply', plainMessage(h('Out of office', 'Rita <rita@example.net>', ['Auto-Submitted: auto-replied']), 'Away until Monday.\n'), 'automatic'],
      ['no sender', plainMessage(h('[nova] x', 'undisclosed-recipients:;'), 'text\n'), 'no_sender'],
      ['an unknown reply address', plainMessage({ ...h('Re: x'), to: 'security+r-0123456789abcdef0123456789abcdef@example.org' }, 'hi\n'), 'unknown_reply_address'],
    ];
    const before = (await vmtQueue()).length;
    for (const [what, raw, code] of cases) {
      const { result, row } = await ingest(raw);
      expect({ what, status: result.status, code: result.reasonCode }).toEqual({ what, status: 'quarantined', code });
      expect(row.reason, what).toBeTruthy();
    }
    expect((await vmtQueue()).length).toBe(before);
  });

  it('refuses a signature by a revoked key; reads an unknown charset without crashing', async () => {
    const revokedFpr = gpg.generateKey({ uid: 'Revoked <revoked@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    // Signed while the key was good; the key attached to the mail carries its revocation since.
    const signed = gpg.ok(['--clearsign', '--local-user', revokedFpr], 'Signed with a key that is now revoked.\n').toString('utf8');
    gpg.revoke(revokedFpr);
    const key = gpg.exportPublic(revokedFpr).toString('utf8');
    const entity = innerEntity(signed, [{ filename: 'key.asc', contentType: 'application/pgp-keys', content: key }]);
    const revoked = await ingest(Buffer.from(`${headerLines(h('[nova] revoked', 'Revoked <revoked@example.net>'), 'multipart/mixed; boundary="inner"')}\r\n${entity.slice(entity.indexOf('\r\n\r\n'))}`));
    expect(revoked.result).toMatchObject({ status: 'quarantined', reasonCode: 'bad_signature' });
    expect(revoked.row.signature_status).toBe('revoked-key');
    // An unknown charset is read as Latin-1 (the parser's fallback); control characters never reach the report.
    const odd = await ingest(plainMessage(h('[nova] charset'), 'caf\xe9 \x80\x81 bytes\n', 'x-unknown-charset'));
    expect(odd.result.status).toBe('processed');
    const report = await t.ctx.storage.db.selectFrom('reports').select('description').where('ref', '=', odd.result.reportRef!).executeTakeFirstOrThrow();
    expect(report.description).toBe('café  bytes');
  });

  it('quarantines a mail that names no project; an admin retry naming it files the report', async () => {
    const { result } = await ingest(plainMessage(h('A bug somewhere'), 'It crashes.\n'));
    expect(result).toMatchObject({ status: 'quarantined', reasonCode: 'no_project' });
    const again = await retryInboundMessage(t.system, result.id, mailIntake, { projectSlug: 'nova' });
    expect(again.status).toBe('processed');
    expect((await vmtQueue()).map((r) => r.ref)).toContain(again.reportRef);
  });

  it('processes the same bytes only once', async () => {
    const raw = plainMessage({ ...h('[nova] twice'), messageId: '<twice@example.net>' }, 'Sent twice by a retrying MTA.\n');
    const first = await ingest(raw);
    const second = await ingest(raw);
    expect(first.result.status).toBe('processed');
    expect(second.result.status).toBe('processed');
    expect(second.row.outcome).toBe('duplicate');
    expect((await vmtQueue()).filter((r) => r.title === '[nova] twice')).toHaveLength(1);
  });

  it('still opens mail encrypted to a retired team key after rotation', async () => {
    const toOldKey = pgpMimeMessage(h('[nova] to the old key'), gpgEncrypt(gpg, innerEntity('Encrypted before the rotation.'), teamFpr));
    await generateAndStoreTeamKey(t.system, {}, true);
    const { result, row } = await ingest(toOldKey);
    expect(result.status).toBe('processed');
    expect(row.encryption).toBe('pgp-mime');
  });
});
