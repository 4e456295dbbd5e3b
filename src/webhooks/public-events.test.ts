// Public events carry the public record and nothing more: a published advisory's body holds exactly the
// record `GET /api/v1/advisories/{id}` shows, a published note's what `GET /api/v1/notes/{id}` shows an
// anonymous caller; both reach the instance-wide endpoint and the endpoint of the project's lead, signed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveAdvisory, createAdvisory } from '../advisories/commands.js';
import { publishAdvisory } from '../advisories/publish.js';
import { classAReport, completeForm, discloseReport, enterPublicationSettings, makeCast, scopeOf } from '../advisories/testing/advisories.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { claimNote, flagNote } from '../notes/flagging.js';
import { requestPublication } from '../notes/publish.js';
import { saveRevision } from '../notes/revisions.js';
import { castVote, submitForReview } from '../notes/review.js';
import { completeNote, setUpNotesTeam, userScope } from '../notes/testing/fixtures.js';
import { setProjectMember } from '../projects/projects.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, TestClient, type TestApp } from '../testing/harness.js';
import { createEndpoint } from './endpoints.js';
import { verifyDelivery } from './signature.js';
import { Receiver, type Received } from './testing/receiver.js';

const verified = (r: Received, secret: string) => verifyDelivery(secret, String(r.headers['x-cordon-timestamp']), r.body, String(r.headers['x-cordon-signature-256']));

async function projectId(t: TestApp, slug: string): Promise<number> {
  return (await t.ctx.storage.db.selectFrom('projects').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

describe.each(testDialects())('public webhook events on %s', (dialect) => {
  let t: TestApp;
  let receiver: Receiver;
  const drain = () => new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.start();
  });
  afterAll(async () => receiver.stop());

  describe('an advisory', () => {
    beforeAll(async () => {
      t = await createTestApp(dialect, { webhookAllowPrivateNetworks: true });
      t.clock.set(new Date('2026-05-12T15:00:00Z'));
    });
    afterAll(async () => t.close());

    it('published: the public record, to the admin’s endpoint and the project lead’s', async () => {
      const cast = await makeCast(t);
      await enterPublicationSettings(t);
      const report = await classAReport(t, cast);
      const adminHook = await createEndpoint(await scopeOf(t, cast.admin), null, { url: receiver.url('/adv-admin'), events: ['advisory.published'], active: true });
      const leadHook = await createEndpoint(await scopeOf(t, cast.lead), await projectId(t, 'nova'), { url: receiver.url('/adv-lead'), events: ['advisory.published'], active: true });
      const vmt = await scopeOf(t, cast.vmt);
      const ref = await createAdvisory(vmt, completeForm({ description: report.impact }), { reportRef: report.ref });
      await approveAdvisory(await scopeOf(t, cast.vmt2), ref, 1);
      await discloseReport(t, report.ref);
      await publishAdvisory(vmt, ref, 1, 'Coordinated disclosure.');
      await drain();

      const api = (await new TestClient(t).get(`/api/v1/advisories/${ref}`, 'application/json')).json<{ url: string; record: unknown }>();
      for (const [path, secret] of [
        ['/adv-admin', adminHook.secret],
        ['/adv-lead', leadHook.secret],
      ] as const) {
        const got = receiver.on(path);
        expect(got.map((r) => r.headers['x-cordon-event'])).toEqual(['advisory.published']);
        expect(verified(got[0]!, secret)).toBe(true);
        const body = JSON.parse(got[0]!.body) as { event: string; advisory: { id: string; url: string; record: unknown } };
        expect(body.advisory).toEqual({ id: ref, url: api.url, record: api.record });
      }
    });
  });

  describe('a note', () => {
    beforeAll(async () => {
      t = await createTestApp(dialect, { webhookAllowPrivateNetworks: true, announceLists: ['announce@lists.example.org'] });
      t.clock.set(new Date());
    });
    afterAll(async () => t.close());

    it('published: what the notes API shows anyone, to the admin’s endpoint and the project lead’s', async () => {
      const team = await setUpNotesTeam(t);
      const admin = await makeUser(t, { username: 'hookadmin', roles: ['admin'] });
      const lead = await makeUser(t, { username: 'novalead', totp: false });
      await setProjectMember(t.system, 'nova', lead.user.id, 'lead', true);
      const adminHook = await createEndpoint(await scopeOf(t, admin), null, { url: receiver.url('/note-admin'), events: ['note.published'], active: true });
      const leadHook = await createEndpoint(await scopeOf(t, lead), await projectId(t, 'nova'), { url: receiver.url('/note-lead'), events: ['note.published'], active: true });

      const author = await userScope(t, team.core[0]!);
      const { ref } = await flagNote(author, { title: 'Announce me', reason: '', projects: ['nova'] });
      const id = await claimNote(author, ref);
      await saveRevision(author, id, completeNote(1));
      await submitForReview(author, id);
      for (const [u, value] of [[team.core[1]!, 2], [team.core[2]!, 2], [team.novaCore, 1]] as const) await castVote(await userScope(t, u), id, { revision: 2, value, comment: '' });
      expect((await requestPublication(author, id, 'Approved by the review rule.')).outcome).toBe('published');
      await drain();

      const api = (await new TestClient(t).get(`/api/v1/notes/${id}`, 'application/json')).json<Record<string, unknown>>();
      expect(api.id).toBe(id);
      for (const [path, secret] of [
        ['/note-admin', adminHook.secret],
        ['/note-lead', leadHook.secret],
      ] as const) {
        const got = receiver.on(path);
        expect(got.map((r) => r.headers['x-cordon-event'])).toEqual(['note.published']);
        expect(verified(got[0]!, secret)).toBe(true);
        const body = JSON.parse(got[0]!.body) as { note: Record<string, unknown> };
        expect(body.note).toEqual({ ...api, url: `http://cordon.test/notes/${id}` });
      }
    });
  });
});
