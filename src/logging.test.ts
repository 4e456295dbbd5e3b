import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, scrubUrl } from './logging.js';

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
