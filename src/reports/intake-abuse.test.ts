// Issue 13, finding 3, against a real listening server as an attacker would do it: bodies declared over
// the cap are refused before they are read, and requests held open (slowly sent bodies) use up their
// address's share and the process's share of intake, after which others get 429/503 with Retry-After.
// The counts are shared through the database (intake_slots), so they hold across app nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { reportApiBodyLimit } from './intake-input.js';
import { reportFormBodyLimit } from './intake-limits.js';
import { setUpIntake, storedCounts } from './testing/intake.js';

const MiB = 1_048_576;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection after answering. */
  closed: boolean;
}

/** An HTTP/1.1 request over a raw socket: headers, then only `sendBytes` of the body (the rest never comes). */
class RawRequest {
  readonly socket: net.Socket;
  private data = '';
  private closed = false;
  private readonly done: Promise<void>;

  constructor(port: number, method: string, path: string, headers: Record<string, string>, sendBytes: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (c: string) => (this.data += c));
    this.socket.on('error', () => undefined);
    this.done = new Promise((resolve) => this.socket.on('close', () => ((this.closed = true), resolve())));
    const head = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    this.socket.write(head);
    if (sendBytes > 0) this.socket.write(Buffer.alloc(sendBytes, 0x20));
  }

  /** The answer, once its headers and (Content-Length) body are in, or the connection closed. */
  async answer(): Promise<Answer> {
    for (;;) {
      const parsed = this.parse();
      if (parsed) return parsed;
      if (this.closed) throw new Error(`connection closed without an answer: ${JSON.stringify(this.data.slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const wake = () => resolve();
        this.socket.once('data', wake);
        this.socket.once('close', wake);
      });
    }
  }

  private parse(): Answer | null {
    const end = this.data.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine = '', ...lines] = this.data.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    const body = this.data.slice(end + 4);
    if (Number(headers['content-length'] ?? 0) > body.length) return null;
    return { status: Number(statusLine.split(' ')[1]), headers, body, closed: this.closed };
  }

  async closedByServer(): Promise<boolean> {
    await this.done;
    return true;
  }

  close(): void {
    this.socket.destroy();
  }
}

describe.each(testDialects())('intake under abuse, on a real server, on %s', (dialect) => {
  let t: TestApp;
  let port: number;
  const config = { maxAttachmentBytes: 2 * MiB, maxAttachments: 10, intakeConcurrency: 3, intakePerAddress: 2, intakeBufferBytes: 4 * MiB, trustProxy: true };
  const json = (address: string, length: number) => ({ 'content-type': 'application/json', accept: 'application/json', 'content-length': String(length), 'x-forwarded-for': address });

  beforeAll(async () => {
    t = await createTestApp(dialect, config);
    await setUpIntake(t);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => t.close());

  /** Until every intake slot is given back (released when each response's connection closes). */
  async function settled(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const open = await t.ctx.storage.db.selectFrom('intake_slots').select('id').where('finished_at', 'is', null).execute();
      if (open.length === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('intake slots were not released');
  }

  async function fileReport(address: string): Promise<Answer> {
    const body = JSON.stringify({ title: 'After the burst', description: 'Still accepted.', projects: ['nova'], email: 'finder@example.net', stay_anonymous: true });
    const req = new RawRequest(port, 'POST', '/api/v1/reports', json(address, Buffer.byteLength(body)), 0);
    req.socket.write(body);
    const answer = await req.answer();
    req.close();
    return answer;
  }

  it('answers 413 from the declared length, without reading the body, and closes the connection', async () => {
    const before = await storedCounts(t);
    // The body the review sent (~140 MB), and one just over the JSON cap; the multipart form and files route too.
    const cases: [string, Record<string, string>][] = [
      ['/api/v1/reports', json('192.0.2.1', 140 * 1_000_000)],
      ['/api/v1/reports', json('192.0.2.2', reportApiBodyLimit(config) + 1)],
      ['/report', { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(reportFormBodyLimit(config) + 1), 'x-forwarded-for': '192.0.2.3' }],
      ['/r/not-a-real-link-0000000000000000000000000000/attachments', { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(reportFormBodyLimit(config) + 1), 'x-forwarded-for': '192.0.2.4' }],
    ];
    for (const [path, headers] of cases) {
      // Only 64 KiB of the body is ever sent: the answer must come without the rest.
      const req = new RawRequest(port, 'POST', path, headers, 65_536);
      const answer = await req.answer();
      expect(answer.status, path).toBe(413);
      expect(answer.headers.connection).toBe('close');
      expect(answer.body).toContain('payload_too_large');
      expect(await req.closedByServer()).toBe(true);
    }
    // The JSON cap still fits one attachment at MAX_ATTACHMENT_BYTES in base64 (finding 4).
    expect(reportApiBodyLimit(config)).toBeGreaterThan(Math.ceil((2 * MiB) / 3) * 4);
    expect(reportApiBodyLimit({ maxAttachmentBytes: 10 * MiB, maxAttachments: 10 })).toBeLessThan(20 * MiB);
    await settled();
    expect(await storedCounts(t)).toEqual(before);
  });

  it('one address may hold two intake requests open; the third gets 429 with Retry-After, and the slots come back', async () => {
    const held = [1, 2].map(() => new RawRequest(port, 'POST', '/api/v1/reports', json('198.51.100.7', 1000), 10));
    // Wait until both hold their slots (taken when their headers arrive, before the body).
    for (let i = 0; i < 200 && (await t.ctx.storage.db.selectFrom('intake_slots').select('id').where('address', '=', '198.51.100.7').where('finished_at', 'is', null).execute()).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    const third = new RawRequest(port, 'POST', '/api/v1/reports', json('198.51.100.7', 1000), 0);
    const refused = await third.answer();
    third.close();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address is not affected.
    expect((await fileReport('198.51.100.8')).status).toBe(201);
    for (const r of held) r.close();
    await settled();
    expect((await fileReport('198.51.100.7')).status).toBe(201);
  });

  it('the process reads at most INTAKE_CONCURRENCY bodies and INTAKE_BUFFER_BYTES at once: others get 503 with Retry-After', async () => {
    const before = await storedCounts(t);
    // Three slow senders from three addresses fill the process.
    const held = ['203.0.113.1', '203.0.113.2', '203.0.113.3'].map((a) => new RawRequest(port, 'POST', '/api/v1/reports', json(a, 1000), 10));
    for (let i = 0; i < 200 && (await t.ctx.storage.db.selectFrom('intake_slots').select('id').where('finished_at', 'is', null).execute()).length < 3; i++) await new Promise((r) => setTimeout(r, 25));
    const busy = await fileReport('203.0.113.4');
    expect(busy.status).toBe(503);
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(busy.body)).toMatchObject({ error: { code: 'server_busy' } });
    for (const r of held) r.close();
    await settled();

    // Bytes: one large body (declared 3 MiB of the 4 MiB budget) leaves no room for another 2 MiB one.
    const large = new RawRequest(port, 'POST', '/api/v1/reports', json('203.0.113.5', 3 * MiB), 10);
    for (let i = 0; i < 200 && (await t.ctx.storage.db.selectFrom('intake_slots').select('id').where('finished_at', 'is', null).execute()).length < 1; i++) await new Promise((r) => setTimeout(r, 25));
    const second = new RawRequest(port, 'POST', '/api/v1/reports', json('203.0.113.6', 2 * MiB), 10);
    expect((await second.answer()).status).toBe(503);
    second.close();
    // A small one still fits beside it.
    expect((await fileReport('203.0.113.7')).status).toBe(201);
    large.close();
    await settled();
    expect((await fileReport('203.0.113.6')).status).toBe(201);
    expect((await storedCounts(t)).reports).toBe(before.reports + 2);
  });
});
