// The announcement of a published note, delivered by the real mail worker to .eml files: subject
// `[OSSN-NNNN] TITLE` (DESIGN.md §3), the note as plain text, PGP/MIME signed by the team key — and the
// real GnuPG accepts the signature, one mail per announcement list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { JobRegistry, Worker } from '../jobs/worker.js';
import { mailDirectory } from '../reports/address-keys.js';
import { mailJobHandler } from '../mail/outbox.js';
import { gpgVerifyPgpMime, headerOf, outboxMessages } from '../mail/testing/mail.js';
import { splitMultipart, decodeQuotedPrintable } from '../mail/testing/mime.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../keys/team-keys.js';
import { claimNote, flagNote } from './flagging.js';
import { saveRevision } from './revisions.js';
import { castVote, submitForReview } from './review.js';
import { requestPublication } from './publish.js';
import { completeNote, setUpNotesTeam, userScope } from './testing/fixtures.js';

const LISTS = ['openstack-announce@lists.example.org', 'openstack-discuss@lists.example.org'];

describe.each(testDialects())('the signed note announcement on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;

  beforeAll(async () => {
    t = await createTestApp(dialect, { announceLists: LISTS, pgpPassphrase: 'notes test passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>' });
    // The key is made now, so the signing clock must not be earlier than its creation.
    t.clock.set(new Date());
    gpg = new TempGnupg();
    await generateAndStoreTeamKey(t.system, { name: 'Example VMT', email: 'security@example.org' });
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('goes to every list as [OSSN-0001] TITLE, signed; gpg --verify says Good signature', async () => {
    const team = await setUpNotesTeam(t);
    const author = await userScope(t, team.core[0]!);
    const { ref } = await flagNote(author, { title: 'Announce me', reason: '', projects: ['nova'] });
    const id = await claimNote(author, ref);
    await saveRevision(author, id, completeNote(1, { title: 'Glance image cache keeps deleted images readable' }));
    await submitForReview(author, id);
    for (const [u, value] of [[team.core[1]!, 2], [team.core[2]!, 2], [team.novaCore, 1]] as const) await castVote(await userScope(t, u), id, { revision: 2, value, comment: '' });
    expect(await requestPublication(author, id, 'Approved by the review rule.')).toEqual({ outcome: 'published', mails: 2 });

    const registry = new JobRegistry().register(mailJobHandler(t.ctx.config, mailDirectory));
    await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry }).drain();
    const mails = outboxMessages(t.db.dataDir);
    expect(mails.map((m) => headerOf(m.raw, 'To')).sort()).toEqual(LISTS);
    for (const mail of mails) {
      expect(headerOf(mail.raw, 'Subject')).toBe('[OSSN-0001] Glance image cache keeps deleted images readable');
      expect(headerOf(mail.raw, 'Content-Type')).toMatch(/^multipart\/signed; .*protocol="application\/pgp-signature"/);
      const verified = gpgVerifyPgpMime(gpg, mail.raw);
      expect(verified.status).toBe(0);
      expect(verified.stderr).toMatch(/Good signature from "Example VMT <security@example.org>"/);
      const signed = splitMultipart(mail.raw)[0]?.raw ?? '';
      const text = decodeQuotedPrintable(signed).replace(/\r\n/g, '\n');
      expect(text).toContain('Glance image cache keeps deleted images readable\n---\n\n### Summary ###');
      expect(text).toContain('### Recommended Actions ###');
    }
  });
});
