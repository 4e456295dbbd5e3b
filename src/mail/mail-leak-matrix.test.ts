// The leak matrix for notification mail, on the mail actually delivered (.eml files): who receives what
// about a private report, signed or encrypted. Notifications reach only those who may read the event
// and never carry the report's content in clear; private content goes out encrypted to each reader's
// key, or not at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../context.js';
import { change } from '../context.js';
import { buildUserActor } from '../access/load-actor.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { receiveReport } from '../reports/intake.js';
import { addComment } from '../reports/collaboration.js';
import { subscribe } from '../reports/ladder.js';
import { acknowledge } from '../reports/triage.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { createTestApp, makeUser, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../keys/team-keys.js';
import { setUserKey } from '../keys/public-keys.js';
import { enqueueMail } from './outbox.js';
import { gpgDecryptPgpMime, gpgVerifyPgpMime, headerOf, outboxMessages } from './testing/mail.js';

const MARKERS = ['title-marker-5h1', 'description-marker-2k8', 'vmt-comment-marker-7p3', 'everyone-comment-marker-4x9'];
// Who may read the report: the reporter, the subscribers and the VMT. Never the unrelated user or the admin.
const READERS = ['reporter', 'coresec', 'stakeholder', 'vmt1', 'vmt2'];
const VMT = ['vmt1', 'vmt2'];
const WITH_KEYS = ['reporter', 'coresec', 'vmt1', 'unrelated', 'admin'];

