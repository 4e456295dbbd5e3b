// Instance settings in the browser (issue 15): precedence environment > stored > default, applied to the
// running process at once and to a new process at start; bad input changes nothing; every change is
// audited; only admins reach the pages; the test mail goes through the outbox to a real SMTP server on
// loopback and its delivery state shows on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../config/config.js';
import { JobRegistry, Worker } from '../jobs/worker.js';
import { mailDirectory } from '../reports/address-keys.js';
import { mailJobHandler } from '../mail/outbox.js';
import { startSmtpSink } from '../mail/testing/mail.js';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestClient } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { refreshInstanceSettings } from './settings.js';

describe.each(testDialects())('instance settings on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let vmt: TestClient;
  let plain: TestClient;

  const auditCount = async (action: string) =>
    Number((await t.ctx.storage.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', action).executeTakeFirstOrThrow()).n);
  const storedRows = () => t.ctx.storage.db.selectFrom('instance_settings').select(['key', 'value']).where('key', 'in', ['instance_name', 'public_url', 'team_email', 'mail_from']).orderBy('key').execute();

  beforeAll(async () => {
    // PUBLIC_URL stands for a variable the operator set in the environment; the other three are defaults.
    t = await createTestApp(dialect, { publicUrl: 'https://env.example.org', settingsFromEnvironment: ['PUBLIC_URL'] });
    admin = await signedInClient(t, await makeUser(t, { username: 'root', roles: ['admin'] }));
    vmt = await signedInClient(t, await makeUser(t, { username: 'vera', roles: ['vmt'] }));
    plain = await signedInClient(t, await makeUser(t, { username: 'pat', totp: false }));
  });
  afterAll(async () => t.close());

  it('shows an environment variable read-only and the others as editable defaults', async () => {
    const page = await admin.get('/admin/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('set by PUBLIC_URL in the environment');
    expect(page.body).toContain('https://env.example.org');
    expect(page.body).toContain('name="instance_name"');
    expect(page.body).not.toContain('name="public_url"');
    expect(page.body).toContain('Now the default, security@localhost.');
  });

  it('stores settings, applies them at once, audits them, and a new process applies them at start', async () => {
    const res = await admin.post('/admin/settings', { instance_name: 'Widget Security', team_email: 'security@widget.example', mail_from: 'Widget Security <security@widget.example>' }, '/admin/settings');
    expect(res.statusCode).toBe(303);
    expect(t.ctx.config).toMatchObject({ instanceName: 'Widget Security', teamEmail: 'security@widget.example', mailFrom: 'Widget Security <security@widget.example>', publicUrl: 'https://env.example.org' });
    expect((await admin.get('/')).body).toContain('Widget Security');
    expect(await auditCount('instance.settings_changed')).toBe(1);
    const event = await t.ctx.storage.db.selectFrom('audit_events').select(['before_json', 'after_json', 'actor_label']).where('action', '=', 'instance.settings_changed').executeTakeFirstOrThrow();
    expect(event.actor_label).toBe('root');
    expect(JSON.parse(event.after_json!)).toEqual({ instance_name: 'Widget Security', team_email: 'security@widget.example', mail_from: 'Widget Security <security@widget.example>' });

    // Another process (a worker, a second app node) starts with its own config from the environment.
    const other = testConfig({ dataDir: t.db.dataDir, publicUrl: 'https://env.example.org', settingsFromEnvironment: ['PUBLIC_URL', 'MAIL_FROM'], mailFrom: 'Ops <ops@env.example.org>' });
    await refreshInstanceSettings({ config: other, storage: t.ctx.storage });
    expect(other).toMatchObject({ instanceName: 'Widget Security', teamEmail: 'security@widget.example', mailFrom: 'Ops <ops@env.example.org>', publicUrl: 'https://env.example.org' });

    // Saving the same values again changes nothing and writes no event.
    await admin.post('/admin/settings', { instance_name: 'Widget Security' }, '/admin/settings');
    expect(await auditCount('instance.settings_changed')).toBe(1);

    // An emptied field goes back to the default.
    await admin.post('/admin/settings', { instance_name: '' }, '/admin/settings');
    expect(t.ctx.config.instanceName).toBe('Cordon');
    expect((await storedRows()).map((r) => r.key)).toEqual(['mail_from', 'team_email']);
    expect(await auditCount('instance.settings_changed')).toBe(2);
  });

  it('refuses bad values and a field set in the environment with catalogued errors, changing nothing', async () => {
    const before = await storedRows();
    const configBefore = { ...t.ctx.config };
    const events = await auditCount('instance.settings_changed');
    const page = await admin.post('/admin/settings', { instance_name: 'Fine name', team_email: 'not an address', mail_from: 'Evil\r\nBcc: x@example.org' }, '/admin/settings');
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('is not an email address');
    expect(page.body).toContain('is not an address like Name &lt;security@example.org&gt;');
    const api = await admin.json('PATCH', '/api/v1/instance/settings', { public_url: 'https://elsewhere.example.org' });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toMatchObject({ error: { code: 'validation_failed', fields: [{ field: 'public_url', message: 'is set by PUBLIC_URL in the environment; change it there.' }] } });
    const unknown = await admin.json('PATCH', '/api/v1/instance/settings', { smtp_url: 'smtp://x' });
    expect(unknown.statusCode).toBe(400);
    expect(await storedRows()).toEqual(before);
    expect(t.ctx.config).toEqual(configBefore);
    expect(await auditCount('instance.settings_changed')).toBe(events);
  });

  it('answers 404 to signed-in non-admins and sends anonymous visitors to sign in; their posts change nothing', async () => {
    const before = await storedRows();
    for (const client of [vmt, plain]) {
      for (const url of ['/admin/settings', '/admin/setup', '/api/v1/instance/settings', '/api/v1/instance/setup']) expect((await client.get(url)).statusCode).toBe(404);
      expect((await client.post('/admin/settings', { team_email: 'x@evil.example' }, '/account')).statusCode).toBe(404);
      expect((await client.post('/admin/settings/test-mail', { to: 'x@evil.example' }, '/account')).statusCode).toBe(404);
      expect((await client.post('/admin/setup/dismiss', { dismissed: 'true' }, '/account')).statusCode).toBe(404);
    }
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin/settings', headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Fsettings');
    expect(await storedRows()).toEqual(before);
    expect(await t.ctx.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'mail.send').execute()).toEqual([]);
  });

  it('sends a test mail through the outbox to a real SMTP server and shows sent, or failed with the relay’s error', async () => {
    const sink = await startSmtpSink({ refuse: { 'gone@widget.example': 550 } });
    try {
      const worker = () => new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: new JobRegistry().register(mailJobHandler({ ...t.ctx.config, smtpUrl: sink.url }, mailDirectory)) }).drain();
      const form = await admin.get('/admin/settings');
      expect(form.body).toContain('value="root@example.org"'); // the admin's own address by default
      expect(form.body).toContain('No test mail sent yet.');
      const bad = await admin.post('/admin/settings/test-mail', { to: 'nobody' }, '/admin/settings');
      expect(bad.statusCode).toBe(400);
      expect(await t.ctx.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'mail.send').execute()).toEqual([]);

      const res = await admin.post('/admin/settings/test-mail', { to: 'ops@widget.example' }, '/admin/settings');
      expect(res.statusCode).toBe(303);
      expect(await auditCount('instance.test_mail_queued')).toBe(1);
      expect((await admin.get('/admin/settings')).body).toMatch(/badge warn">queued/);
      await worker();
      expect(sink.received.map((m) => m.to)).toEqual([['ops@widget.example']]);
      expect(sink.received[0]!.raw).toMatch(/^From: Widget Security <security@widget\.example>/m);
      expect(sink.received[0]!.raw).toContain('test mail');
      expect((await admin.get('/admin/settings')).body).toMatch(/badge ok">sent/);
      expect((await admin.json('GET', '/api/v1/instance/settings')).json()).toMatchObject({ test_mail: { recipient: 'ops@widget.example', state: 'sent', error: null } });

      await admin.post('/admin/settings/test-mail', { to: 'gone@widget.example' }, '/admin/settings');
      await worker();
      const failed = await admin.get('/admin/settings');
      expect(failed.body).toMatch(/badge danger">failed/);
      expect(failed.body).toContain('5.1.1 No such user');
      const setup = await admin.get('/admin/setup');
      expect(setup.body).toContain('The test mail to gone@widget.example failed');
    } finally {
      await sink.close();
    }
  });
});
