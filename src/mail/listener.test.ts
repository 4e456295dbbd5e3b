// The built-in SMTP listener on loopback, driven by nodemailer as a real client: mail for the team is
// stored and processed, other recipients and oversized mail are refused, and bad mail is quarantined
// without stopping the listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { createProject } from '../projects/projects.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../keys/team-keys.js';
import { startMailListener, type MailListener } from './listener.js';
import type { InboundResult } from './inbound-process.js';
import { gpgEncrypt, innerEntity, pgpMimeMessage } from './testing/mail.js';
import { mailIntake } from '../reports/intake-mail/mail-intake.js';

describe.each(testDialects())('the SMTP listener on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let listener: MailListener;
  let small: MailListener;
  let teamFpr: string;
  const results: InboundResult[] = [];

  const transport = (port: number) => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const refusal = async (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as { responseCode?: number; message: string });
  const rows = () => t.ctx.storage.db.selectFrom('inbound_messages').select(['id', 'via', 'status', 'reason_code', 'encryption', 'report_id']).orderBy('id').execute();

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: 'listener test passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>' });
    t.clock.set(new Date());
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    ({ fingerprint: teamFpr } = await generateAndStoreTeamKey(t.system, {}));
    gpg = new TempGnupg();
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    listener = await startMailListener(t.ctx, mailIntake, { host: '127.0.0.1', port: 0, onProcessed: (r) => results.push(r) });
    small = await startMailListener(t.ctx, mailIntake, { host: '127.0.0.1', port: 0, maxMessageBytes: 4096 });
  });
  afterAll(async () => {
    await listener.close();
    await small.close();
    gpg.cleanup();
    await t.close();
  });

  it('listens on a free loopback port', () => {
    expect(listener.host).toBe('127.0.0.1');
    expect(listener.port).toBeGreaterThan(0);
  });

  it('round trip: nodemailer sends to the listener, which stores and processes the message', async () => {
    t.clock.set(new Date());
    const info = (await transport(listener.port).sendMail({ from: 'Rita <rita@example.net>', to: 'security@example.org', subject: '[nova] Found over SMTP', text: 'Details of the flaw.' })) as { response: string };
    expect(info.response).toMatch(/^250 .*accepted as #\d+/);
    const last = results.at(-1);
    expect(last).toMatchObject({ status: 'processed' });
    const report = await t.ctx.storage.db.selectFrom('reports').select(['title', 'source', 'reporter_email']).where('ref', '=', last!.reportRef!).executeTakeFirstOrThrow();
    expect(report).toEqual({ title: '[nova] Found over SMTP', source: 'email', reporter_email: 'rita@example.net' });
    expect((await rows()).at(-1)).toMatchObject({ via: 'smtp', status: 'processed' });
  });

  it('takes a gpg-encrypted PGP/MIME message sent raw', async () => {
    t.clock.set(new Date());
    const raw = pgpMimeMessage({ from: 'rita@example.net', to: 'security@example.org', subject: '[nova] Encrypted over SMTP' }, gpgEncrypt(gpg, innerEntity('Encrypted details.'), teamFpr));
    await transport(listener.port).sendMail({ envelope: { from: 'rita@example.net', to: ['security@example.org'] }, raw });
    expect((await rows()).at(-1)).toMatchObject({ status: 'processed', encryption: 'pgp-mime' });
  });

  it('is not a relay: other recipients are refused with 550 and nothing is stored', async () => {
    const before = (await rows()).length;
    const error = await refusal(transport(listener.port).sendMail({ from: 'x@example.net', to: 'someone@elsewhere.example', subject: 'relay?', text: 'no' }));
    expect(error?.responseCode).toBe(550);
    expect((await rows()).length).toBe(before);
  });

  it('refuses oversized mail with 552', async () => {
    const error = await refusal(transport(small.port).sendMail({ from: 'x@example.net', to: 'security@example.org', subject: 'big', text: 'x'.repeat(20_000) }));
    expect(error?.responseCode).toBe(552);
  });

  it('keeps running after bad mail, which is stored and quarantined with a reason', async () => {
    const send = (raw: Buffer) => transport(listener.port).sendMail({ envelope: { from: 'x@example.net', to: ['security@example.org'] }, raw });
    const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x41, 0x42, 0x0d, 0x0a]);
    const badPgp = pgpMimeMessage({ from: 'x@example.net', to: 'security@example.org', subject: 'x' }, '-----BEGIN PGP MESSAGE-----\n\nZ2FyYmFnZQ==\n-----END PGP MESSAGE-----');
    const noBoundary = Buffer.from('From: x@example.net\r\nTo: security@example.org\r\nSubject: y\r\nContent-Type: multipart/mixed\r\n\r\n--a\r\nz\r\n');
    for (const raw of [garbage, badPgp, noBoundary]) {
      await send(raw);
      expect((await rows()).at(-1)).toMatchObject({ status: 'quarantined' });
    }
    t.clock.set(new Date());
    await transport(listener.port).sendMail({ from: 'rita@example.net', to: 'security@example.org', subject: '[nova] still here', text: 'After the bad ones.' });
    expect((await rows()).at(-1)).toMatchObject({ status: 'processed' });
  });
});
