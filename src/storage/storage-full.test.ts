// Issue 21: a full disk under SQLite. SQLite rolls a transaction back by itself on SQLITE_FULL (when the
// failing statement cannot be undone alone, and always when the COMMIT cannot be written), and the
// driver's own ROLLBACK then failed ("cannot rollback - no transaction is active") and replaced the real
// error: a 500 whose log hid why. Three ways in: `PRAGMA max_page_count` (SQLite runs out of room for
// real: the same SQLITE_FULL and the same automatic rollback) at the driver and through HTTP, and a real
// small filesystem filled to the last byte where the sandbox lets us mount one. Only SQLite: a full disk
// under PostgreSQL is the server's own (53100 disk_full, mapped the same way in src/errors/storage-faults.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../clock.js';
import { testConfig } from '../config/config.js';
import { systemScope, type AppContext } from '../context.js';
import { buildApp } from '../http/app.js';
import { createLogger } from '../logging.js';
import { createProject } from '../projects/projects.js';
import { createTestStorage, type TestStorage } from '../testing/databases.js';
import { openStorage, type Storage } from './database.js';
import { migrateToLatest } from './migrate.js';

/** The app over `storage`, with every log line kept for the assertions. */
async function appOver(storage: Storage, dataDir: string): Promise<{ app: FastifyInstance; logLines: string[] }> {
  const logLines: string[] = [];
  const log = createLogger({ logLevel: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => done(void logLines.push(chunk.toString())) }));
  const ctx: AppContext = { config: testConfig({ dataDir }), storage, clock: new ManualClock(), log };
  await createProject(systemScope(ctx), { slug: 'nova', name: 'Nova' });
  return { app: (await buildApp(ctx)).app, logLines };
}

// Big enough to need new pages (overflow pages of the description), whatever free room the file has.
const report = (n: number) => ({ title: `Report ${n}`, description: `Details ${n}: ${'x'.repeat(20_000)}`, projects: ['nova'], email: 'finder@example.net', stay_anonymous: true });
const submit = (app: FastifyInstance, n: number) =>
  app.inject({ method: 'POST', url: '/api/v1/reports', headers: { 'content-type': 'application/json', accept: 'application/json' }, remoteAddress: `10.0.0.${n}`, payload: JSON.stringify(report(n)) });
const count = async (storage: Storage, table: 'reports' | 'jobs' | 'audit_events') => Number((await storage.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const counts = async (storage: Storage) => ({ reports: await count(storage, 'reports'), jobs: await count(storage, 'jobs'), audit: await count(storage, 'audit_events') });
const setMaxPages = (storage: Storage, n: number) => sql`pragma max_page_count = ${sql.raw(String(n))}`.execute(storage.db);
const pageCount = async (storage: Storage) => (await sql<{ page_count: number }>`pragma page_count`.execute(storage.db)).rows[0]!.page_count;

/** The refused write: 507 saying so, the log naming the real cause, nothing stored. */
async function expectStorageFull(app: FastifyInstance, storage: Storage, logLines: string[], n: number): Promise<void> {
  const before = await counts(storage);
  logLines.length = 0;
  const full = await submit(app, n);
  expect(full.statusCode).toBe(507);
  const body = full.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe('storage_full');
  expect(body.error.message).toMatch(/storage is full/);
  const logged = logLines.join('');
  expect(logged).toContain('storage full');
  expect(logged).toContain('SQLITE_FULL');
  expect(logged).not.toContain('cannot rollback');
  expect(await counts(storage)).toEqual(before);
}

describe('a full disk under SQLite', () => {
  let t: TestStorage;
  let app: FastifyInstance;
  let logLines: string[];
  beforeAll(async () => {
    t = await createTestStorage('sqlite');
    ({ app, logLines } = await appOver(t.storage, t.dataDir));
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('keeps the real error when SQLite has rolled the transaction back itself', async () => {
    // A plain table (no triggers, no foreign keys): an insert that finds no room is not undone alone, so
    // SQLite ends the whole transaction — the case where the driver's ROLLBACK used to fail.
    await sql`create table scratch (id integer primary key, body text not null)`.execute(t.storage.db);
    await setMaxPages(t.storage, await pageCount(t.storage));
    const error = await t.storage.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into scratch (body) values (${'y'.repeat(50_000)})`.execute(trx);
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      )
      .finally(() => setMaxPages(t.storage, 1_073_741_823));
    expect(error?.code).toBe('SQLITE_FULL');
    expect(error?.message).toBe('database or disk is full');
    // The connection is usable again at once, and the refused row was never written.
    await sql`insert into scratch (body) values ('fits')`.execute(t.storage.db);
    expect((await sql<{ n: number }>`select count(*) as n from scratch`.execute(t.storage.db)).rows[0]!.n).toBe(1);
  });

  it('answers 507 saying storage is full, logs why, keeps reads working, and writes again once there is room', async () => {
    const first = await submit(app, 1);
    expect(first.statusCode).toBe(201);
    const followPath = new URL(first.json<{ follow_url: string }>().follow_url).pathname;

    // The database may not grow by a single page from now on.
    await setMaxPages(t.storage, await pageCount(t.storage));
    await expectStorageFull(app, t.storage, logLines, 2);

    // Reading keeps working meanwhile: the health check and the reporter's follow page.
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const follow = await app.inject({ url: followPath, headers: { accept: 'text/html' } });
    expect(follow.statusCode).toBe(200);
    expect(follow.body).toContain('Report 1');

    // Space is freed: the same write goes through, with no restart.
    const before = await count(t.storage, 'reports');
    await setMaxPages(t.storage, 1_073_741_823);
    expect((await submit(app, 3)).statusCode).toBe(201);
    expect(await count(t.storage, 'reports')).toBe(before + 1);
  });

  it('on a real filesystem that fills up (a small tmpfs; needs root to mount)', async (ctx) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cordon-full-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      ctx.skip(`cannot mount a small tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()}); the max_page_count tests cover the same SQLite error`);
      return;
    }
    const storage = openStorage({ dataDir: dir });
    try {
      await migrateToLatest(storage);
      const { app: fullApp, logLines: lines } = await appOver(storage, dir);
      expect((await submit(fullApp, 1)).statusCode).toBe(201);
      // Fill the filesystem to the last byte.
      const filler = path.join(dir, 'filler');
      writeFileSync(filler, '');
      const chunk = Buffer.alloc(64 * 1024);
      for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
        try {
          for (;;) appendFileSync(filler, chunk.subarray(0, size));
        } catch (error) {
          expect((error as { code?: string }).code).toBe('ENOSPC');
        }
      }
      await expectStorageFull(fullApp, storage, lines, 2);
      expect((await fullApp.inject({ url: '/healthz' })).statusCode).toBe(200);
      rmSync(filler);
      expect((await submit(fullApp, 3)).statusCode).toBe(201);
      await fullApp.close();
    } finally {
      await storage.close();
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
