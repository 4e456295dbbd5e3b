// The storage faults are recognised from real driver errors: a refused connection, a backend terminated
// under a running query (57P01), SQLite's own SQLITE_FULL — and ordinary query errors are not faults.
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { describeOnPostgres, postgresUrl } from '../testing/databases.js';
import { storageFault, storageFaultError } from './storage-faults.js';

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('storage faults from real driver errors', () => {
  it('a refused PostgreSQL connection is database_unavailable (503 with Retry-After)', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve)); // nothing listens there now
    const client = new pg.Client({ connectionString: `postgres://nobody:x@127.0.0.1:${port}/none` });
    const error = await caught(() => client.connect());
    expect(storageFault(error)).toBe('database_unavailable');
    expect(storageFaultError(error)).toMatchObject({ code: 'database_unavailable', status: 503, retryAfterSeconds: 5 });
  });

  it('SQLite out of room is storage_full (507); a constraint violation is no fault', () => {
    const db = new SqliteDatabase(':memory:');
    db.exec('create table t (id integer primary key, v text not null unique)');
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const full = (() => {
      try {
        db.prepare('insert into t (v) values (?)').run('x'.repeat(100_000));
      } catch (error) {
        return error;
      }
    })();
    expect(storageFault(full)).toBe('storage_full');
    expect(storageFaultError(full)).toMatchObject({ code: 'storage_full', status: 507 });
    db.pragma('max_page_count = 1073741823');
    db.prepare('insert into t (v) values (?)').run('a');
    const duplicate = (() => {
      try {
        db.prepare('insert into t (v) values (?)').run('a');
      } catch (error) {
        return error;
      }
    })();
    expect((duplicate as { code: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(storageFault(duplicate)).toBeUndefined();
    db.close();
  });
});

describeOnPostgres('storage faults on PostgreSQL', () => {
    it('a backend terminated under a running query (57P01) is database_unavailable; a syntax error is no fault', async () => {
      const victim = new pg.Client({ connectionString: postgresUrl });
      victim.on('error', () => undefined);
      await victim.connect();
      const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const syntax = await caught(() => victim.query('selec 1'));
      expect(storageFault(syntax)).toBeUndefined();
      const running = caught(() => victim.query('select pg_sleep(30)'));
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await admin.end();
      const error = await running;
      expect((error as { code?: string }).code).toBe('57P01');
      expect(storageFault(error)).toBe('database_unavailable');
      // The client is dead now; what it says next is a fault too.
      expect(storageFault(await caught(() => victim.query('select 1')))).toBe('database_unavailable');
      await victim.end().catch(() => undefined);
    });
});