describe.each(testDialects())('leak matrix (notification mail) on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let users: Record<string, TestUser>;
  let ref: string;
  const seen = new Set<string>();
  const who = (address: string) => address.replace('@example.org', '');
  const scopeOf = async (u: TestUser): Promise<Scope> => ({ app: t.ctx, requestId: null, actor: await buildUserActor(t.ctx.storage.db, t.ctx.config, u.user, { kind: 'session', mfaPassed: true }) });

  /** Runs the worker and returns the mails delivered since the last call. */
  async function delivered() {
    t.clock.set(new Date());
    await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
    const fresh = outboxMessages(t.db.dataDir).filter((m) => !seen.has(m.file));
    for (const m of fresh) seen.add(m.file);
    return fresh.map((m) => ({ to: who(headerOf(m.raw, 'To') ?? ''), subject: headerOf(m.raw, 'Subject') ?? '', raw: m.raw }));
  }

  function expectSafe(mails: { to: string; raw: string }[]) {
    for (const mail of mails) {
      for (const marker of MARKERS) expect(mail.raw, `${mail.to} got ${marker} in clear`).not.toContain(marker);
      expect(gpgVerifyPgpMime(gpg, mail.raw).stderr, mail.to).toMatch(/Good signature from "Example VMT/);
    }
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: 'mail leak matrix passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>' });
    t.clock.set(new Date());
    gpg = new TempGnupg();
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    users = {
      reporter: await makeUser(t, { username: 'reporter', totp: false }),
      coresec: await makeUser(t, { username: 'coresec', totp: false }),
      stakeholder: await makeUser(t, { username: 'stakeholder', totp: false }),
      unrelated: await makeUser(t, { username: 'unrelated', totp: false }),
      vmt1: await makeUser(t, { username: 'vmt1', roles: ['vmt'] }),
      vmt2: await makeUser(t, { username: 'vmt2', roles: ['vmt'] }),
      admin: await makeUser(t, { username: 'admin', roles: ['admin'] }),
    };
    await setProjectMember(t.system, 'nova', users.coresec!.user.id, 'coresec', true);
    await generateAndStoreTeamKey(t.system, { name: 'Example VMT', email: 'security@example.org' });
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    for (const name of WITH_KEYS) {
      const fpr = gpg.generateKey({ uid: `${name} <${name}@example.org>`, algo: 'ed25519', encryptionAlgo: 'cv25519' });
      t.clock.set(new Date());
      await setUserKey(t.system, users[name]!.user.id, gpg.exportPublic(fpr).toString('utf8'));
    }
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('a new report: only the VMT is told, signed, without its content', async () => {
    const received = await receiveReport(await scopeOf(users.reporter!), { title: 'Overflow title-marker-5h1', description: 'description-marker-2k8', projects: ['nova'], email: 'reporter@example.org' }, [], 'web');
    ref = received.report.ref;
    const mails = await delivered();
    expect(mails.map((m) => m.to).sort()).toEqual(VMT);
    expectSafe(mails);
  });

  it('widening the ladder: the VMT and the new subscriber only', async () => {
    const vmt = await scopeOf(users.vmt1!);
    await subscribe(vmt, ref, { username: 'coresec', level: 'coresec', reason: 'fix reason-marker-3q' });
    await subscribe(vmt, ref, { username: 'stakeholder', level: 'stakeholder', reason: 'asked reason-marker-8v' });
    const mails = await delivered();
    expect([...new Set(mails.map((m) => m.to))].sort()).toEqual(['coresec', 'stakeholder', 'vmt1', 'vmt2']);
    expectSafe(mails);
  });

  it('a VMT-only comment reaches the other VMT member only; a comment for everyone reaches every reader but its author', async () => {
    const vmt = await scopeOf(users.vmt1!);
    await addComment(vmt, ref, { body: 'vmt-comment-marker-7p3', visibility: 'vmt' });
    const vmtOnly = await delivered();
    expect(vmtOnly.map((m) => m.to)).toEqual(['vmt2']);
    await addComment(vmt, ref, { body: 'everyone-comment-marker-4x9', visibility: 'everyone' });
    const everyone = await delivered();
    expect(everyone.map((m) => m.to).sort()).toEqual(['coresec', 'reporter', 'stakeholder', 'vmt2']);
    expectSafe([...vmtOnly, ...everyone]);
  });

  it('the acknowledgement reaches the reporter and readers, signed, with the report’s reply address', async () => {
    await acknowledge(await scopeOf(users.vmt2!), ref);
    const mails = await delivered();
    expect(mails.map((m) => m.to).sort()).toEqual(['coresec', 'reporter', 'stakeholder', 'vmt1']);
    for (const mail of mails) expect(headerOf(mail.raw, 'Reply-To')).toMatch(/^security\+r-[0-9a-f]{32}@example\.org$/);
    expectSafe(mails);
  });

  it('who was let in, and why, is in no mail: no reason, and no subscriber is named to anyone else (issue 13)', async () => {
    const all = outboxMessages(t.db.dataDir).map((m) => ({ to: who(headerOf(m.raw, 'To') ?? ''), raw: m.raw }));
    expect(all.length).toBeGreaterThan(10);
    for (const m of all) {
      for (const marker of ['reason-marker-3q', 'reason-marker-8v']) expect(m.raw, `${m.to} got ${marker}`).not.toContain(marker);
      for (const other of ['coresec', 'stakeholder'].filter((n) => n !== m.to)) expect(m.raw, `${m.to} was told about ${other}`).not.toContain(`User ${other}`);
    }
  });

  it('nobody outside the report ever got mail about it', async () => {
    const all = outboxMessages(t.db.dataDir).map((m) => ({ to: who(headerOf(m.raw, 'To') ?? ''), raw: m.raw })).filter((m) => m.raw.includes(ref));
    expect(all.length).toBeGreaterThan(10);
    for (const m of all) expect(READERS, m.to).toContain(m.to);
  });

  it('private content: encrypted to each reader with a key (gpg opens it), a notice for those without', async () => {
    const readers = READERS.map((name) => `${name}@example.org`);
    await change(t.system, ({ enqueue }) =>
      enqueueMail(enqueue, { to: readers, subject: `[Cordon ${ref}] Details`, text: `Sign in to read ${ref}.\n`, privateBody: 'Details: description-marker-2k8\n', headers: { 'X-Cordon-Report': ref } }),
    );
    const mails = await delivered();
    const protection = Object.fromEntries(mails.map((m) => [m.to, /^multipart\/encrypted/.test(headerOf(m.raw, 'Content-Type') ?? '') ? 'encrypted' : 'notice']));
    expect(protection).toEqual({ reporter: 'encrypted', coresec: 'encrypted', vmt1: 'encrypted', stakeholder: 'notice', vmt2: 'notice' });
    for (const mail of mails) {
      expect(mail.raw).not.toContain('description-marker-2k8');
      if (protection[mail.to] === 'encrypted') {
        const opened = gpgDecryptPgpMime(gpg, mail.raw);
        expect(opened.stdout.toString('utf8')).toContain('Details: description-marker-2k8');
        expect(opened.stderr).toMatch(/Good signature from "Example VMT/);
      } else {
        expect(gpgVerifyPgpMime(gpg, mail.raw).stderr).toMatch(/Good signature/);
        expect(mail.raw).toContain('We have no OpenPGP key for you.');
      }
    }
    const rows = await t.ctx.storage.db.selectFrom('mail_deliveries').select(['recipient', 'protection', 'private_withheld']).where('subject', '=', `[Cordon ${ref}] Details`).orderBy('recipient').execute();
    expect(rows.map((r) => [who(r.recipient), r.protection, r.private_withheld])).toEqual([
      ['coresec', 'encrypted', 0],
      ['reporter', 'encrypted', 0],
      ['stakeholder', 'signed', 1],
      ['vmt1', 'encrypted', 0],
      ['vmt2', 'signed', 1],
    ]);
  });
});
