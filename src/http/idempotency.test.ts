// Idempotency-Key on the JSON API (draft-ietf-httpapi-idempotency-key-header): a retried create replays
// the first answer and creates nothing; the key with another request is refused (422); concurrent
// duplicates create once; a key is only ever replayed to its own caller; keys are forgotten after 24 h.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestClient, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { setUpIntake } from '../reports/testing/intake.js';
import { KEEP_MS } from './idempotency.js';

const REPORT = { title: 'Replayed report', description: 'Sent twice by a flaky script.', projects: ['nova'], email: 'script@example.net', stay_anonymous: true };

describe.each(testDialects())('Idempotency-Key on %s', (dialect) => {
  let t: TestApp;
  let vmtUser: TestUser;
  let ref: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    vmtUser = (await setUpIntake(t)).vmt;
    ref = (await intake({ ...REPORT, title: 'The report commented on' }, undefined, '10.77.0.1').then((r) => r.json<{ ref: string }>())).ref;
  });
  afterAll(async () => t.close());

  const reports = async () => Number((await t.ctx.storage.db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const comments = async () => Number((await t.ctx.storage.db.selectFrom('report_comments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  function intake(body: unknown, key: string | undefined, address = '10.77.1.1'): Promise<LightMyRequestResponse> {
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      remoteAddress: address,
      payload: JSON.stringify(body),
    });
  }

  it('the same key and request replay the first answer (status and body, the private link included) and file one report', async () => {
    const before = await reports();
    const first = await intake(REPORT, '"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"');
    expect(first.statusCode).toBe(201);
    const again = await intake(REPORT, '"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"');
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await reports()).toBe(before + 1);
    // Stored sealed: the private link is not in the table in clear.
    const followUrl = first.json<{ follow_url: string }>().follow_url;
    const rows = await t.ctx.storage.db.selectFrom('idempotency_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(new URL(followUrl).pathname.slice(3));
    expect(JSON.stringify(rows)).not.toContain('9b1deb4d');
  });

  it('the same key with another body is refused with 422 and creates nothing', async () => {
    const key = 'c0ffee00-0000-4000-8000-000000000001';
    expect((await intake(REPORT, key)).statusCode).toBe(201);
    const before = await reports();
    const other = await intake({ ...REPORT, title: 'Another report' }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(await reports()).toBe(before);
  });

  it('two concurrent requests with one key create once: the other waits for the answer (409 with Retry-After) or gets it replayed', async () => {
    const key = 'c0ffee00-0000-4000-8000-000000000002';
    const before = await reports();
    // Two at once (an address may hold two intake requests open, intake-limits.ts).
    const answers = await Promise.all([intake(REPORT, key), intake(REPORT, key)]);
    expect(await reports()).toBe(before + 1);
    const created = answers.filter((a) => a.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body)).size).toBe(1);
    for (const a of answers.filter((x) => x.statusCode !== 201)) {
      expect(a.statusCode).toBe(409);
      expect(a.json()).toMatchObject({ error: { code: 'idempotency_key_in_use' } });
      expect(a.headers['retry-after']).toBe('1');
    }
    // Once the first is answered, a retry gets its answer.
    const retry = await intake(REPORT, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(created[0]!.body);
    expect(await reports()).toBe(before + 1);
  });

  it('a key is replayed only to the caller that sent it: another caller with the same key gets its own answer', async () => {
    const key = 'c0ffee00-0000-4000-8000-000000000003';
    const mine = await intake(REPORT, key, '10.77.2.1');
    const theirs = await intake(REPORT, key, '10.77.2.2');
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json<{ ref: string }>().ref).not.toBe(mine.json<{ ref: string }>().ref);
    // A signed-in caller's key is theirs alone, too.
    const a = await signedInClient(t, await makeUser(t, { totp: false }));
    const send = (c: TestClient) => c.request('POST', '/api/v1/reports', { json: REPORT, accept: 'application/json', headers: { 'x-csrf-token': c.lastCsrf ?? '', 'idempotency-key': key } });
    await a.get('/');
    const fromA = await send(a);
    expect(fromA.statusCode).toBe(201);
    expect(fromA.body).not.toBe(mine.body);
  });

  it('a failed request frees its key: the corrected request with the same key goes through', async () => {
    const key = 'c0ffee00-0000-4000-8000-000000000004';
    const before = await reports();
    const bad = await intake({ ...REPORT, projects: ['no-such-project'] }, key);
    expect(bad.statusCode).toBe(400);
    expect(await reports()).toBe(before);
    const good = await intake(REPORT, key);
    expect(good.statusCode).toBe(201);
    expect(await reports()).toBe(before + 1);
  });

  it('keys are kept 24 hours: afterwards the same key is a new request', async () => {
    const key = 'c0ffee00-0000-4000-8000-000000000005';
    const before = await reports();
    await intake(REPORT, key);
    t.clock.advance(KEEP_MS - 60_000);
    expect((await intake(REPORT, key)).headers['idempotent-replayed']).toBe('true');
    expect(await reports()).toBe(before + 1);
    t.clock.advance(2 * 60_000);
    const later = await intake(REPORT, key);
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(await reports()).toBe(before + 2);
  });

  it('works on the signed-in creation APIs (a comment), and a malformed key is a catalogued 400 that changes nothing', async () => {
    const before = await comments();
    const vmt = await signedInClient(t, vmtUser);
    await vmt.get('/');
    const send = (key: string, body = 'One comment, sent twice.') =>
      vmt.request('POST', `/api/v1/reports/${ref}/comments`, { json: { body }, accept: 'application/json', headers: { 'x-csrf-token': vmt.lastCsrf ?? '', 'idempotency-key': key } });
    const first = await send('comment-key-1');
    expect(first.statusCode).toBe(201);
    const second = await send('comment-key-1');
    expect(second.body).toBe(first.body);
    expect(await comments()).toBe(before + 1);
    const bad = await send('"unterminated', 'Another comment');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect(await comments()).toBe(before + 1);
  });

  it('the OpenAPI description documents the header and its answers on every POST of the API', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>> }>();
    const posts = Object.values(doc.paths).flatMap((p) => (p.post ? [p.post] : []));
    expect(posts.length).toBeGreaterThan(10);
    for (const op of posts) {
      expect(op.parameters?.map((p) => p.name)).toContain('Idempotency-Key');
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
  });
});
