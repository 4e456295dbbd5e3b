// Leak matrix for the first-run pages (issue 15): the test mail's recipient and relay error, and a pending
// invitation with project roles, are seen by admins only, on every GET route; every role that is not an
// admin gets 404 (anonymous: sign-in) from the settings, test-mail and checklist routes and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import { createInvite } from '../accounts/invites.js';
import { JobRegistry, Worker } from '../jobs/worker.js';
import { mailDirectory } from '../reports/address-keys.js';
import { mailJobHandler } from '../mail/outbox.js';
import { startSmtpSink } from '../mail/testing/mail.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { testDialects } from '../testing/databases.js';
import { sendTestMail } from './test-mail.js';

describe.each(testDialects())('leak matrix (first-run pages) on %s', (dialect) => {
  let t: TestApp;
  let roles: LeakRole[];
  const admins = new Set(['admin', 'admin-token']);

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'widget', name: 'Widget', branches: ['main'] });
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const adminScope = { ...t.system, actor: { kind: 'user' as const, userId: admin.user.id, username: 'admin' } } as unknown as typeof t.system;
    await createInvite(adminScope, { email: 'invitee-marker-9z@widget.example', roles: ['vmt'], projectRoles: [{ project: 'widget', role: 'lead' }] });
    const sink = await startSmtpSink({ refuse: { 'recipient-marker-4k@widget.example': 550 } });
    try {
      await sendTestMail(adminScope, 'recipient-marker-4k@widget.example');
      await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: new JobRegistry().register(mailJobHandler({ ...t.ctx.config, smtpUrl: sink.url }, mailDirectory)) }).drain();
    } finally {
      await sink.close();
    }
    const lead = await makeUser(t, { username: 'lead', totp: false });
    await setProjectMember(t.system, 'widget', lead.user.id, 'lead', true);
    const adminToken = await createApiToken(t.system, admin.user.id, { name: 'adm', scopes: ['admin'] });
    const readToken = await createApiToken(t.system, admin.user.id, { name: 'ro', scopes: ['read'] });
    roles = [
      { name: 'anonymous', client: null },
      { name: 'plain', client: await signedInClient(t, await makeUser(t, { username: 'plain', totp: false })) },
      { name: 'lead', client: await signedInClient(t, lead) },
      { name: 'vmt', client: await signedInClient(t, await makeUser(t, { username: 'vmt', roles: ['vmt'] })) },
      { name: 'core', client: await signedInClient(t, await makeUser(t, { username: 'core', roles: ['security_core'] })) },
      { name: 'admin', client: await signedInClient(t, admin) },
      { name: 'dormant-admin', client: await signedInClient(t, await makeUser(t, { username: 'dormant', roles: ['admin'], totp: false })) },
      { name: 'admin-token', client: null, bearer: adminToken.token },
      { name: 'read-token', client: null, bearer: readToken.token },
    ];
  });
  afterAll(async () => t.close());

  it('the test mail’s recipient and relay error: admins only, on every GET route', async () => {
    const v = await probeLeaks(t, roles, { kind: 'instance_test_mail', paramValue: '', marker: 'recipient-marker-4k', allowed: (role) => admins.has(role) });
    expect(v).toEqual([]);
    const admin = roles.find((r) => r.name === 'admin')!.client!;
    expect((await admin.get('/admin/settings')).body).toContain('recipient-marker-4k');
    expect((await admin.get('/admin/setup')).body).toContain('recipient-marker-4k');
  });

  it('a pending invitation with project roles: admins only', async () => {
    const v = await probeLeaks(t, roles, { kind: 'invite', paramValue: '', marker: 'invitee-marker-9z', allowed: (role) => admins.has(role) });
    expect(v).toEqual([]);
  });

  it('every role but the admins is refused the changes, and nothing changes', async () => {
    const posts: [string, Record<string, string>][] = [
      ['/admin/settings', { team_email: 'x@evil.example' }],
      ['/admin/settings/test-mail', { to: 'x@evil.example' }],
      ['/admin/setup/dismiss', { dismissed: 'true' }],
    ];
    const snapshot = async () => ({
      settings: await t.ctx.storage.db.selectFrom('instance_settings').selectAll().orderBy('key').execute(),
      jobs: (await t.ctx.storage.db.selectFrom('jobs').select('id').execute()).length,
    });
    const before = await snapshot();
    for (const role of roles.filter((r) => !admins.has(r.name))) {
      for (const [url, form] of posts) {
        let status: number;
        if (role.bearer) {
          status = (await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${role.bearer}`, accept: 'text/html' }, payload: form })).statusCode;
        } else {
          const client = role.client ?? new TestClient(t);
          status = (await client.post(url, form, '/')).statusCode;
        }
        expect({ role: role.name, url, status }).toEqual({ role: role.name, url, status: role.name === 'anonymous' ? 401 : 404 });
      }
      const api = role.bearer
        ? (await t.app.inject({ method: 'PATCH', url: '/api/v1/instance/settings', headers: { authorization: `Bearer ${role.bearer}` }, payload: { team_email: 'x@evil.example' } })).statusCode
        : (await (role.client ?? new TestClient(t)).json('PATCH', '/api/v1/instance/settings', { team_email: 'x@evil.example' })).statusCode;
      expect({ role: role.name, api }).toEqual({ role: role.name, api: role.name === 'anonymous' ? 401 : 404 });
    }
    expect(await snapshot()).toEqual(before);
  });
});
