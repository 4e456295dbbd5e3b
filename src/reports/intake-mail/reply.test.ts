// Replies to a report's reply address become comments only when the sender may comment there, and a
// sender with a key on file must sign with it; everything else is quarantined with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../context.js';
import { buildUserActor } from '../../access/load-actor.js';
import { createProject } from '../../projects/projects.js';
import { readComments } from '../collaboration.js';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { createTestApp, makeUser, type TestApp, type TestUser } from '../../testing/harness.js';
import { testDialects } from '../../testing/databases.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../../keys/team-keys.js';
import { setUserKey } from '../../keys/public-keys.js';
import { storeInboundMessage } from '../../mail/inbound-store.js';
import { processInboundMessage } from '../../mail/inbound-process.js';
import { ensureReplyToken, replyAddress } from '../../mail/reply-address.js';
import { gpgEncrypt, inlineMessage, innerEntity, pgpMimeMessage, plainMessage, type TestHeaders } from '../../mail/testing/mail.js';
import { mailIntake } from './mail-intake.js';

describe.each(testDialects())('replies by mail on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let vmt: TestUser;
  let vmtScope: Scope;
  let teamFpr: string;
  let ritaFpr: string;
  let vmtFpr: string;
  let strangerFpr: string;
  let reportId: number;
  let replyTo: string;

  async function ingest(raw: Buffer) {
    t.clock.set(new Date());
    const id = await storeInboundMessage(t.system, { raw, via: 'smtp', envelopeTo: [replyTo] });
    return processInboundMessage(t.ctx, id, mailIntake);
  }
  const h = (from: string, subject = 'Re: [Cordon] Your report was received'): TestHeaders => ({ from, to: replyTo, subject });
  const comments = async () => readComments(vmtScope, reportId, true);

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: 'reply pipeline passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>' });
    t.clock.set(new Date());
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    await makeUser(t, { username: 'vmtnokey', roles: ['vmt'] });
    await makeUser(t, { username: 'outsider', totp: false });
    vmtScope = { app: t.ctx, requestId: null, actor: await buildUserActor(t.ctx.storage.db, t.ctx.config, vmt.user, { kind: 'session', mfaPassed: true }) };
    ({ fingerprint: teamFpr } = await generateAndStoreTeamKey(t.system, {}));
    gpg = new TempGnupg();
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    ritaFpr = gpg.generateKey({ uid: 'Rita Reporter <rita@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    vmtFpr = gpg.generateKey({ uid: 'User vmt <vmt@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    strangerFpr = gpg.generateKey({ uid: 'Stranger <stranger@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    t.clock.set(new Date());
    await setUserKey(vmtScope, vmt.user.id, gpg.exportPublic(vmtFpr).toString('utf8'));
    // Rita reports by encrypted mail with her key attached.
    const inner = innerEntity('Nova crashes on long names.', [{ filename: 'rita.asc', contentType: 'application/pgp-keys', content: gpg.exportPublic(ritaFpr).toString('utf8') }]);
    replyTo = 'security@example.org';
    const filed = await ingest(pgpMimeMessage(h('Rita <rita@example.net>', '[nova] crash'), gpgEncrypt(gpg, inner, teamFpr, ritaFpr)));
    expect(filed.status).toBe('processed');
    reportId = (await t.ctx.storage.db.selectFrom('reports').select('id').where('ref', '=', filed.reportRef!).executeTakeFirstOrThrow()).id;
    replyTo = replyAddress('security@example.org', await ensureReplyToken(t.ctx.storage, reportId, t.clock.now()));
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('uses a reply address with a per-report token, never the subject', () => {
    expect(replyTo).toMatch(/^security\+r-[0-9a-f]{32}@example\.org$/);
  });

  it('adds the reporter’s signed reply as a comment, without the quoted original', async () => {
    const signed = gpg.ok(['--clearsign', '--local-user', ritaFpr], 'It also crashes on empty names.\n\nOn Tue, the team wrote:\n> We received your report\n').toString('utf8');
    const result = await ingest(inlineMessage(h('Rita <rita@example.net>'), signed));
    expect(result.status).toBe('processed');
    const added = (await comments()).find((c) => c.id === result.commentId);
    expect(added).toMatchObject({ visibility: 'everyone', body: 'It also crashes on empty names.' });
  });

  it('adds an encrypted, signed reply with an attachment', async () => {
    const inner = innerEntity('A better proof of concept.', [{ filename: 'poc2.py', contentType: 'text/x-python', content: 'print(2)\n' }]);
    const result = await ingest(pgpMimeMessage(h('Rita <rita@example.net>'), gpgEncrypt(gpg, inner, teamFpr, ritaFpr)));
    expect(result.status).toBe('processed');
    expect((await comments()).some((c) => c.body === 'A better proof of concept.')).toBe(true);
    const files = await t.ctx.storage.db.selectFrom('report_attachments').select('filename').where('report_id', '=', reportId).execute();
    expect(files.map((f) => f.filename)).toContain('poc2.py');
  });

  it('adds a VMT member’s reply signed with their own key', async () => {
    const signed = gpg.ok(['--clearsign', '--local-user', vmtFpr], 'Confirmed on master.\n').toString('utf8');
    const result = await ingest(inlineMessage(h('User vmt <vmt@example.org>'), signed));
    expect(result.status).toBe('processed');
    expect((await comments()).find((c) => c.id === result.commentId)).toMatchObject({ author_id: vmt.user.id, body: 'Confirmed on master.' });
  });

  it('quarantines replies that may not become comments, each with its reason', async () => {
    const before = (await comments()).length;
    const quotedOnly = gpg.ok(['--clearsign', '--local-user', ritaFpr], '> quoted only\n').toString('utf8');
    const stranger = gpg.ok(['--clearsign', '--local-user', strangerFpr], 'I am Rita, really.\n').toString('utf8');
    const cases: [string, Buffer, string][] = [
      ['unsigned, from a reporter with a key on file', plainMessage(h('Rita <rita@example.net>'), 'Please disclose now.\n'), 'signature_required'],
      ['signed by someone else’s (unknown) key', inlineMessage(h('Rita <rita@example.net>'), stranger), 'signature_not_trusted'],
      ['unsigned, from a VMT member with a key on file', plainMessage(h('vmt@example.org'), 'unsigned\n'), 'signature_required'],
      ['from a VMT member without a key (the role needs a signature as second factor)', plainMessage(h('vmtnokey@example.org'), 'hi\n'), 'may_not_comment'],
      ['from a user without access to the report', plainMessage(h('outsider@example.org'), 'let me in\n'), 'may_not_comment'],
      ['from an unknown sender', plainMessage(h('stranger@example.net'), 'hello\n'), 'unknown_sender'],
      ['with only a quoted original', inlineMessage(h('Rita <rita@example.net>'), quotedOnly), 'empty'],
    ];
    for (const [what, raw, code] of cases) {
      const result = await ingest(raw);
      expect({ what, status: result.status, code: result.reasonCode }).toEqual({ what, status: 'quarantined', code });
    }
    expect((await comments()).length).toBe(before);
  });
});
