// SSRF: with WEBHOOK_ALLOW_PRIVATE_NETWORKS off (the default), URLs whose host is or resolves to a
// loopback, private, link-local or metadata address are refused at registration (page and API, nothing
// stored) and at delivery (an endpoint registered while they were allowed: the attempt is refused, the
// receiver gets nothing, and it is not retried).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import { makeCast, scopeOf, type AdvisoryCast } from '../advisories/testing/advisories.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { receiveReport } from '../reports/intake.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, signedInClient, type TestApp } from '../testing/harness.js';
import { isNonPublicAddress, parseWebhookUrl } from './address-rules.js';
import { Receiver } from './testing/receiver.js';

describe('which addresses a webhook may reach', () => {
  it('refuses loopback, private, link-local, CGNAT, unspecified, multicast and metadata addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1']) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
  });
  it('lets public addresses through', () => {
    for (const a of ['93.184.215.14', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2001:4860:4860::8888']) expect(isNonPublicAddress(a), a).toBe(false);
  });
  it('takes http and https only, without credentials', () => {
    expect(parseWebhookUrl('https://hooks.example.org/cordon').hostname).toBe('hooks.example.org');
    for (const bad of ['ftp://example.org/', 'file:///etc/passwd', 'gopher://example.org', 'https://user:pass@example.org/', 'not a url']) expect(() => parseWebhookUrl(bad), bad).toThrow();
  });
});

const INWARD = ['http://127.0.0.1:9/hook', 'http://10.0.0.5/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/hook', 'http://localhost:1234/hook', 'https://[fd00:ec2::254]/'];

describe.each(testDialects())('SSRF refusals on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  let receiver: Receiver;
  let token: string;
  const endpoints = () => t.ctx.storage.db.selectFrom('webhook_endpoints').select('id').execute();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.clock.set(new Date());
    cast = await makeCast(t);
    receiver = new Receiver();
    await receiver.start();
    token = (await createApiToken(t.system, cast.admin.user.id, { name: 'hooks', scopes: ['admin'] })).token;
  });
  afterAll(async () => {
    t.ctx.config.webhookAllowPrivateNetworks = false;
    await receiver.stop();
    await t.close();
  });

  it('refuses inward URLs at registration, through the API and the page, and stores nothing', async () => {
    expect(t.ctx.config.webhookAllowPrivateNetworks).toBe(false);
    for (const url of INWARD) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: { authorization: `Bearer ${token}` }, payload: { url, events: ['report.received'] } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ error: { fields: { field: string; message: string }[] } }>().error.fields[0], url).toMatchObject({ field: 'url' });
    }
    const admin = await signedInClient(t, cast.admin);
    const page = await admin.post('/admin/webhooks', { url: 'http://localhost:8080/', events: ['report.received'], active: 'on' }, '/admin/webhooks');
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('non-public address');
    expect(await endpoints()).toEqual([]);
  });

  it('refuses at delivery an endpoint registered while private networks were allowed, and does not retry', async () => {
    t.ctx.config.webhookAllowPrivateNetworks = true;
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: { authorization: `Bearer ${token}` }, payload: { url: receiver.url('/inward'), events: ['report.received'] } });
    expect(made.statusCode).toBe(201);
    t.ctx.config.webhookAllowPrivateNetworks = false;

    await receiveReport(await scopeOf(t, cast.reporter), { title: 'SSRF probe', description: 'A report to raise an event.', projects: ['nova'], email: cast.reporter.user.email }, [], 'web');
    const worker = () => new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
    await worker();
    t.clock.advance(3_600_000);
    await worker();
    expect(receiver.received).toEqual([]);
    const [delivery] = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().execute();
    expect(delivery!.status).toBe('failed');
    const attempts = await t.ctx.storage.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', delivery!.id).execute();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.error).toMatch(/^refused: .*127\.0\.0\.1/);
  });
});
