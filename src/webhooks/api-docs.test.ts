// The webhooks API in the OpenAPI document (/api/openapi.json): every route has its own summary and a
// description, its path parameters and body schemas, and a schema for its success answer; and real answers
// of each route validate against the schema the document publishes (JSON Schema 2020-12, as OpenAPI 3.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import { change } from '../context.js';
import { createProject } from '../projects/projects.js';
import { testDialects } from '../testing/databases.js';
import { expectConforms, openApiDocument, type OpenApiDocument } from '../testing/openapi-document.js';
import { createTestApp, makeUser, type TestApp } from '../testing/harness.js';
import { insertDeliveries } from './store.js';

const ROUTES = [
  ['get', '/api/v1/webhooks', '200'],
  ['post', '/api/v1/webhooks', '201'],
  ['get', '/api/v1/webhooks/{endpointId}', '200'],
  ['put', '/api/v1/webhooks/{endpointId}', '200'],
  ['delete', '/api/v1/webhooks/{endpointId}', '204'],
  ['post', '/api/v1/webhooks/{endpointId}/secret', '200'],
  ['post', '/api/v1/webhooks/deliveries/{deliveryId}/redeliver', '202'],
] as const;

describe.each(testDialects())('the webhooks API as documented on %s', (dialect) => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let token = '';

  const call = async (method: string, url: string, payload?: Record<string, unknown>) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : null };
  };
  const conforms = (method: string, path: string, status: number, body: unknown) => expectConforms(doc, method, path, status, body);

  beforeAll(async () => {
    t = await createTestApp(dialect, { webhookAllowPrivateNetworks: true });
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    token = (await createApiToken(t.system, admin.user.id, { name: 'docs', scopes: ['admin'] })).token;
    doc = await openApiDocument(t);
  });
  afterAll(async () => t.close());

  it('describes every webhooks route: summary, description, parameters, body and answer schemas', () => {
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/webhooks'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path, success] of ROUTES) {
      const op = doc.paths[path]![method]!;
      const where = `${method} ${path}`;
      // Its own words, not the generated "METHOD /url", and a description beyond who may call it.
      expect(op.summary, where).not.toMatch(/^(GET|POST|PUT|DELETE) \//);
      expect(op.description, where).toMatch(/^Who may call it: holders of the `admin\.(read|write)` permission.*\n\n\S/s);
      for (const name of path.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? []) {
        expect(op.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema, `${where} {${name}}`).toMatchObject({ type: 'string', maxLength: expect.any(Number) });
      }
      // Bodies: the endpoint's fields, or none at all (null or {}).
      if (method !== 'get') expect(op.requestBody?.content['application/json'].schema, where).toEqual(expect.objectContaining(path.endsWith('redeliver') || path.endsWith('secret') || method === 'delete' ? { anyOf: expect.any(Array) } : { type: 'object', properties: expect.objectContaining({ url: expect.any(Object), events: expect.any(Object) }) }));
      const answer = op.responses[success];
      expect(answer?.description, where).toBeTruthy();
      if (success === '204') expect(answer?.content, where).toBeUndefined();
      else expect(answer?.content?.['application/json'].schema, where).toMatchObject({ type: 'object', properties: expect.any(Object) });
      // A route that documents its own success no longer claims a bare 200 as well.
      if (success !== '200') expect(op.responses['200'], where).toBeUndefined();
    }
    expect(doc.paths['/api/v1/webhooks']!.post!.requestBody!.content['application/json'].schema).toMatchObject({ properties: { events: { items: { enum: expect.arrayContaining(['report.received', 'advisory.published']) } } } });
  });

  it('answers as documented on every route', async () => {
    const made = await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/docs', events: ['report.received'], description: 'docs' });
    expect(made.status).toBe(201);
    conforms('post', '/api/v1/webhooks', 201, made.body);
    const id = (made.body as { id: number }).id;
    const forProject = await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/nova', events: ['advisory.published'], project: 'nova' });
    conforms('post', '/api/v1/webhooks', 201, forProject.body);
    expect((forProject.body as { project: string }).project).toBe('nova');

    const listed = await call('GET', '/api/v1/webhooks');
    expect(listed.status).toBe(200);
    conforms('get', '/api/v1/webhooks', 200, listed.body);

    const [delivery] = await change(t.system, ({ trx, now }) => insertDeliveries(trx, [{ endpointId: id, event: 'report.received', subject: 'R-DOCS0001' }], now.toISOString()));
    await t.ctx.storage.db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('id', '=', delivery!).execute();
    await t.ctx.storage.db.insertInto('webhook_attempts').values({ delivery_id: delivery!, at: new Date().toISOString(), outcome: 'failed', status_code: 410, error: 'HTTP 410', duration_ms: 3 }).execute();
    const read = await call('GET', `/api/v1/webhooks/${id}`);
    expect(read.status).toBe(200);
    conforms('get', '/api/v1/webhooks/{endpointId}', 200, read.body);
    expect((read.body as { deliveries: unknown[] }).deliveries).toHaveLength(1);

    const replaced = await call('PUT', `/api/v1/webhooks/${id}`, { url: 'http://127.0.0.1:9/docs2', events: ['report.received', 'report.published'], active: false });
    expect(replaced.status).toBe(200);
    conforms('put', '/api/v1/webhooks/{endpointId}', 200, replaced.body);

    // Disabled: a redelivery is refused (409); enabled again, it is queued.
    expect((await call('POST', `/api/v1/webhooks/deliveries/${delivery}/redeliver`)).status).toBe(409);
    await call('PUT', `/api/v1/webhooks/${id}`, { url: 'http://127.0.0.1:9/docs2', events: ['report.received'], active: true });
    const again = await call('POST', `/api/v1/webhooks/deliveries/${delivery}/redeliver`);
    expect(again.status).toBe(202);
    conforms('post', '/api/v1/webhooks/deliveries/{deliveryId}/redeliver', 202, again.body);

    const renewed = await call('POST', `/api/v1/webhooks/${id}/secret`);
    expect(renewed.status).toBe(200);
    conforms('post', '/api/v1/webhooks/{endpointId}/secret', 200, renewed.body);
    expect((renewed.body as { secret: string }).secret).not.toBe((made.body as { secret: string }).secret);

    const deleted = await call('DELETE', `/api/v1/webhooks/${id}`);
    expect(deleted).toEqual({ status: 204, body: null });
  });
});
