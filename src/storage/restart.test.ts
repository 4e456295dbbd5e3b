// Issue 21: a PostgreSQL restart, failover or pg_terminate_backend costs at most the requests in flight.
// A real `cordon serve` and a real `cordon worker` run on the test database; we kill every backend they
// hold, and separately cut them off from the database for a while through a TCP proxy we control.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TOKEN_PREFIX } from '../accounts/api-tokens.js';
import { enqueueJob } from '../jobs/queue.js';
import { MAIL_JOB, mailJobs } from '../mail/outbox.js';
import { childEnv, createTestStorage, describeOnPostgres, postgresUrl, type TestStorage } from '../testing/databases.js';
import { cordonCli } from '../testing/worker-processes.js';
import { repoPath } from '../testing/fixture-files.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP proxy in front of PostgreSQL that the test can cut (every connection dropped, new ones refused) and restore. */
class CuttableProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

// Well-formed but unknown: looking it up needs the database.
const UNKNOWN_TOKEN = `${TOKEN_PREFIX}${'0'.repeat(40)}`;

interface Running {
  child: ChildProcess;
  output: string[];
}

describeOnPostgres('a running server and worker survive the database going away (PostgreSQL)', () => {
  let t: TestStorage;
  const running: Running[] = [];
  beforeAll(async () => {
    t = await createTestStorage('postgres');
  });
  afterEach(() => {
    for (const r of running.splice(0)) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  });
  afterAll(async () => t.cleanup());

  /** `cordon serve --no-worker` and `cordon worker`, tagged with an application_name we can find them by. */
  async function startBoth(appName: string, databaseUrl?: string): Promise<{ base: string; server: Running; worker: Running }> {
    const port = await freePort();
    const start = (args: string[]): Running => {
      const env = childEnv(t, { PGAPPNAME: appName, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, IN_PROCESS_WORKER: 'false', LOG_LEVEL: 'warn' });
      delete env.SMTP_URL; // mail goes to DATA_DIR/outbox
      if (databaseUrl) env.DATABASE_URL = databaseUrl;
      const child = spawn(process.execPath, [cordonCli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: repoPath() });
      const r: Running = { child, output: [] };
      child.stdout?.on('data', (d: Buffer) => r.output.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => r.output.push(d.toString()));
      running.push(r);
      return r;
    };
    const server = start(['serve', '--no-worker']);
    const worker = start(['worker']);
    const base = `http://127.0.0.1:${port}`;
    await until('the server to answer', async () => (await get(`${base}/healthz`))?.status === 200, [server, worker]);
    return { base, server, worker };
  }

  async function get(url: string, headers: Record<string, string> = {}): Promise<Response | undefined> {
    try {
      return await fetch(url, { headers });
    } catch {
      return undefined; // not listening yet
    }
  }

  async function until(what: string, fn: () => Promise<boolean>, processes: Running[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await fn())) {
      for (const p of processes) if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`a process exited (${p.child.exitCode ?? p.child.signalCode}) while waiting for ${what}:\n${p.output.join('').slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${processes.map((p) => p.output.join('').slice(-1500)).join('\n---\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  function alive(r: Running): boolean {
    return r.child.exitCode === null && r.child.signalCode === null;
  }

  /** Queue one mail and wait until a worker has written it to the outbox. */
  async function mailIsDelivered(processes: Running[]): Promise<void> {
    const [job] = mailJobs({ to: ['after@example.net'], subject: 'after the fault', text: 'hello', messageId: `<${randomBytes(6).toString('hex')}@faults.test>` });
    const id = await enqueueJob(t.storage.db, new Date(), MAIL_JOB, job!.payload, job!.options);
    await until('the mail job to run', async () => (await t.storage.db.selectFrom('jobs').select('status').where('id', '=', id!).executeTakeFirstOrThrow()).status === 'done', processes);
    const safeId = (job!.payload as { messageId: string }).messageId.replace(/[^a-zA-Z0-9._-]/g, '');
    const outbox = path.join(t.dataDir, 'outbox');
    expect(existsSync(outbox) && readdirSync(outbox).filter((f) => f.includes(safeId))).toHaveLength(1);
  }

  it('pg_terminate_backend of every connection: both processes live on, requests succeed, a new job runs', async () => {
    const appName = `cordon-faults-${randomBytes(4).toString('hex')}`;
    const { base, server, worker } = await startBoth(appName);
    // Some traffic, so the server's pool holds idle connections (the worker's polling holds its own).
    for (let i = 0; i < 5; i++) expect((await get(`${base}/healthz`))?.status).toBe(200);

    // The test role is no superuser, but may end its own role's backends; only these two processes' are ended.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const theirs = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = $1', [appName]);
    const ended = await admin.query<{ ok: boolean }>('select pg_terminate_backend(pid) as ok from unnest($1::int[]) as pid', [theirs.rows.map((r) => r.pid)]);
    await admin.end();
    expect(ended.rows.filter((r) => r.ok).length).toBeGreaterThanOrEqual(2);

    // At most the requests in flight fail; within moments the server answers again.
    const terminatedAt = Date.now();
    await until('the server to answer after the termination', async () => (await get(`${base}/healthz`))?.status === 200, [server, worker]);
    const answeredAt = Date.now();
    expect((await get(`${base}/api/openapi.json`))?.status).toBe(200);
    await mailIsDelivered([server, worker]);
    console.log(`[faults] pg_terminate_backend: server answered 200 after ${answeredAt - terminatedAt} ms; a new mail job ran ${((Date.now() - terminatedAt) / 1000).toFixed(1)} s after`);
    expect(alive(server)).toBe(true);
    expect(alive(worker)).toBe(true);
    // The lost connections were logged, not fatal (57P01: terminating connection due to administrator command).
    expect(server.output.join('') + worker.output.join('')).toContain('database connection lost');
  });

  it('an outage: 503 with Retry-After and an unhealthy /healthz meanwhile, recovery on its own afterwards', async () => {
    const target = new URL(postgresUrl!);
    const proxy = new CuttableProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(childEnv(t).DATABASE_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const { base, server, worker } = await startBoth('cordon-outage', viaProxy.toString());

    await proxy.cut();
    const health = await get(`${base}/healthz`);
    expect(health?.status).toBe(503);
    expect(health?.headers.get('retry-after')).toBe('5');
    expect(await health?.json()).toEqual({ status: 'unavailable', database: 'postgres', problem: 'database_unavailable' });
    // Any request that needs the database (here: looking up an API token) is answered 503, not 500.
    const api = await get(`${base}/api/reports`, { authorization: `Bearer ${UNKNOWN_TOKEN}`, accept: 'application/json' });
    expect(api?.status).toBe(503);
    expect(api?.headers.get('retry-after')).toBe('5');
    expect(((await api?.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
    // The worker meanwhile fails to claim, backs off and says why (wait for that, then some more).
    await until('the worker to report the outage', async () => worker.output.join('').includes('worker cannot reach the job table'), [server, worker], 30_000);
    expect(alive(server)).toBe(true);
    expect(alive(worker)).toBe(true);

    await proxy.open();
    const backAt = Date.now();
    await until('the server to recover', async () => (await get(`${base}/healthz`))?.status === 200, [server, worker]);
    const recoveredAt = Date.now();
    const after = await get(`${base}/api/reports`, { authorization: `Bearer ${UNKNOWN_TOKEN}`, accept: 'application/json' });
    expect(after?.status).toBe(401);
    await mailIsDelivered([server, worker]);
    console.log(`[faults] outage: server answered 200 ${recoveredAt - backAt} ms after the database came back; a new mail job ran ${((Date.now() - backAt) / 1000).toFixed(1)} s after`);
    await proxy.cut();
  });
});

