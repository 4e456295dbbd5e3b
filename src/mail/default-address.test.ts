// Issue 15 item 2: on a quick-start instance (MAIL_FROM and TEAM_EMAIL left at `security@localhost`) every
// signed mail died — the MIME builder refused a one-label domain that RFC 5321 §4.1.2 allows and that the
// unsigned path sent fine. With a team key generated in the browser, a mail now reaches a real SMTP relay
// on loopback, signed, and `gpg --verify` accepts it. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { change } from '../context.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { currentTeamKey } from '../keys/team-keys.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, signedInClient, type TestApp } from '../testing/harness.js';
import { enqueueMail } from './outbox.js';
import { gpgVerifyPgpMime, headerOf, startSmtpSink, type SmtpSink } from './testing/mail.js';

describe.each(testDialects())('signed mail from the default address on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // Only the passphrase and the relay are configured: MAIL_FROM and TEAM_EMAIL keep their defaults.
    t = await createTestApp(dialect, { pgpPassphrase: 'quick start passphrase', smtpUrl: sink.url });
    t.clock.set(new Date());
    gpg = new TempGnupg();
  });
  afterAll(async () => {
    await sink?.close();
    gpg?.cleanup();
    await t?.close();
  });

  it('generates the key in the browser and sends a signed mail from security@localhost that gpg verifies', async () => {
    expect(t.ctx.config.mailFrom).toBe('Cordon <security@localhost>');
    const admin = await signedInClient(t, await makeUser(t, { username: 'admin', roles: ['admin'] }));
    const page = await admin.get('/admin/keys');
    expect(page.body).toContain('The addresses are placeholders.');
    expect((await admin.post('/admin/keys/generate', { algorithm: 'ed25519' }, '/admin/keys')).statusCode).toBe(303);
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);

    await change(t.system, ({ enqueue }) => enqueueMail(enqueue, { to: ['dana@example.net'], subject: 'Signed from the default address', text: 'Hello.\n' }));
    await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
    const job = await t.ctx.storage.db.selectFrom('jobs').select(['status', 'last_error']).where('kind', '=', 'mail.send').executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'done', last_error: null });
    const delivery = await t.ctx.storage.db.selectFrom('mail_deliveries').select(['status', 'protection']).where('recipient', '=', 'dana@example.net').executeTakeFirstOrThrow();
    expect(delivery).toEqual({ status: 'sent', protection: 'signed' });
    const mail = sink.received.map((m) => m.raw).find((raw) => headerOf(raw, 'Subject') === 'Signed from the default address');
    expect(headerOf(mail ?? '', 'From')).toBe('Cordon <security@localhost>');
    expect(gpgVerifyPgpMime(gpg, mail!).stderr).toMatch(/Good signature from "Cordon Security Team <security@localhost>"/);
  });
});
