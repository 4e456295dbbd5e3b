// The JSON API of advisories: the VMT drafts, saves, approves and publishes with API tokens; the public
// reads published advisories; bodies are checked by their TypeBox schemas (in the OpenAPI document).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createApiToken } from '../accounts/api-tokens.js';
import { completeForm, makeCast, scopeOf, type AdvisoryCast } from './testing/advisories.js';
import { recordImpactApproval } from './commands.js';

describe.each(testDialects())('advisory API on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  const tokens: Record<string, string> = {};
  const call = async (who: string | null, method: string, url: string, body?: unknown) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: { accept: 'application/json', ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) }, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.clock.set(new Date('2026-09-01T15:00:00Z'));
    cast = await makeCast(t);
    tokens.vmt = (await createApiToken(t.system, cast.vmt.user.id, { name: 'w', scopes: ['write'] })).token;
    tokens.vmt2 = (await createApiToken(t.system, cast.vmt2.user.id, { name: 'w', scopes: ['write'] })).token;
    tokens.vmtRead = (await createApiToken(t.system, cast.vmt.user.id, { name: 'r', scopes: ['read'] })).token;
    tokens.admin = (await createApiToken(t.system, cast.admin.user.id, { name: 'a', scopes: ['admin'] })).token;
  });
  afterAll(async () => t.close());

  it('drafts, saves, approves and publishes; the public then reads it', async () => {
    const created = await call('vmt', 'POST', '/api/v1/advisories', completeForm({ cves: 'CVE-2026-50001', reporters: '' }));
    expect(created.status).toBe(201);
    const ref = created.body.ref as string;
    expect(ref).toBe('OSSA-2026-001');
    expect((await call(null, 'GET', `/api/v1/advisories/${ref}`)).status).toBe(404);
    expect((await call('admin', 'GET', `/api/v1/advisories/${ref}/draft`)).status).toBe(404);
    expect((await call('vmtRead', 'GET', `/api/v1/advisories/${ref}/draft`)).status).toBe(404);
    const draft = await call('vmt', 'GET', `/api/v1/advisories/${ref}/draft`);
    expect(draft.body.status).toBe('draft');
    expect((draft.body.fields as Record<string, string>).cves).toBe('CVE-2026-50001');
    const bad = await call('vmt', 'PUT', `/api/v1/advisories/${ref}/draft`, { revision: 1, cvss: 'CVSS:3.1/AV:X' });
    expect(bad.status).toBe(400);
    expect((bad.body.error as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain('cvss');
    expect((await call('vmt', 'PUT', `/api/v1/advisories/${ref}/draft`, { revision: 1, nonsense: 'x' })).status).toBe(400);
    const saved = await call('vmt', 'PUT', `/api/v1/advisories/${ref}/draft`, { revision: 1, title: 'Retitled through the API' });
    expect(saved.body).toEqual({ revision: 2, changed: ['title'] });
    expect((await call('vmt', 'POST', `/api/v1/advisories/${ref}/approve`, { revision: 2 })).status).toBe(403);
    expect((await call('vmt2', 'POST', `/api/v1/advisories/${ref}/approve`, { revision: 2 })).status).toBe(204);
    // Irreversible: without confirm and a reason it is refused, naming both (issue 13 item 11).
    const unconfirmed = await call('vmt', 'POST', `/api/v1/advisories/${ref}/publish`, { revision: 2 });
    expect(unconfirmed.status).toBe(400);
    expect((unconfirmed.body.error as { fields: { field: string }[] }).fields.map((f) => f.field)).toEqual(['confirm', 'reason']);
    const refused = await call('vmt', 'POST', `/api/v1/advisories/${ref}/publish`, { revision: 2, confirm: true, reason: 'Coordinated disclosure.' });
    expect(refused.status).toBe(400);
    expect((refused.body.error as { fields: { field: string }[] }).fields.map((f) => f.field).sort()).toEqual(['impact_lead', 'impact_reporter']);
    const vmt = await scopeOf(t, cast.vmt);
    await recordImpactApproval(vmt, ref, 'reporter', 'by mail');
    await recordImpactApproval(vmt, ref, 'lead', 'by mail');
    const published = await call('vmt', 'POST', `/api/v1/advisories/${ref}/publish`, { revision: 2, confirm: true, reason: 'Coordinated disclosure.' });
    expect(published.status).toBe(200);
    expect(published.body.announced).toBe('announcement');
    const pub = await call(null, 'GET', `/api/v1/advisories/${ref}`);
    expect(pub.status).toBe(200);
    expect((pub.body.record as { title: string }).title).toBe('Retitled through the API');
    expect(pub.body.record).not.toHaveProperty('sourceYaml');
    const list = await call(null, 'GET', '/api/v1/advisories?q=retitled');
    expect(list.body.total).toBe(1);
    const errata = await call('vmt', 'POST', `/api/v1/advisories/${ref}/errata`, { text: 'A CVE was corrected.' });
    expect(errata.body.revision).toBe(4);
  });

  it('documents the routes in the OpenAPI document with their body schemas', async () => {
    const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).body) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/advisories', '/api/v1/advisories/{id}', '/api/v1/advisories/{id}/draft', '/api/v1/advisories/{id}/publish']));
    expect(doc.paths['/api/v1/advisories/{id}/draft']?.put?.requestBody).toBeDefined();
  });
});
