// Webhooks, the rest of issue 19's "done when", on both databases with a real receiver on 127.0.0.1:
// every change to an endpoint is in the audit log under its own action and never with the secret; a new
// secret replaces the old one at once (shown once on the endpoint's page); a redirect is not followed; a
// receiver that keeps failing gets DELIVERY_ATTEMPTS tries and then the delivery fails for good; and a
// project's endpoint cannot take private events through the API either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import { makeCast, scopeOf, type AdvisoryCast } from '../advisories/testing/advisories.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { backoffMs } from '../jobs/queue.js';
import { Worker } from '../jobs/worker.js';
import { receiveReport } from '../reports/intake.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, signedInClient, type TestApp, type TestClient } from '../testing/harness.js';
import { DELIVERY_ATTEMPTS } from './emit.js';
import { verifyDelivery } from './signature.js';
import { Receiver, type Received } from './testing/receiver.js';

describe.each(testDialects())('webhook audit trail and delivery outcomes on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  let receiver: Receiver;
  let admin: TestClient;
  let token = '';

  const drain = () => new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
  const secretOn = (html: string) => /id="new-webhook-secret">([^<]+)</.exec(html)?.[1] ?? null;
  const verified = (r: Received, secret: string) => verifyDelivery(secret, String(r.headers['x-cordon-timestamp']), r.body, String(r.headers['x-cordon-signature-256']));
  const fileReport = async (title: string) => receiveReport(await scopeOf(t, cast.reporter), { title, description: `${title}, described.`, projects: ['nova'], email: cast.reporter.user.email }, [], 'web');
  const api = async (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>) => t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  /** Adds an instance-wide endpoint through the page; its id and the secret shown once. */
  async function addEndpoint(path: string, events: string[]): Promise<{ id: number; secret: string }> {
    expect((await admin.post('/admin/webhooks', { url: receiver.url(path), events, active: 'on' }, '/admin/webhooks')).statusCode).toBe(303);
    const secret = secretOn((await admin.get('/admin/webhooks')).body) ?? '';
    expect(secret).toMatch(/^whsec_/);
    const row = await t.ctx.storage.db.selectFrom('webhook_endpoints').select('id').where('url', '=', receiver.url(path)).executeTakeFirstOrThrow();
    return { id: row.id, secret };
  }
  const deliveriesTo = (endpointId: number) => t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id').execute();
  const attemptsOf = (id: number) => t.ctx.storage.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', id).orderBy('id').execute();

  beforeAll(async () => {
    t = await createTestApp(dialect, { webhookAllowPrivateNetworks: true, webhookTimeoutMs: 400 });
    t.clock.set(new Date());
    cast = await makeCast(t);
    receiver = new Receiver();
    await receiver.start();
    admin = await signedInClient(t, cast.admin);
    token = (await createApiToken(t.system, cast.admin.user.id, { name: 'hooks', scopes: ['admin'] })).token;
  });
  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  it('each change is audited under its own action, without the secret; a new secret signs from then on and is shown once', async () => {
    const { id, secret } = await addEndpoint('/audited', ['report.received']);
    const page = `/webhooks/${id}`;
    const form = { url: receiver.url('/audited'), events: ['report.received', 'report.state_changed'] };
    expect((await admin.post(page, { ...form, active: 'on' }, page)).statusCode).toBe(303);
    expect((await admin.post(page, { ...form }, page)).statusCode).toBe(303);
    expect((await admin.post(page, { ...form, active: 'on' }, page)).statusCode).toBe(303);

    receiver.script('/audited', 500);
    await fileReport('Before the new secret');
    await drain();
    const [delivery] = await deliveriesTo(id);
    expect(receiver.on('/audited')).toHaveLength(1);
    expect(verified(receiver.on('/audited')[0]!, secret)).toBe(true);

    // A new secret: shown once on the endpoint's page, and the retry of the earlier delivery is signed with it.
    expect((await admin.post(`${page}/secret`, {}, page)).statusCode).toBe(303);
    const renewed = secretOn((await admin.get(page)).body) ?? '';
    expect(renewed).toMatch(/^whsec_/);
    expect(renewed).not.toBe(secret);
    expect(secretOn((await admin.get(page)).body)).toBeNull();
    t.clock.advance(backoffMs(1) + 1);
    await drain();
    const retry = receiver.on('/audited')[1]!;
    expect(retry.headers['x-cordon-delivery']).toBe(String(delivery!.id));
    expect(verified(retry, renewed)).toBe(true);
    expect(verified(retry, secret)).toBe(false);

    receiver.script('/audited', 410);
    await fileReport('After the new secret');
    await drain();
    const failed = (await deliveriesTo(id)).at(-1)!;
    expect(failed.status).toBe('failed');
    expect((await admin.post(`/webhooks/deliveries/${failed.id}/redeliver`, {}, page)).statusCode).toBe(303);
    expect((await admin.post(`${page}/delete`, {}, page)).statusCode).toBe(303);

    const audit = await t.ctx.storage.db
      .selectFrom('audit_events')
      .select(['action', 'target_id', 'before_json', 'after_json'])
      .where('action', 'like', 'webhook.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'webhook.endpoint_created',
      'webhook.endpoint_updated',
      'webhook.endpoint_disabled',
      'webhook.endpoint_enabled',
      'webhook.secret_rotated',
      'webhook.redelivery_requested',
      'webhook.endpoint_deleted',
    ]);
    expect(audit.filter((a) => a.action !== 'webhook.redelivery_requested').map((a) => String(a.target_id))).toEqual(Array(6).fill(String(id)));
    for (const a of audit) {
      const details = `${String(a.before_json)} ${String(a.after_json)}`;
      expect(details).not.toContain('whsec_');
      expect(details).not.toContain('sealed:');
      for (const s of [secret, renewed]) expect(details).not.toContain(s.slice(6));
    }
  });

  it('a redirect is not followed: the delivery fails at once and the place it points to gets nothing', async () => {
    const { id } = await addEndpoint('/moved', ['report.received']);
    receiver.script('/moved', { status: 302, headers: { location: receiver.url('/elsewhere') } });
    await fileReport('Redirected');
    await drain();
    t.clock.advance(3_600_000);
    await drain();
    const [delivery] = await deliveriesTo(id);
    expect(delivery!.status).toBe('failed');
    expect((await attemptsOf(delivery!.id)).map((a) => [a.outcome, a.status_code])).toEqual([['failed', 302]]);
    expect(receiver.on('/elsewhere')).toEqual([]);
    expect((await api('DELETE', `/api/v1/webhooks/${id}`)).statusCode).toBe(204);
  });

  it(`a receiver that keeps failing gets ${DELIVERY_ATTEMPTS} tries with backoff, then the delivery fails for good`, async () => {
    const { id } = await addEndpoint('/down', ['report.received']);
    receiver.script('/down', ...Array<number>(DELIVERY_ATTEMPTS + 2).fill(503));
    await fileReport('Never delivered');
    await drain();
    for (let n = 1; n < DELIVERY_ATTEMPTS + 2; n += 1) {
      t.clock.advance(backoffMs(n) + 1);
      await drain();
    }
    const [delivery] = await deliveriesTo(id);
    expect(delivery!.status).toBe('failed');
    const attempts = await attemptsOf(delivery!.id);
    expect(attempts.map((a) => a.outcome)).toEqual([...Array<string>(DELIVERY_ATTEMPTS - 1).fill('retry'), 'failed']);
    expect(attempts.every((a) => a.status_code === 503)).toBe(true);
    expect(receiver.on('/down')).toHaveLength(DELIVERY_ATTEMPTS);
    expect(await t.ctx.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'webhook.deliver').where('status', 'in', ['queued', 'running']).execute()).toEqual([]);
    expect((await api('DELETE', `/api/v1/webhooks/${id}`)).statusCode).toBe(204);
  });

  it('through the API, too, a project’s endpoint takes public events only, and a refused request stores nothing', async () => {
    const before = await t.ctx.storage.db.selectFrom('webhook_endpoints').select('id').execute();
    const res = await api('POST', '/api/v1/webhooks', { url: receiver.url('/project'), events: ['advisory.published', 'report.received'], project: 'nova' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { fields: { field: string; message: string }[] } }>().error.fields).toEqual([expect.objectContaining({ field: 'events', message: expect.stringContaining('public events only') })]);
    expect(await t.ctx.storage.db.selectFrom('webhook_endpoints').select('id').execute()).toEqual(before);
    const made = await api('POST', '/api/v1/webhooks', { url: receiver.url('/project'), events: ['advisory.published'], project: 'nova' });
    expect(made.statusCode).toBe(201);
    const changed = await api('PUT', `/api/v1/webhooks/${made.json<{ id: number }>().id}`, { url: receiver.url('/project'), events: ['report.embargo_changed'] });
    expect(changed.statusCode).toBe(400);
    expect((await t.ctx.storage.db.selectFrom('webhook_endpoints').select('events_json').where('id', '=', made.json<{ id: number }>().id).executeTakeFirstOrThrow()).events_json).toBe('["advisory.published"]');
  });
});
