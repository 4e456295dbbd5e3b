// Issue 13, finding 9, as an attacker would do it: file a report through the API under the victim's
// address with the attacker's key, then mail the team "From" the victim, signed with that key, through the
// real SMTP listener. The signature is valid, but the key proves nothing about the sender: only keys of
// accounts and of the stakeholder registry are "on file".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Scope } from '../../context.js';
import { buildUserActor } from '../../access/load-actor.js';
import { createProject } from '../../projects/projects.js';
import { readComments } from '../collaboration.js';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { createTestApp, makeUser, type TestApp, type TestUser } from '../../testing/harness.js';
import { testDialects } from '../../testing/databases.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../../keys/team-keys.js';
import { setUserKey } from '../../keys/public-keys.js';
import { startMailListener, type MailListener } from '../../mail/listener.js';
import type { InboundResult } from '../../mail/inbound-process.js';
import { gpgEncrypt, innerEntity, pgpMimeMessage } from '../../mail/testing/mail.js';
import { mailIntake } from './mail-intake.js';

describe.each(testDialects())('who signed a mail, on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let listener: MailListener;
  let vmtScope: Scope;
  let victim: TestUser;
  let teamFpr: string;
  let attackerFpr: string;
  let victimFpr: string;
  const results: InboundResult[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: 'sender keys passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>' });
    t.clock.set(new Date());
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    vmtScope = { app: t.ctx, requestId: null, actor: await buildUserActor(t.ctx.storage.db, t.ctx.config, vmt.user, { kind: 'session', mfaPassed: true }) };
    victim = await makeUser(t, { username: 'victim', totp: false });
    ({ fingerprint: teamFpr } = await generateAndStoreTeamKey(t.system, {}));
    gpg = new TempGnupg();
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    attackerFpr = gpg.generateKey({ uid: 'Victim <victim@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    victimFpr = gpg.generateKey({ uid: 'User victim <victim@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    listener = await startMailListener(t.ctx, mailIntake, { host: '127.0.0.1', port: 0, onProcessed: (r) => results.push(r) });
  }, 60_000);
  afterAll(async () => {
    await listener.close();
    gpg.cleanup();
    await t.close();
  });

  /** Mail the team over SMTP, encrypted to the team and signed by `signer`, without attaching any key. */
  async function mailFromVictim(subject: string, signer: string): Promise<string> {
    t.clock.set(new Date());
    const raw = pgpMimeMessage({ from: 'Victim <victim@example.org>', to: 'security@example.org', subject }, gpgEncrypt(gpg, innerEntity('Project: nova\nPlease embargo this.'), teamFpr, signer));
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'victim@example.org', to: ['security@example.org'] }, raw });
    const last = results.at(-1)!;
    expect(last).toMatchObject({ status: 'processed' });
    const report = await t.ctx.storage.db.selectFrom('reports').select('id').where('ref', '=', last.reportRef!).executeTakeFirstOrThrow();
    const notes = await readComments(vmtScope, report.id, true);
    expect(notes).toHaveLength(1);
    return notes[0]!.body;
  }

  it('a key given with a report under the victim’s address is not "on file" for mail from the victim', async () => {
    t.clock.set(new Date());
    const filed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      remoteAddress: '10.66.0.1',
      payload: JSON.stringify({ title: 'Decoy', description: 'Filed to plant a key.', projects: ['nova'], email: 'victim@example.org', stay_anonymous: true, pgp_key: gpg.exportPublic(attackerFpr).toString('utf8') }),
    });
    expect(filed.statusCode, filed.body).toBe(201);

    const note = await mailFromVictim('[nova] Forged in the victim’s name', attackerFpr);
    expect(note).toMatch(/Signature: valid, by key [0-9A-F ]+ — a key given by an unverified sender/);
    expect(note).not.toContain('on file');
  });

  it('the victim’s own account key is on file', async () => {
    t.clock.set(new Date());
    await setUserKey(vmtScope, victim.user.id, gpg.exportPublic(victimFpr).toString('utf8'));
    const note = await mailFromVictim('[nova] Really from the victim', victimFpr);
    expect(note).toMatch(/Signature: valid, by key [0-9A-F ]+ — a key on file for this sender \(their account or the stakeholder registry\)/);
    // And the attacker's key stays "given", even now that the address has an account key.
    expect(await mailFromVictim('[nova] Forged again', attackerFpr)).toContain('a key given by an unverified sender');
  });
});
