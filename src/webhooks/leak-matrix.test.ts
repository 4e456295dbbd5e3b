// Leak matrix for webhooks: an instance-wide endpoint (its URL and description) and its deliveries are
// seen and changed by admins only; a project's endpoint by admins and that project's lead, never through
// the admin API by the lead, never by another project's lead. Every other role gets 404 (anonymous: sign-in),
// on every route aimed at them, and the changes they try change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import { change } from '../context.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, signedInClient, type TestApp } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { createEndpoint } from './endpoints.js';
import { insertDeliveries } from './store.js';
import { scopeOf } from '../advisories/testing/advisories.js';

describe.each(testDialects())('leak matrix (webhooks) on %s', (dialect) => {
  let t: TestApp;
  let roles: LeakRole[];
  let instanceEndpoint = 0;
  let projectEndpoint = 0;
  let delivery = 0;
  const admins = new Set(['admin', 'admin-token']);
  const snapshot = async () => ({
    endpoints: await t.ctx.storage.db.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute(),
    deliveries: await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute(),
  });

  beforeAll(async () => {
    t = await createTestApp(dialect, { webhookAllowPrivateNetworks: true });
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    await createProject(t.system, { slug: 'swift', name: 'Swift', branches: ['master'] });
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const lead = await makeUser(t, { username: 'lead', totp: false });
    const otherLead = await makeUser(t, { username: 'otherlead', totp: false });
    await setProjectMember(t.system, 'nova', lead.user.id, 'lead', true);
    await setProjectMember(t.system, 'swift', otherLead.user.id, 'lead', true);
    const adminScope = await scopeOf(t, admin);
    instanceEndpoint = (await createEndpoint(adminScope, null, { url: 'http://127.0.0.1:9/instance-marker-u7', description: 'instance-desc-marker-k2', events: ['report.received'], active: true })).endpoint.id;
    const novaId = (await t.ctx.storage.db.selectFrom('projects').select('id').where('slug', '=', 'nova').executeTakeFirstOrThrow()).id;
    projectEndpoint = (await createEndpoint(await scopeOf(t, lead), novaId, { url: 'http://127.0.0.1:9/project-marker-h5', description: 'project-desc-marker-r3', events: ['advisory.published'], active: true })).endpoint.id;
    delivery = (await change(t.system, ({ trx, now }) => insertDeliveries(trx, [{ endpointId: instanceEndpoint, event: 'report.received', subject: 'subject-marker-d5' }], now.toISOString())))[0]!;
    await t.ctx.storage.db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('id', '=', delivery).execute();
    const adminToken = await createApiToken(t.system, admin.user.id, { name: 'adm', scopes: ['admin'] });
    const readToken = await createApiToken(t.system, admin.user.id, { name: 'ro', scopes: ['read'] });
    const leadToken = await createApiToken(t.system, lead.user.id, { name: 'lead-w', scopes: ['write'] });
    roles = [
      { name: 'anonymous', client: null },
      { name: 'plain', client: await signedInClient(t, await makeUser(t, { username: 'plain', totp: false })) },
      { name: 'lead', client: await signedInClient(t, lead) },
      { name: 'other-lead', client: await signedInClient(t, otherLead) },
      { name: 'vmt', client: await signedInClient(t, await makeUser(t, { username: 'vmt', roles: ['vmt'] })) },
      { name: 'core', client: await signedInClient(t, await makeUser(t, { username: 'core', roles: ['security_core'] })) },
      { name: 'admin', client: await signedInClient(t, admin) },
      { name: 'dormant-admin', client: await signedInClient(t, await makeUser(t, { username: 'dormant', roles: ['admin'], totp: false })) },
      { name: 'admin-token', client: null, bearer: adminToken.token },
      { name: 'read-token', client: null, bearer: readToken.token },
      { name: 'lead-token', client: null, bearer: leadToken.token },
    ];
  });
  afterAll(async () => t.close());

  it('an instance-wide endpoint: admins only, on every route', async () => {
    const before = await snapshot();
    for (const marker of ['instance-marker-u7', 'instance-desc-marker-k2']) {
      const v = await probeLeaks(t, roles, { kind: 'webhook_endpoint', paramValue: String(instanceEndpoint), marker, allowed: (role) => admins.has(role) });
      expect(v).toEqual([]);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a project’s endpoint: admins, and that project’s lead on the pages (not through the admin API)', async () => {
    const before = await snapshot();
    const v = await probeLeaks(t, roles, {
      kind: 'webhook_endpoint',
      paramValue: String(projectEndpoint),
      marker: 'project-desc-marker-r3',
      allowed: (role, route) => admins.has(role) || ((role === 'lead' || role === 'lead-token') && !route.api),
      // A lead's write token reaches pages as the lead does, but the pages are for a browser: it is not required to show.
      mustShow: (route) => route.method === 'GET' && !route.api,
    });
    expect(v.filter((x) => x.role !== 'lead-token')).toEqual([]);
    expect(await snapshot()).toEqual(before);
    const leadClient = roles.find((r) => r.name === 'lead')!.client!;
    expect((await leadClient.get('/projects/nova/webhooks')).body).toContain('project-desc-marker-r3');
    expect((await leadClient.get('/projects/nova/webhooks')).body).not.toContain('instance-desc-marker-k2');
    expect((await roles.find((r) => r.name === 'other-lead')!.client!.get('/projects/nova/webhooks')).statusCode).toBe(404);
  });

  it('a delivery: only admins send it again; everyone else gets 404 and nothing is queued', async () => {
    const before = await snapshot();
    const jobs = (await t.ctx.storage.db.selectFrom('jobs').select('id').execute()).length;
    const v = await probeLeaks(t, roles, { kind: 'webhook_delivery', paramValue: String(delivery), marker: 'subject-marker-d5', allowed: (role) => admins.has(role), mustShow: () => false });
    expect(v).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await t.ctx.storage.db.selectFrom('jobs').select('id').execute()).length).toBe(jobs);
    const admin = roles.find((r) => r.name === 'admin')!.client!;
    expect((await admin.get(`/webhooks/${instanceEndpoint}`)).body).toContain('subject-marker-d5');
  });
});
