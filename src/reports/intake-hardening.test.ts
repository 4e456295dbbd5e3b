// Issue 13, findings 3 and 4, as an attacker would try them: large attachments through the JSON API, bodies
// over the cap, and bursts of parallel intake requests against a real listening server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { setUpIntake, storedCounts } from './testing/intake.js';
import { isPaddedBase64 } from './intake-input.js';

const MiB = 1_048_576;
const base = { title: 'Large proof of concept', description: 'The PoC is attached.', projects: ['nova'], email: 'finder@example.net', stay_anonymous: true };

describe('the base64 check', () => {
  // The former regular expression is a correct oracle on short inputs (it only failed on long ones).
  const oracle = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  it('agrees with the RFC 4648 grammar on short strings and accepts every encoding (fixed seed)', () => {
    const chars = fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', '_', ' ', '\u00e9');
    fc.assert(fc.property(fc.array(chars, { maxLength: 16 }).map((a) => a.join('')), (s) => isPaddedBase64(s) === oracle.test(s)), { seed: 13, numRuns: 5000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => isPaddedBase64(Buffer.from(bytes).toString('base64'))), { seed: 13, numRuns: 500 });
  });
});

describe.each(testDialects())('intake hardening on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // The default per-file limit (10 MiB): the finding was about attachments well within it.
    t = await createTestApp(dialect, { maxAttachmentBytes: 10 * MiB, maxAttachments: 10 });
    await setUpIntake(t);
  });
  afterAll(async () => t.close());

  const post = (body: unknown, address: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { 'content-type': 'application/json', accept: 'application/json' }, remoteAddress: address, payload: JSON.stringify(body) });

  it('accepts a 4 MB attachment through the JSON API, and one at exactly MAX_ATTACHMENT_BYTES (finding 4)', async () => {
    for (const [size, address] of [[4 * 1_000_000 + 1, '10.44.0.1'], [10 * MiB, '10.44.0.2']] as const) {
      const content = Buffer.alloc(size, 0x5a);
      content[size - 1] = 0xff;
      const res = await post({ ...base, attachments: [{ filename: 'poc.bin', content_base64: content.toString('base64') }] }, address);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
      const ref = (JSON.parse(res.body) as { ref: string }).ref;
      const db = t.ctx.storage.db;
      const row = await db.selectFrom('report_attachments').innerJoin('reports', 'reports.id', 'report_attachments.report_id').select(['report_attachments.content']).where('reports.ref', '=', ref).executeTakeFirstOrThrow();
      expect(Buffer.from(row.content).equals(content)).toBe(true);
    }
  });

  it('states the JSON intake limits in the OpenAPI description', async () => {
    const doc = JSON.parse((await t.app.inject({ url: '/api/openapi.json' })).body) as { paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { description: string } }> } }>> };
    const description = doc.paths['/api/v1/reports']!.post!.requestBody.content['application/json']!.schema.description;
    expect(description).toContain(`${10 * MiB} bytes of content in all`);
    expect(description).toMatch(/413 from its Content-Length/);
    expect(description).toMatch(/429 with Retry-After/);
  });

  it('refuses attachments over MAX_ATTACHMENT_BYTES in all through JSON, naming the field, storing nothing', async () => {
    const before = await storedCounts(t);
    const part = Buffer.alloc(Math.ceil(2.6 * MiB), 7).toString('base64');
    const res = await post({ ...base, attachments: [1, 2, 3, 4].map((i) => ({ filename: `${i}.bin`, content_base64: part })) }, '10.44.2.1');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('"field":"attachments"');
    expect(res.body).toContain('through the web form');
    expect(await storedCounts(t)).toEqual(before);
  });

  it('refuses malformed base64 of any size with a 400 naming the field, and stores nothing (finding 4)', async () => {
    const before = await storedCounts(t);
    const good = Buffer.alloc(3 * MiB, 1).toString('base64');
    const cases = [
      good.slice(0, -1), // length not a multiple of 4
      good.slice(0, 1000) + '!' + good.slice(1001),
      good.slice(0, -4) + 'A=AA', // padding in the middle of the last group
      'QQ==QQ==', // padding before the end
      'QQ=', // short padding
      '====',
    ];
    for (const [i, text] of cases.entries()) {
      const res = await post({ ...base, attachments: [{ filename: 'ok.txt', content_base64: 'b2s=' }, { filename: 'bad.bin', content_base64: text }] }, `10.44.1.${i}`);
      expect(res.statusCode, text.slice(-12)).toBe(400);
      const fields = (JSON.parse(res.body) as { error: { fields: { field: string; message: string }[] } }).error.fields;
      expect(fields).toEqual([{ field: 'attachments.1.content_base64', message: expect.stringMatching(/not valid base64/) }]);
    }
    expect(await storedCounts(t)).toEqual(before);
  });
});
