// The walkthrough, with the real CLI and the real GnuPG: `cordon keys init`, the contact page
// shows the fingerprint, a mail encrypted with gpg to the team key and piped into `cordon mail ingest`
// appears as a private report in the VMT queue, and the acknowledgement mail the reporter receives
// verifies with gpg.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildUserActor } from '../access/load-actor.js';
import { createProject } from '../projects/projects.js';
import { acknowledge } from '../reports/triage.js';
import { listReports } from '../reports/store.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { childEnv, testDialects } from '../testing/databases.js';
import { repoPath } from '../testing/fixture-files.js';
import { createTestApp, makeUser, TestClient, type TestApp } from '../testing/harness.js';
import { gpgDecryptPgpMime, gpgEncrypt, gpgVerifyPgpMime, headerOf, innerEntity, outboxMessages, pgpMimeMessage } from '../mail/testing/mail.js';
import { formatFingerprint } from './public-keys.js';

const ENV = {
  PGP_PASSPHRASE: 'walkthrough team passphrase',
  TEAM_EMAIL: 'security@example.org',
  MAIL_FROM: 'Example VMT <security@example.org>',
  PUBLIC_URL: 'https://security.example.org',
};

describe.each(testDialects())('walkthrough: encrypted report by mail on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;

  const cordon = (args: string[], input?: Buffer) => {
    const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), ...args], { env: childEnv(t.db, ENV), input, cwd: repoPath(), encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: ENV.PGP_PASSPHRASE, teamEmail: ENV.TEAM_EMAIL, mailFrom: ENV.MAIL_FROM, publicUrl: ENV.PUBLIC_URL });
    t.clock.set(new Date());
    gpg = new TempGnupg();
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('keys init → contact page → gpg mail → mail ingest → VMT queue → acknowledgement verified by gpg', async () => {
    // 1. The team key, made by the CLI.
    const init = cordon(['keys', 'init', '--name', 'Example VMT', '--email', 'security@example.org']);
    expect(init.code, init.err).toBe(0);
    const fingerprint = /team key created ([0-9A-F ]+)\n/.exec(init.out)?.[1]?.replace(/ /g, '') ?? '';
    expect(fingerprint).toMatch(/^[0-9A-F]{40}$/);

    // 2. The contact page shows its fingerprint.
    const contact = await new TestClient(t).get('/contact');
    expect(contact.body).toContain(formatFingerprint(fingerprint));

    // 3. A reporter encrypts to the exported key with gpg, signs, attaches their own key.
    const exported = cordon(['keys', 'export']);
    expect(exported.code).toBe(0);
    gpg.importKey(exported.out);
    expect(gpg.fingerprintOf('security@example.org')).toBe(fingerprint);
    const reporterFpr = gpg.generateKey({ uid: 'Rita Reporter <rita@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    const inner = innerEntity('Nova leaks admin tokens into its debug log.\n\nProject: nova', [
      { filename: 'rita.asc', contentType: 'application/pgp-keys', content: gpg.exportPublic(reporterFpr).toString('utf8') },
    ]);
    const mail = pgpMimeMessage({ from: 'Rita Reporter <rita@example.net>', to: 'security@example.org', subject: 'Token leak in Nova' }, gpgEncrypt(gpg, inner, fingerprint, reporterFpr));

    // 4. The MTA pipes it into `cordon mail ingest`.
    const ingested = cordon(['mail', 'ingest', '--recipient', 'security@example.org'], mail);
    expect(ingested.code, ingested.err).toBe(0);
    const ref = /processed \(report (R-[A-Z2-9]{8})\)/.exec(ingested.out)?.[1] ?? '';
    expect(ref).not.toBe('');

    // 5. It is a private report in the VMT queue, with the signature status recorded.
    const vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    const vmtActor = await buildUserActor(t.ctx.storage.db, t.ctx.config, vmt.user, { kind: 'session', mfaPassed: true });
    const queued = (await listReports(t.ctx.storage.db, t.ctx.storage.dialect, vmtActor)).items.find((r) => r.ref === ref);
    expect(queued).toMatchObject({ title: 'Token leak in Nova', visibility: 'private' });
    const inbound = await t.ctx.storage.db.selectFrom('inbound_messages').select(['signature_status', 'signer_fingerprint', 'encryption']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(inbound).toEqual({ signature_status: 'valid', signer_fingerprint: reporterFpr, encryption: 'pgp-mime' });
    const anonymous = await new TestClient(t).get(`/reports/${ref}`);
    expect(anonymous.statusCode).toBe(404);

    // 6. The VMT acknowledges; a worker sends the mail.
    t.clock.set(new Date());
    await acknowledge({ app: t.ctx, actor: vmtActor, requestId: null }, ref);
    const worker = cordon(['worker', '--once']);
    expect(worker.code, worker.err).toBe(0);
    const toRita = outboxMessages(t.db.dataDir).filter((m) => headerOf(m.raw, 'To') === 'rita@example.net');

    // 7. The acknowledgement the reporter receives verifies with gpg, and replies go to the report.
    const ack = toRita.find((m) => headerOf(m.raw, 'Subject')?.includes('Your report was acknowledged.'));
    expect(ack).toBeDefined();
    const verified = gpgVerifyPgpMime(gpg, ack!.raw);
    expect(verified.status).toBe(0);
    expect(verified.stderr).toMatch(/Good signature from "Example VMT <security@example.org>"/);
    expect(headerOf(ack!.raw, 'Reply-To')).toMatch(/^security\+r-[0-9a-f]{32}@example\.org$/);

    // The receipt carries the private link, encrypted to the key the reporter attached.
    const receipt = toRita.find((m) => headerOf(m.raw, 'Subject')?.includes('Your report was received'));
    expect(headerOf(receipt!.raw, 'Content-Type')).toMatch(/^multipart\/encrypted/);
    const opened = gpgDecryptPgpMime(gpg, receipt!.raw);
    expect(opened.status).toBe(0);
    expect(opened.stdout.toString('utf8')).toContain('https://security.example.org/r/');
    expect(opened.stderr).toMatch(/Good signature from "Example VMT <security@example.org>"/);
  });
});
