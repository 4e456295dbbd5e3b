// Sending the downstream pre-notice (issue 7): blocked while a patch is not ready or a stakeholder key is
// unusable (nothing queued), then one mail per recipient — signed (gpg --verify) or, for lists that want
// it, the `[vs] ` variant encrypted to the list's key (gpg --decrypt) — with the patches under their
// download names, per-recipient state and a working acknowledgement link. Both databases, real git and gpg.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { testDialects } from '../testing/databases.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { generateAndStoreTeamKey, currentTeamKey } from '../keys/team-keys.js';
import { addContact, createOrg } from '../stakeholders/stakeholders.js';
import { gpgDecryptPgpMime, gpgVerifyPgpMime, headerOf, outboxMessages } from '../mail/testing/mail.js';
import { seriesDownloadFor } from '../patches/loaders.js';
import { createPatchWorld, type PatchWorld } from '../patches/testing/world.js';
import { TestClient } from '../testing/harness.js';
import { refusal } from '../reports/testing/deadline-fixtures.js';
import type { Scope } from '../context.js';
import { sendPreNotice } from './prenotice.js';
import { recipientsOfPlan } from './recipients.js';
import { cancelDisclosure, moveDisclosure } from './changes.js';
import { runKey } from './run.js';

describe.each(testDialects())('pre-notice on %s', (dialect) => {
  let w: PatchWorld;
  let gpg: TempGnupg;
  let vmt: Scope;
  let patchIds: number[];
  let expiredContact: number;
  const countQueued = async () => Number((await w.t.ctx.storage.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'mail.send').executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    w = await createPatchWorld(dialect);
    Object.assign(w.t.ctx.config, { pgpPassphrase: 'disclosure test passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>', publicUrl: 'https://security.example.org' });
    gpg = new TempGnupg();
    const distroFpr = gpg.generateKey({ uid: 'Distro <distro-sec@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519', fakedTime: '20251201T000000!' });
    const oldFpr = gpg.generateKey({ uid: 'Old <old@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519', expire: '1y', fakedTime: '20200101T000000!' });
    await generateAndStoreTeamKey(w.t.system, { name: 'Example VMT', email: 'security@example.org' });
    gpg.importKey((await currentTeamKey(w.t.ctx.storage.db))!.public_key);
    const distro = await createOrg(w.t.system, { name: 'Distro', followsProjects: ['nova'] });
    await addContact(w.t.system, distro, { kind: 'list', name: 'Distro security', email: 'distro-sec@example.net', wantsEncryption: true, pgpPublicKey: gpg.exportPublic(distroFpr).toString('utf8') });
    await addContact(w.t.system, distro, { kind: 'person', name: 'Dana', email: 'dana@example.net' });
    const row = await w.t.ctx.storage.db.insertInto('stakeholder_contacts').values({ org_id: distro, kind: 'list', name: 'Old list', email: 'old@example.net', wants_encryption: 1, pgp_public_key: gpg.exportPublic(oldFpr).toString('utf8'), user_id: null }).returning('id').executeTakeFirstOrThrow();
    expiredContact = row.id;
    vmt = await w.scopeOf(w.users.vmt);
    const res = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches`, { project: 'nova', branches: ['master'], mbox: w.patches.series });
    expect(res.statusCode, res.body).toBe(201);
    patchIds = (JSON.parse(res.body) as { targets: { patches: number[] }[] }).targets[0]!.patches;
    await w.drain();
  }, 90_000);
  afterAll(async () => {
    gpg?.cleanup();
    await w?.close();
  });

  it('blocks while a patch is not pre-approved, naming the branch and the reason; nothing is queued', async () => {
    const before = await countQueued();
    const err = await refusal(sendPreNotice(vmt, w.ref));
    expect(err.fields.map((f) => f.message).join(' ')).toMatch(/Nova master: .*not pre-approved/);
    expect(await countQueued()).toBe(before);
    for (const id of patchIds) expect((await w.clients.coresec!.json('POST', `/api/v1/reports/${w.ref}/patches/${id}/votes`, { score: 2 })).statusCode).toBe(201);
  });

  it('refuses encryption to an expired stakeholder key, listing the recipient; nothing is queued', async () => {
    const before = await countQueued();
    const err = await refusal(sendPreNotice(vmt, w.ref));
    expect(err.message).toMatch(/nothing was sent/);
    expect(err.fields.map((f) => f.field)).toEqual(['recipients.old@example.net']);
        expect(err.fields[0]?.message).toMatch(/old@example\.net.*expire/i);
    expect(await countQueued()).toBe(before);
    expect(await w.t.ctx.storage.db.selectFrom('disclosure_plans').selectAll().execute()).toEqual([]);
    await w.t.ctx.storage.db.deleteFrom('stakeholder_contacts').where('id', '=', expiredContact).execute();
  });

  it('refuses a time that breaks the rules unless a reason is given', async () => {
    const err = await refusal(sendPreNotice(vmt, w.ref, { at: '2020-01-07T15:00:00Z' }));
    expect(err.fields[0]?.field).toBe('reason');
  });

  it('sends one signed mail per recipient and the [vs] variant encrypted to the list key, with the patches named by the rule', async () => {
    const seen = new Set(outboxMessages(w.t.db.dataDir).map((m) => m.file));
    const { planId, recipients } = await sendPreNotice(vmt, w.ref);
    expect(recipients).toBe(2);
    await w.drain();
    const mails = outboxMessages(w.t.db.dataDir).filter((m) => !seen.has(m.file));
    const to = (addr: string) => mails.find((m) => headerOf(m.raw, 'To')?.includes(addr));
    const plain = to('dana@example.net');
    const vs = to('distro-sec@example.net');
    expect(headerOf(plain?.raw ?? '', 'Subject')).toBe('[pre-OSSA] Vulnerability in Nova (CVE pending)');
    expect(headerOf(vs?.raw ?? '', 'Subject')?.startsWith('[vs] [pre-OSSA] Vulnerability in Nova')).toBe(true);
    expect(gpgVerifyPgpMime(gpg, plain!.raw).status).toBe(0);
    expect(vs!.raw).not.toContain('Tokens are accepted unchecked');
    // Undo quoted-printable soft line breaks (RFC 2045 §6.7) so long lines can be searched whole.
    const decrypted = gpgDecryptPgpMime(gpg, vs!.raw).stdout.toString('utf8').replace(/=\r?\n/g, '');
    expect(decrypted).toContain('Tokens are accepted unchecked.');
    expect(decrypted).toContain(`https://security.example.org/reports/${w.ref}`);
    const series = await seriesDownloadFor(vmt, w.ref, 'nova|nova|master');
    // The patches are MIME attachments under the naming rule (DESIGN.md §3: CVE or report id, branch),
    // inside the encrypted part for the [vs] variant, each the series as one mbox for `git am`.
    expect(series.fileName).toMatch(new RegExp(`^${w.ref.toLowerCase()}-master\\.patch$`));
    const inner = await PostalMime.parse(gpgDecryptPgpMime(gpg, vs!.raw).stdout);
    const outer = await PostalMime.parse(plain!.raw);
    for (const parsed of [inner, outer]) {
      const patch = parsed.attachments.find((a) => a.filename === series.fileName);
      expect(patch?.mimeType).toBe('text/x-patch');
      expect(Buffer.from(patch!.content as ArrayBuffer).toString('utf8')).toBe(series.body.endsWith('\n') ? series.body : `${series.body}\n`);
    }
    expect(decrypted).not.toContain('diff --git');
    expect(decrypted).toContain(`  ${series.fileName}`);
    // Nothing of the report or its patches travels in clear around the encrypted variant.
    expect(vs!.raw).not.toContain(series.fileName);

    const row = await w.t.ctx.storage.db.selectFrom('reports').select(['planned_disclosure_at']).where('id', '=', w.reportId).executeTakeFirstOrThrow();
    expect(row.planned_disclosure_at).toMatch(/T15:00:00\.000Z$/);
    const states = await recipientsOfPlan(w.t.ctx.storage.db, planId);
    expect(states.map((s) => [s.email, s.variant, s.state])).toEqual([
      ['dana@example.net', 'signed', 'sent'],
      ['distro-sec@example.net', 'encrypted', 'sent'],
    ]);

    // The acknowledgement link from the mail marks that recipient acknowledged; the token is not stored.
    const link = /\/disclosure\/ack\/([A-Za-z0-9_-]+)/.exec(decrypted)?.[1] ?? '';
    const stored = await w.t.ctx.storage.db.selectFrom('prenotice_recipients').select('ack_token_hash').execute();
    expect(stored.map((s) => s.ack_token_hash)).not.toContain(link);
    const anonymous = new TestClient(w.t);
    // Opening the link only shows a button (mail scanners fetch links); pressing it acknowledges.
    const confirm = await anonymous.get(`/disclosure/ack/${link}`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Acknowledge receipt');
    expect((await recipientsOfPlan(w.t.ctx.storage.db, planId)).find((s) => s.email === 'distro-sec@example.net')?.state).toBe('sent');
    const posted = await anonymous.post(`/disclosure/ack/${link}`, {}, `/disclosure/ack/${link}`);
    expect(posted.statusCode).toBe(303);
    const res = await anonymous.get(posted.headers.location as string);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Your acknowledgement is recorded for');
    expect(res.body).toContain('Pre-notice acknowledged');
    expect(res.body).not.toContain('Acknowledge receipt');
    expect((await anonymous.get(`/disclosure/ack/${link.slice(0, -2)}xx`)).statusCode).toBe(404);
    expect((await anonymous.post(`/disclosure/ack/${link.slice(0, -2)}xx`, {}, `/disclosure/ack/${link}`)).statusCode).toBe(404);
    const after = await recipientsOfPlan(w.t.ctx.storage.db, planId);
    expect(after.find((s) => s.email === 'distro-sec@example.net')?.state).toBe('acknowledged');
    expect(after.find((s) => s.email === 'dana@example.net')?.state).toBe('sent');
  });

  it('shows the plan and recipient states to the VMT only; nothing about the report is public before the hour', async () => {
    const page = await w.clients.vmt!.get(`/reports/${w.ref}/disclosure`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('distro-sec@example.net');
    expect(page.body).toContain('badge ok">acknowledged<');
    expect(page.body).toContain('scheduled');
    expect(page.body).toContain('Disclosure-hour steps');
    // A developer may read the report but not its disclosure plan; outsiders see nothing.
    expect((await w.clients.developer!.get(`/reports/${w.ref}/disclosure`)).statusCode).toBe(404);
    expect((await w.clients.unrelated!.get(`/reports/${w.ref}/disclosure`)).statusCode).toBe(404);
    const dashboard = await w.clients.vmt!.get('/disclosures');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain(w.ref);
    expect(dashboard.body).toContain('1 of 2');
    expect(dashboard.body).toMatch(/class="countdown" data-countdown-to="[^"]+T15:00:00\.000Z"/);
    // The report page shows the VMT the plan, a countdown and each recipient's state; a developer
    // subscribed to the report reads the report but not who was pre-notified.
    const vmtView = await w.clients.vmt!.get(`/reports/${w.ref}`);
    expect(vmtView.body).toContain('id="disclosure-heading"');
    expect(vmtView.body).toContain('distro-sec@example.net');
    expect(vmtView.body).toMatch(/Disclosure in <span class="countdown"[^>]*>\d+ days? \d\d h \d\d min</);
    const developerView = await w.clients.developer!.get(`/reports/${w.ref}`);
    expect(developerView.statusCode).toBe(200);
    expect(developerView.body).not.toContain('distro-sec@example.net');
    expect(developerView.body).not.toContain('disclosure-heading');
    expect((await w.clients.developer!.get('/disclosures')).statusCode).toBe(404);
    const anonymous = new TestClient(w.t);
    expect((await anonymous.get(`/reports/${w.ref}`)).statusCode).toBe(404);
    expect((await anonymous.get(`/reports/${w.ref}/disclosure`)).statusCode).not.toBe(200);
    const report = await w.t.ctx.storage.db.selectFrom('reports').select(['visibility', 'public_at']).where('id', '=', w.reportId).executeTakeFirstOrThrow();
    expect(report.public_at).toBeNull();
  });

  it('moving the date re-notifies every recipient (signed) and reschedules the job; cancelling stops it', async () => {
    const seen = new Set(outboxMessages(w.t.db.dataDir).map((m) => m.file));
    const plan = await w.t.ctx.storage.db.selectFrom('disclosure_plans').selectAll().where('report_id', '=', w.reportId).executeTakeFirstOrThrow();
    await moveDisclosure(vmt, w.ref, { at: '2026-01-22' });
    await w.drain();
    const mails = outboxMessages(w.t.db.dataDir).filter((m) => !seen.has(m.file));
    expect(mails.map((m) => headerOf(m.raw, 'To')).sort()).toEqual(['dana@example.net', 'distro-sec@example.net']);
    for (const m of mails) {
      expect(headerOf(m.raw, 'Subject')).toBe('[pre-OSSA] New disclosure date: Vulnerability in Nova (CVE pending)');
      expect(gpgVerifyPgpMime(gpg, m.raw).status).toBe(0);
    }
    const jobs = async () => w.t.ctx.storage.db.selectFrom('jobs').select(['status', 'run_at', 'dedupe_key']).where('kind', '=', 'disclosure.run').orderBy('id').execute();
    const afterMove = await jobs();
    expect(afterMove.map((j) => j.status)).toEqual(['cancelled', 'queued']);
    expect(afterMove[1]).toMatchObject({ dedupe_key: runKey(plan.id, plan.version + 1), run_at: '2026-01-22T15:00:00.000Z' });
    expect((await w.t.ctx.storage.db.selectFrom('reports').select('planned_disclosure_at').where('id', '=', w.reportId).executeTakeFirstOrThrow()).planned_disclosure_at).toBe('2026-01-22T15:00:00.000Z');

    expect((await refusal(cancelDisclosure(vmt, w.ref, ' '))).fields[0]?.field).toBe('reason');
    await cancelDisclosure(vmt, w.ref, 'The fix needs more work.');
    expect((await jobs()).map((j) => j.status)).toEqual(['cancelled', 'cancelled']);
    expect((await w.t.ctx.storage.db.selectFrom('disclosure_plans').select('state').where('id', '=', plan.id).executeTakeFirstOrThrow()).state).toBe('cancelled');
  });
});
