// Webhooks end to end, on both databases: endpoints registered through the pages, events raised by real
// changes, deliveries POSTed by the real job worker to a real HTTP server on 127.0.0.1 (allowed here with
// WEBHOOK_ALLOW_PRIVATE_NETWORKS), signatures checked with the secret shown once, retries after a 500 and a
// timeout, none after a 4xx, redelivery from the page and the API, and no private content anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import { change } from '../context.js';
import { makeCast, scopeOf, discloseReport, type AdvisoryCast } from '../advisories/testing/advisories.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { receiveReport } from '../reports/intake.js';
import { acknowledge, setState } from '../reports/triage.js';
import { extendEmbargo } from '../reports/embargo/decisions.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { verifyDelivery } from './signature.js';
import { openEndpointSecret } from './endpoints.js';
import { rotateSecrets } from '../accounts/secrets-at-rest.js';
import { Receiver, type Received } from './testing/receiver.js';

const MARKERS = ['title-marker-w8k', 'description-marker-p4z'];

describe.each(testDialects())('webhooks on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  let receiver: Receiver;
  let admin: TestClient;
  let lead: TestClient;
  let adminSecret = '';
  let leadSecret = '';
  let privateRef = '';

  const worker = () => new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) });
  const drain = () => worker().drain();
  const secretOn = (html: string) => /id="new-webhook-secret">([^<]+)</.exec(html)?.[1] ?? null;
  const verified = (r: Received, secret: string) => verifyDelivery(secret, String(r.headers['x-cordon-timestamp']), r.body, String(r.headers['x-cordon-signature-256']));
  const deliveryRows = () => t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute();
  const attemptsOf = (id: number) => t.ctx.storage.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', id).orderBy('id').execute();

  beforeAll(async () => {
    t = await createTestApp(dialect, { webhookAllowPrivateNetworks: true, webhookTimeoutMs: 400 });
    t.clock.set(new Date());
    cast = await makeCast(t);
    receiver = new Receiver();
    await receiver.start();
    admin = await signedInClient(t, cast.admin);
    lead = await signedInClient(t, cast.lead);
  });
  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  it('an admin and a project lead register endpoints; each secret is shown once and stored sealed', async () => {
    const events = ['report.received', 'report.acknowledged', 'report.state_changed', 'report.embargo_changed', 'report.published', 'advisory.published'];
    expect((await admin.get('/admin')).body).toContain('href="/admin/webhooks"');
    // The project page links to its webhooks for those who manage them: its lead and admins, nobody else.
    const projectLink = 'href="/projects/nova/webhooks"';
    expect((await lead.get('/projects/nova')).body).toContain(projectLink);
    expect((await admin.get('/projects/nova')).body).toContain(projectLink);
    for (const who of [cast.vmt, cast.plain]) expect((await (await signedInClient(t, who)).get('/projects/nova')).body).not.toContain(projectLink);
    expect((await new TestClient(t).get('/projects/nova')).body).not.toContain(projectLink);
    const made = await admin.post('/admin/webhooks', { url: receiver.url('/admin'), description: 'chat', events, active: 'on' }, '/admin/webhooks');
    expect(made.statusCode).toBe(303);
    const page = await admin.get('/admin/webhooks');
    adminSecret = secretOn(page.body) ?? '';
    expect(adminSecret).toMatch(/^whsec_/);
    expect(secretOn((await admin.get('/admin/webhooks')).body)).toBeNull();

    // A lead may not take private report events, and a refused form changes nothing.
    const refused = await lead.post('/projects/nova/webhooks', { url: receiver.url('/lead'), events: ['report.received'], active: 'on' }, '/projects/nova/webhooks');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('public events only');
    expect(await t.ctx.storage.db.selectFrom('webhook_endpoints').select('id').execute()).toHaveLength(1);

    expect((await lead.post('/projects/nova/webhooks', { url: receiver.url('/lead'), events: ['report.published', 'advisory.published', 'note.published'], active: 'on' }, '/projects/nova/webhooks')).statusCode).toBe(303);
    leadSecret = secretOn((await lead.get('/projects/nova/webhooks')).body) ?? '';
    expect(leadSecret).toMatch(/^whsec_/);
    expect(leadSecret).not.toBe(adminSecret);

    const rows = await t.ctx.storage.db.selectFrom('webhook_endpoints').select(['secret_sealed', 'project_id']).orderBy('id').execute();
    for (const row of rows) {
      expect(row.secret_sealed).toMatch(/^sealed:v1:/);
      expect(row.secret_sealed).not.toContain(adminSecret.slice(6));
      expect(row.secret_sealed).not.toContain(leadSecret.slice(6));
    }
    expect(rows[1]!.project_id).not.toBeNull();
    const audit = await t.ctx.storage.db.selectFrom('audit_events').select(['action', 'after_json']).where('action', '=', 'webhook.endpoint_created').execute();
    expect(audit).toHaveLength(2);
    for (const a of audit) expect(String(a.after_json)).not.toContain('whsec_');
  });

  it('a private report’s events carry only its ref and a link, signed; a lead’s endpoint hears nothing of it', async () => {
    const received = await receiveReport(await scopeOf(t, cast.reporter), { title: `Overflow ${MARKERS[0]}`, description: `Steps: ${MARKERS[1]}`, projects: ['nova'], email: cast.reporter.user.email }, [], 'web');
    privateRef = received.report.ref;
    const vmt = await scopeOf(t, cast.vmt);
    await acknowledge(vmt, privateRef);
    await setState(vmt, privateRef, 'confirmed', 'reproduced');
    await extendEmbargo(vmt, privateRef, new Date(Date.parse(received.report.embargo_end_at) + 10 * 86_400_000).toISOString().slice(0, 10), 'distributions need time');
    await drain();

    const got = receiver.on('/admin');
    expect(got.map((r) => r.headers['x-cordon-event'])).toEqual(['report.received', 'report.acknowledged', 'report.state_changed', 'report.embargo_changed']);
    for (const r of got) {
      expect(verified(r, adminSecret)).toBe(true);
      expect(verified(r, leadSecret)).toBe(false);
      for (const marker of MARKERS) expect(r.body).not.toContain(marker);
      const body = JSON.parse(r.body) as { event: string; delivery: string; report: Record<string, unknown> };
      expect(body.report).toEqual({ ref: privateRef, url: `http://cordon.test/reports/${privateRef}` });
      expect(body.delivery).toBe(r.headers['x-cordon-delivery']);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(receiver.on('/lead')).toEqual([]);
    // A tampered body fails the check a receiver makes.
    expect(verifyDelivery(adminSecret, String(got[0]!.headers['x-cordon-timestamp']), got[0]!.body.replace('report', 'rep0rt'), String(got[0]!.headers['x-cordon-signature-256']))).toBe(false);
  });

  it('an event is queued in its change’s transaction: none when the change rolls back', async () => {
    const before = (await deliveryRows()).length;
    const reportId = (await t.ctx.storage.db.selectFrom('reports').select('id').where('ref', '=', privateRef).executeTakeFirstOrThrow()).id;
    await expect(
      change(t.system, async ({ audit }) => {
        await audit('report.state_changed', 'report', reportId, { state: 'confirmed' }, { state: 'triaged' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await deliveryRows()).toHaveLength(before);
    expect(await t.ctx.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'webhook.deliver').where('status', '=', 'queued').execute()).toEqual([]);
  });

  it('a 500 then a 200: retried with backoff, each attempt recorded', async () => {
    receiver.script('/admin', 500);
    const before = receiver.on('/admin').length;
    await receiveReport(await scopeOf(t, cast.reporter), { title: 'Second', description: 'Second report', projects: ['nova'], email: cast.reporter.user.email }, [], 'web');
    await drain();
    const deliveries = (await deliveryRows()).filter((d) => d.event === 'report.received');
    const retried = deliveries.at(-1)!;
    expect(retried.status).toBe('pending');
    expect((await attemptsOf(retried.id)).map((a) => [a.outcome, a.status_code])).toEqual([['retry', 500]]);
    t.clock.advance(6_000);
    await drain();
    expect((await attemptsOf(retried.id)).map((a) => [a.outcome, a.status_code])).toEqual([
      ['retry', 500],
      ['delivered', 204],
    ]);
    const both = receiver.on('/admin').slice(before).filter((r) => r.headers['x-cordon-delivery'] === String(retried.id));
    expect(both).toHaveLength(2);
    for (const r of both) expect(verified(r, adminSecret)).toBe(true);
  });

  it('a receiver that never answers: a timeout, recorded, then a retry', async () => {
    receiver.script('/admin', 'hang');
    await setState(await scopeOf(t, cast.vmt), privateRef, 'triaged', 'triaged');
    await drain();
    const delivery = (await deliveryRows()).at(-1)!;
    expect(delivery.event).toBe('report.state_changed');
    const first = await attemptsOf(delivery.id);
    expect(first.map((a) => a.outcome)).toEqual(['retry']);
    expect(first[0]!.status_code).toBeNull();
    expect(first[0]!.error).toMatch(/^timeout/);
    t.clock.advance(6_000);
    await drain();
    expect((await attemptsOf(delivery.id)).map((a) => a.outcome)).toEqual(['retry', 'delivered']);
  });

  it('a 4xx is not retried; the admin sends it again from the page, and through the API', async () => {
    receiver.script('/admin', 410);
    await setState(await scopeOf(t, cast.vmt), privateRef, 'in_progress', 'fixing');
    await drain();
    const delivery = (await deliveryRows()).at(-1)!;
    expect(delivery.status).toBe('failed');
    t.clock.advance(3_600_000);
    await drain();
    expect((await attemptsOf(delivery.id)).map((a) => [a.outcome, a.status_code])).toEqual([['failed', 410]]);

    const page = await admin.get(`/webhooks/${delivery.endpoint_id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/webhooks/deliveries/${delivery.id}/redeliver`);
    const again = await admin.post(`/webhooks/deliveries/${delivery.id}/redeliver`, {}, `/webhooks/${delivery.endpoint_id}`);
    expect(again.statusCode).toBe(303);
    await drain();
    expect((await attemptsOf(delivery.id)).map((a) => [a.outcome, a.status_code])).toEqual([
      ['failed', 410],
      ['delivered', 204],
    ]);
    // A lead does not manage the admin's endpoint: 404, nothing queued.
    expect((await lead.post(`/webhooks/deliveries/${delivery.id}/redeliver`, {}, '/projects/nova/webhooks')).statusCode).toBe(404);

    const token = await createApiToken(t.system, cast.admin.user.id, { name: 'hooks', scopes: ['admin'] });
    const api = await t.app.inject({ method: 'POST', url: `/api/v1/webhooks/deliveries/${delivery.id}/redeliver`, headers: { authorization: `Bearer ${token.token}` } });
    expect(api.statusCode).toBe(202);
    await drain();
    expect(await attemptsOf(delivery.id)).toHaveLength(3);
    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${delivery.endpoint_id}`, headers: { authorization: `Bearer ${token.token}` } });
    const shown = listed.json<{ deliveries: { id: number; attempts: unknown[] }[] }>();
    expect(shown.deliveries.find((d) => d.id === delivery.id)!.attempts).toHaveLength(3);
    expect(listed.body).not.toContain('whsec_');
    expect(listed.body).not.toContain('sealed:');
  });

  it('once the report is public, both endpoints get the public record; no earlier body ever held private content', async () => {
    await discloseReport(t, privateRef);
    await drain();
    const [toAdmin] = receiver.on('/admin').filter((r) => r.headers['x-cordon-event'] === 'report.published');
    const [toLead] = receiver.on('/lead');
    expect(receiver.on('/lead')).toHaveLength(1);
    expect(verified(toLead!, leadSecret)).toBe(true);
    expect(verified(toAdmin!, adminSecret)).toBe(true);
    const body = JSON.parse(toLead!.body) as { event: string; report: { ref: string; title: string; state: string } };
    expect(body.event).toBe('report.published');
    expect(body.report.ref).toBe(privateRef);
    expect(body.report.title).toContain(MARKERS[0]);
    // Everything before the report opened: only the ref.
    const earlier = receiver.received.filter((r) => r.headers['x-cordon-event'] !== 'report.published');
    expect(earlier.length).toBeGreaterThan(4);
    for (const r of earlier) for (const marker of MARKERS) expect(r.body).not.toContain(marker);
  });

  it('`cordon secrets rotate` re-seals the endpoint secrets under the new key: the same secrets still sign', async () => {
    const { keyId } = await rotateSecrets(t.system);
    const rows = await t.ctx.storage.db.selectFrom('webhook_endpoints').select(['secret_sealed']).orderBy('id').execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row.secret_sealed.startsWith(`sealed:v1:${keyId}:`)).toBe(true);
    // The old keys have left the key file: only a re-sealed secret still opens.
    expect(t.ctx.storage.secrets.keyIds).toEqual([keyId]);
    expect(rows.map((r) => openEndpointSecret(t.ctx.storage, r))).toEqual([adminSecret, leadSecret]);
  });
});
