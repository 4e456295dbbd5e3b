// /admin/mail: admins see the quarantine (headers and reason, never a body) and can retry; the leak matrix
// for incoming messages: a quarantined message is seen by admins only, and a message that became a
// private report shows admins nothing of its content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import { createProject } from '../projects/projects.js';
import { createTestApp, makeUser, signedInClient, type TestApp } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { testDialects } from '../testing/databases.js';
import { storeInboundMessage } from './inbound-store.js';
import { processInboundMessage } from './inbound-process.js';
import { headerLines, plainMessage } from './testing/mail.js';
import { mailIntake } from '../reports/intake-mail/mail-intake.js';

describe.each(testDialects())('admin mail pages on %s', (dialect) => {
  let t: TestApp;
  let roles: LeakRole[];
  let quarantinedId: number;
  let processedId: number;
  let htmlId: number;
  const admins = new Set(['admin', 'admin-token']);

  async function ingest(raw: Buffer) {
    const id = await storeInboundMessage(t.system, { raw, via: 'smtp', envelopeFrom: 'sender@example.net', envelopeTo: ['security@example.org'] });
    await processInboundMessage(t.ctx, id, mailIntake);
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { teamEmail: 'security@example.org' });
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    await createProject(t.system, { slug: 'swift', name: 'Swift', branches: ['master'] });
    quarantinedId = await ingest(plainMessage({ from: 'sender@example.net', to: 'security@example.org', subject: 'quarantine-subject-marker-3m' }, 'no project named\n'));
    processedId = await ingest(plainMessage({ from: 'rita@example.net', to: 'security@example.org', subject: '[nova] processed-subject-marker-8d' }, 'a real report\n'));
    htmlId = await ingest(Buffer.from(`${headerLines({ from: 'x@example.net', to: 'security@example.org', subject: 'html only' }, 'text/html; charset=utf-8')}\r\n\r\n<p>body-marker-6t<script>alert(1)</script></p>\r\n`));
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const adminToken = await createApiToken(t.system, admin.user.id, { name: 'adm', scopes: ['admin'] });
    roles = [
      { name: 'anonymous', client: null },
      { name: 'plain', client: await signedInClient(t, await makeUser(t, { username: 'plain', totp: false })) },
      { name: 'vmt', client: await signedInClient(t, await makeUser(t, { username: 'vmt', roles: ['vmt'] })) },
      { name: 'admin', client: await signedInClient(t, admin) },
      { name: 'dormant-admin', client: await signedInClient(t, await makeUser(t, { username: 'dormant', roles: ['admin'], totp: false })) },
      { name: 'admin-token', client: null, bearer: adminToken.token },
    ];
  });
  afterAll(async () => t.close());

  it('a quarantined message: admins only see its headers and reason; everyone else gets 404', async () => {
    const v = await probeLeaks(t, roles, {
      kind: 'inbound_message',
      paramValue: String(quarantinedId),
      marker: 'quarantine-subject-marker-3m',
      allowed: (role, route) => admins.has(role) && route.url.startsWith('/admin/mail'),
      mustShow: (route) => route.method === 'GET' && route.url === '/admin/mail/:messageId',
    });
    expect(v).toEqual([]);
  });

  it('a message that became a private report shows admins nothing of it; only the VMT reads the report', async () => {
    const v = await probeLeaks(t, roles, {
      kind: 'inbound_message',
      paramValue: String(processedId),
      marker: 'processed-subject-marker-8d',
      denial: 'absence',
      allowed: (role, route) => role === 'vmt' && !route.url.startsWith('/admin'),
      mustShow: () => false,
    });
    expect(v).toEqual([]);
  });

  it('lists the quarantine and recent deliveries, never renders a body, and retries with a project', async () => {
    const admin = roles.find((r) => r.name === 'admin')!.client!;
    const list = await admin.get('/admin/mail');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="/admin/mail/${quarantinedId}"`);
    expect(list.body).toContain('no_project');
    const html = await admin.get(`/admin/mail/${htmlId}`);
    expect(html.body).toContain('Subject: html only');
    expect(html.body).not.toContain('body-marker-6t');
    expect(html.body).not.toContain('<script>alert(1)');
    const retried = await admin.post(`/admin/mail/${quarantinedId}/retry`, { project: 'swift' }, `/admin/mail/${quarantinedId}`);
    expect(retried.statusCode).toBe(303);
    const row = await t.ctx.storage.db.selectFrom('inbound_messages').select(['status', 'outcome', 'report_id']).where('id', '=', quarantinedId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'processed', outcome: 'report' });
    const again = await admin.post(`/admin/mail/${quarantinedId}/retry`, {}, `/admin/mail/${quarantinedId}`);
    expect(again.statusCode).toBe(409);
    expect((await admin.get('/admin/mail/999999')).statusCode).toBe(404);
    expect((await roles.find((r) => r.name === 'vmt')!.client!.get('/admin/mail')).statusCode).toBe(404);
  });
});
