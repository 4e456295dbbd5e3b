// Outgoing mail checked with the real GnuPG: every mail is PGP/MIME signed once a team key exists
// (gpg --verify), private content is encrypted to the recipient's key (gpg --decrypt) or withheld, and
// relay errors are recorded per recipient as bounces or retries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { change } from '../context.js';
import { createProject } from '../projects/projects.js';
import { receiveReport } from '../reports/intake.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { JobRegistry, Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { createTestApp, makeUser, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { generateAndStoreTeamKey, currentTeamKey } from '../keys/team-keys.js';
import { setUserKey } from '../keys/public-keys.js';
import { addContact, createOrg } from '../stakeholders/stakeholders.js';
import { mailDirectory } from '../reports/address-keys.js';
import { enqueueMail, mailJobHandler, MAIL_JOB, type OutgoingMail } from './outbox.js';
import { reportIdForToken, tokenInAddress } from './reply-address.js';
import { gpgDecryptPgpMime, gpgVerifyPgpMime, headerOf, outboxMessages } from './testing/mail.js';

describe.each(testDialects())('the outbox on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  const seen = new Set<string>();

  async function send(mail: OutgoingMail, registry = buildJobRegistry(t.ctx)): Promise<{ file: string; raw: string }[]> {
    t.clock.set(new Date());
    await change(t.system, ({ enqueue }) => enqueueMail(enqueue, mail));
    await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry }).drain();
    const fresh = outboxMessages(t.db.dataDir).filter((m) => !seen.has(m.file));
    for (const m of fresh) seen.add(m.file);
    return fresh;
  }
  const delivery = (recipient: string) =>
    t.ctx.storage.db.selectFrom('mail_deliveries').selectAll().where('recipient', '=', recipient).orderBy('id', 'desc').executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: 'outbox test passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>', publicUrl: 'https://security.example.org' });
    t.clock.set(new Date());
    gpg = new TempGnupg();
    const alice = await makeUser(t, { username: 'alice', totp: false });
    await makeUser(t, { username: 'carol', totp: false });
    const aliceFpr = gpg.generateKey({ uid: 'Alice <alice@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    const distroFpr = gpg.generateKey({ uid: 'Distro <distro@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    const expiredFpr = gpg.generateKey({ uid: 'Carol <carol@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519', expire: '1y', fakedTime: '20200101T000000' });
    t.clock.set(new Date());
    await setUserKey(t.system, alice.user.id, gpg.exportPublic(aliceFpr).toString('utf8'));
    const org = await createOrg(t.system, { name: 'Distro' });
    await addContact(t.system, org, { kind: 'list', name: 'Distro security', email: 'distro@example.net', wantsEncryption: true, pgpPublicKey: gpg.exportPublic(distroFpr).toString('utf8') });
    // A key that was fine when added and has expired since (setUserKey would refuse it today).
    const carol = await t.ctx.storage.db.selectFrom('users').select('id').where('username', '=', 'carol').executeTakeFirstOrThrow();
    await t.ctx.storage.db.insertInto('user_pgp_keys').values({ user_id: carol.id, fingerprint: expiredFpr, public_key: gpg.exportPublic(expiredFpr).toString('utf8'), added_at: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z' }).execute();
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('sends plain mail as before while there is no team key', async () => {
    const [mail, extra] = await send({ to: ['bob@example.org'], subject: 'Plain hello', text: 'No key yet.\n' });
    expect(extra).toBeUndefined();
    expect(mail?.raw).toContain('No key yet.');
    expect(headerOf(mail?.raw ?? '', 'Content-Type')).toMatch(/^text\/plain/);
    expect(await delivery('bob@example.org')).toMatchObject({ status: 'sent', protection: 'plain', private_withheld: 0 });
  });

  it('signs every mail with the team key once there is one: gpg --verify accepts it', async () => {
    await generateAndStoreTeamKey(t.system, { name: 'Example VMT', email: 'security@example.org' });
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    const [mail] = await send({ to: ['bob@example.org'], subject: 'Signed hello', text: 'Signed by the team.\n' });
    expect(headerOf(mail!.raw, 'Content-Type')).toMatch(/^multipart\/signed; micalg=pgp-sha(256|512); protocol="application\/pgp-signature"/);
    expect(gpgVerifyPgpMime(gpg, mail!.raw).stderr).toMatch(/Good signature from "Example VMT <security@example.org>"/);
    expect(await delivery('bob@example.org')).toMatchObject({ status: 'sent', protection: 'signed' });
  });

  it('puts the report’s reply address in Reply-To of mail about a report', async () => {
    t.clock.set(new Date());
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const { report } = await receiveReport(t.system, { title: 'x', description: 'y', projects: ['nova'], email: 'rita@example.net' }, [], 'web');
    const [mail] = await send({ to: ['bob@example.org'], subject: `[Cordon ${report.ref}] A comment was added.`, text: 'link\n', headers: { 'X-Cordon-Report': report.ref } });
    const replyTo = headerOf(mail!.raw, 'Reply-To') ?? '';
    const token = tokenInAddress('security@example.org', replyTo);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(await reportIdForToken(t.ctx.storage.db, token!)).toBe(report.id);
  });

  it('encrypts private content to each recipient’s key, one mail each; gpg --decrypt opens it and checks the team signature', async () => {
    const mails = await send({ to: ['alice@example.org', 'distro@example.net'], subject: 'Private details', text: 'Notice: see the link.\n', privateBody: 'The secret detail marker-7q2.\n' });
    expect(mails).toHaveLength(2);
    for (const mail of mails) {
      expect(headerOf(mail.raw, 'Content-Type')).toMatch(/^multipart\/encrypted; protocol="application\/pgp-encrypted"/);
      expect(mail.raw).not.toContain('marker-7q2');
      const opened = gpgDecryptPgpMime(gpg, mail.raw);
      expect(opened.status).toBe(0);
      expect(opened.stdout.toString('utf8')).toContain('The secret detail marker-7q2.');
      expect(opened.stderr).toMatch(/Good signature from "Example VMT <security@example.org>"/);
    }
    expect(await delivery('alice@example.org')).toMatchObject({ protection: 'encrypted', private_withheld: 0 });
    expect(await delivery('distro@example.net')).toMatchObject({ protection: 'encrypted', private_withheld: 0 });
  });

  it('never sends private content in clear by default: a signed notice instead, saying why', async () => {
    const mails = await send({ to: ['bob@example.org', 'carol@example.org'], subject: 'Private details', text: 'Notice: see the link.\n', privateBody: 'The secret detail marker-9z4.\n' });
    const noKey = mails.find((m) => headerOf(m.raw, 'To') === 'bob@example.org');
    const expired = mails.find((m) => headerOf(m.raw, 'To') === 'carol@example.org');
    for (const mail of [noKey, expired]) {
      expect(mail!.raw).not.toContain('marker-9z4');
      expect(mail!.raw).toContain('Notice: see the link.');
      expect(gpgVerifyPgpMime(gpg, mail!.raw).stderr).toMatch(/Good signature/);
    }
    expect(noKey!.raw).toContain('We have no OpenPGP key for you.');
    expect(expired!.raw.replace(/=\r?\n/g, '')).toMatch(/Your OpenPGP key on file cannot be used: .*expired/);
    expect(await delivery('bob@example.org')).toMatchObject({ protection: 'signed', private_withheld: 1 });
  });

  it('sends attachments with the mail; with private content they are encrypted with it or withheld with it', async () => {
    const attachments = [{ filename: 'cve-2026-0001-master.patch', content: 'From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] fix marker-att5\n', contentType: 'text/x-patch' }];
    const [publicMail] = await send({ to: ['bob@example.org'], subject: 'Files', text: 'Public text.\n', attachments });
    expect(gpgVerifyPgpMime(gpg, publicMail!.raw).stderr).toMatch(/Good signature/);
    const attachmentText = async (raw: string | Buffer) => {
      const parsed = await PostalMime.parse(raw);
      const found = parsed.attachments.find((a) => a.filename === 'cve-2026-0001-master.patch');
      return found ? Buffer.from(found.content as ArrayBuffer).toString('utf8') : null;
    };
    expect(await attachmentText(publicMail!.raw)).toContain('marker-att5');
    const mails = await send({ to: ['alice@example.org', 'bob@example.org'], subject: 'Private files', text: 'Notice.\n', privateBody: 'Private.\n', attachments });
    const encrypted = mails.find((m) => headerOf(m.raw, 'To') === 'alice@example.org')!;
    const withheld = mails.find((m) => headerOf(m.raw, 'To') === 'bob@example.org')!;
    expect(encrypted.raw).not.toContain('cve-2026-0001-master.patch');
    expect(await attachmentText(gpgDecryptPgpMime(gpg, encrypted.raw).stdout)).toContain('marker-att5');
    expect(withheld.raw).not.toContain('cve-2026-0001-master.patch');
    expect(await attachmentText(withheld.raw)).toBeNull();
  });

  it('sends private content in clear (signed) only when MAIL_PRIVATE_IN_CLEAR allows it', async () => {
    t.ctx.config.mailPrivateInClear = true;
    try {
      const [mail] = await send({ to: ['bob@example.org'], subject: 'Private details', text: 'Notice.\n', privateBody: 'Allowed in clear marker-3c1.\n' });
      expect(mail!.raw).toContain('marker-3c1');
      expect(gpgVerifyPgpMime(gpg, mail!.raw).stderr).toMatch(/Good signature/);
    } finally {
      t.ctx.config.mailPrivateInClear = false;
    }
  });

  it('records relay refusals: a 5xx bounces at once, a 4xx is retried with backoff', async () => {
    const received: Buffer[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address === 'gone@example.net') return callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
        if (address.address === 'later@example.net') return callback(Object.assign(new Error('4.2.1 Try again later'), { responseCode: 451 }));
        return callback();
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    try {
      const registry = new JobRegistry().register(mailJobHandler({ ...t.ctx.config, smtpUrl: `smtp://127.0.0.1:${port}` }, mailDirectory));
      await send({ to: ['gone@example.net', 'later@example.net', 'ok@example.net'], subject: 'Relay test', text: 'hello\n' }, registry);
      expect(await delivery('gone@example.net')).toMatchObject({ status: 'bounced' });
      expect((await delivery('gone@example.net')).last_error).toContain('550');
      expect(await delivery('later@example.net')).toMatchObject({ status: 'queued' });
      expect((await delivery('later@example.net')).last_error).toContain('451');
      expect(await delivery('ok@example.net')).toMatchObject({ status: 'sent', protection: 'signed' });
      const jobs = await t.ctx.storage.db.selectFrom('jobs').select(['payload', 'status', 'last_error', 'run_at']).where('kind', '=', MAIL_JOB).execute();
      const job = (to: string) => jobs.find((j) => (JSON.parse(j.payload) as OutgoingMail).to[0] === to && j.payload.includes('Relay test'));
      expect(job('gone@example.net')).toMatchObject({ status: 'dead' });
      expect(job('gone@example.net')?.last_error).toContain('550');
      expect(job('later@example.net')).toMatchObject({ status: 'queued' });
      expect(job('later@example.net')!.run_at > t.clock.now().toISOString()).toBe(true);
      // What reached the relay is the signed message, byte for byte.
      expect(received).toHaveLength(1);
      expect(gpgVerifyPgpMime(gpg, received[0]!.toString('latin1')).stderr).toMatch(/Good signature/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
