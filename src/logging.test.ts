import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, scrubUrl } from './logging.js';
import { buildApp } from './http/app.js';
import type { AppContext } from './context.js';
import { createTestStorage } from './testing/databases.js';
import { loadConfig, testConfig } from './config/config.js';
import { ManualClock } from './clock.js';

describe('logs never carry credentials', () => {
  it('scrubs one-time links and CSRF tokens from URLs', () => {
    expect(scrubUrl('/r/abcDEF123_-xyz/comments?x=1')).toBe('/r/[redacted]/comments?x=1');
    expect(scrubUrl('/setup/tok')).toBe('/setup/[redacted]');
    expect(scrubUrl('/password/reset/tok')).toBe('/password/reset/[redacted]');
    expect(scrubUrl('/report?_csrf=secret&a=b')).toBe('/report?_csrf=[redacted]&a=b');
    expect(scrubUrl('/reports/R-ABCDEFGH')).toBe('/reports/R-ABCDEFGH');
  });

  it('redacts cookies, authorization, passwords and tokens in logged objects', () => {
    let out = '';
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((out += chunk.toString()), cb()) });
    const log = createLogger({ logLevel: 'info' }, sink);
    log.info({ req: { method: 'GET', url: '/invite/secret-link', headers: { cookie: 'cordon_session=abc' } }, body: { password: 'hunter2hunter2', token: 'cdn_x' } }, 'x');
    expect(out).not.toContain('secret-link');
    expect(out).not.toContain('hunter2hunter2');
    expect(out).not.toContain('cdn_x');
    expect(out).not.toContain('cordon_session=abc');
  });
});

describe('request logs', () => {
  async function logLinesFor(logRequests: boolean): Promise<Array<Record<string, unknown>>> {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(...chunk.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)), cb()) });
    const db = await createTestStorage('sqlite');
    const ctx: AppContext = { config: testConfig({ dataDir: db.dataDir, logRequests }), storage: db.storage, clock: new ManualClock(), log: createLogger({ logLevel: 'info' }, sink) };
    const { app } = await buildApp(ctx);
    try {
      await app.inject({ method: 'GET', url: '/' });
      await app.inject({ method: 'GET', url: '/r/private-link-token' });
    } finally {
      await app.close();
      await db.cleanup();
    }
    return lines;
  }

  it('are off by default, so the setup link printed at start stays readable', async () => {
    const lines = await logLinesFor(false);
    expect(lines.filter((l) => /request/.test(String(l.msg)))).toEqual([]);
  });

  it('are one line per request with LOG_REQUESTS, one-time links scrubbed', async () => {
    const lines = (await logLinesFor(true)).filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ req: { method: 'GET', url: '/' }, res: { statusCode: 200 } });
    expect(JSON.stringify(lines[1])).toContain('/r/[redacted]');
    expect(JSON.stringify(lines[1])).not.toContain('private-link-token');
  });

  it('LOG_REQUESTS is read as a boolean', () => {
    expect(loadConfig({ LOG_REQUESTS: 'true' }).logRequests).toBe(true);
    expect(loadConfig({}).logRequests).toBe(false);
  });
});
