// Issue 13, finding 7: /metrics counts requests per route, so an outsider could watch private reports
// arrive and disclosures widen. On the main port it answers admins only; a scraper without a token uses
// the separate METRICS_LISTEN listener, which serves nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { createApiToken } from '../accounts/api-tokens.js';
import { loadConfig } from '../config/config.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { Metrics, startMetricsListener, type MetricsListener } from './metrics.js';

const SERIES = 'cordon_http_requests_total';

function httpGet(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(testDialects())('/metrics on %s', (dialect) => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const clients: Record<string, TestClient> = {};
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    const plain = await makeUser(t, { username: 'plain', totp: false });
    tokens.adminAll = (await createApiToken(t.system, admin.user.id, { name: 'scrape', scopes: ['admin'] })).token;
    tokens.adminRead = (await createApiToken(t.system, admin.user.id, { name: 'read', scopes: ['read'] })).token;
    tokens.vmt = (await createApiToken(t.system, vmt.user.id, { name: 'vmt', scopes: ['read', 'write'] })).token;
    clients.admin = await signedInClient(t, admin);
    clients.vmt = await signedInClient(t, vmt);
    clients.plain = await signedInClient(t, plain);
    // Some traffic to count, including an intake page.
    await new TestClient(t).get('/report');
  });
  afterAll(async () => t.close());

  it('is not readable by anonymous callers, plain users, the VMT, or a non-admin token', async () => {
    for (const accept of ['text/plain', 'text/html', 'application/json']) {
      const anonymous = await t.app.inject({ url: '/metrics', headers: { accept } });
      expect(anonymous.body).not.toContain(SERIES);
      expect([303, 401]).toContain(anonymous.statusCode);
    }
    for (const name of ['plain', 'vmt']) {
      const res = await clients[name]!.get('/metrics', 'text/plain');
      expect(res.statusCode, name).toBe(404);
      expect(res.body).not.toContain(SERIES);
    }
    for (const name of ['adminRead', 'vmt']) {
      const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${tokens[name]}` } });
      expect(res.statusCode, name).toBe(404);
      expect(res.body).not.toContain(SERIES);
    }
    // HEAD, case and trailing-slash variants do not slip past either.
    for (const url of ['/metrics/', '/METRICS', '/metrics?x=1', '/%6Detrics']) {
      expect((await t.app.inject({ url, headers: { accept: 'text/plain' } })).body, url).not.toContain(SERIES);
    }
    expect((await t.app.inject({ method: 'HEAD', url: '/metrics' })).statusCode).not.toBe(200);
  });

  it('is served to an admin session and to an admin-scoped token', async () => {
    const session = await clients.admin!.get('/metrics', 'text/plain');
    expect(session.statusCode).toBe(200);
    expect(session.body).toMatch(/cordon_http_requests_total\{method="GET",route="\/report",status="200"\} \d+/);
    const token = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${tokens.adminAll}` } });
    expect(token.statusCode).toBe(200);
    expect(token.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(token.body).toContain('cordon_jobs_queued');
  });

  it('a separate listener (METRICS_LISTEN) serves only GET /metrics', async () => {
    const metrics = new Metrics();
    metrics.observeRequest('GET', '/report', 200, 0.01);
    const listener: MetricsListener = await startMetricsListener(t.ctx, metrics, { host: '127.0.0.1', port: 0 });
    try {
      expect(listener.host).toBe('127.0.0.1');
      const ok = await httpGet(listener.port, '/metrics');
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('cordon_http_requests_total{method="GET",route="/report",status="200"} 1');
      for (const path of ['/', '/report', '/api/v1/reports', '/healthz']) expect((await httpGet(listener.port, path)).status, path).toBe(404);
      expect((await httpGet(listener.port, '/metrics', 'POST')).status).toBe(404);
    } finally {
      await listener.close();
    }
  });
});

describe('METRICS_LISTEN', () => {
  it('is off unless set, takes host:port, and explains a bad value', () => {
    expect(loadConfig({}).metricsListen).toBeNull();
    expect(loadConfig({ METRICS_LISTEN: 'off' }).metricsListen).toBeNull();
    expect(loadConfig({ METRICS_LISTEN: '127.0.0.1:9464' }).metricsListen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_LISTEN: '[::1]:9464' }).metricsListen).toEqual({ host: '::1', port: 9464 });
    for (const bad of ['9464', 'localhost', '127.0.0.1:0', '127.0.0.1:70000', 'http://127.0.0.1:9464']) {
      expect(() => loadConfig({ METRICS_LISTEN: bad }), bad).toThrow(/METRICS_LISTEN: .* is not host:port\.\n\s+fix: Set METRICS_LISTEN=127\.0\.0\.1:9464/);
    }
  });
});
