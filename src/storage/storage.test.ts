// The storage suite: the same assertions on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest, migrations } from './migrate.js';
import { createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { instanceSecret } from './instance-secrets.js';

describe('the migration list', () => {
  it('is in ascending version order, one file per number, as on disk (merged branches must not swap them)', async () => {
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort());
    expect(new Set(versions.map((v) => v.slice(0, 4))).size).toBe(versions.length);
    const { readdirSync } = await import('node:fs');
    const onDisk = readdirSync(new URL('./migrations/', import.meta.url)).filter((f) => /^\d{4}_.*\.ts$/.test(f) && !f.endsWith('.test.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
    expect(versions).toEqual(onDisk);
  });
});

describe.each(testDialects())('storage on %s', (dialect) => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage(dialect);
  });
  afterAll(async () => t.cleanup());

  it('applies every migration once; a second run applies nothing', async () => {
    const again = await migrateToLatest(t.storage);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(migrations.map((m) => m.version));
  });

  it('round-trips text timestamps, flags and JSON identically', async () => {
    const at = '2026-03-04T05:06:07.089Z';
    const row = await t.storage.db
      .insertInto('projects')
      .values({ slug: 'nova', name: 'Nova', description: 'Compute; DROP TABLE users; -- <b>', vmt_oversees: 1, security_contact: '', created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(typeof row.id).toBe('number');
    expect(row.created_at).toBe(at);
    expect(row.vmt_oversees).toBe(1);
    expect(row.description).toBe('Compute; DROP TABLE users; -- <b>');
  });

  it('enforces unique usernames and emails at the database level', async () => {
    const base = { display_name: 'A', password_hash: 'x', totp_secret: null, totp_enabled_at: null, locked_until: null, disabled_at: null, time_zone: 'UTC', created_at: 'x', updated_at: 'x' };
    await t.storage.db.insertInto('users').values({ ...base, username: 'alice', email: 'alice@example.org' }).execute();
    await expect(t.storage.db.insertInto('users').values({ ...base, username: 'alice', email: 'other@example.org' }).execute()).rejects.toThrow();
    await expect(t.storage.db.insertInto('users').values({ ...base, username: 'alice2', email: 'alice@example.org' }).execute()).rejects.toThrow();
  });

  it('rejects values outside the string enums', async () => {
    await expect(sql`insert into user_roles (user_id, role, granted_at) values (1, 'superuser', 'x')`.execute(t.storage.db)).rejects.toThrow();
  });

  it('counts come back as numbers on both databases', async () => {
    const r = await t.storage.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(r.n).toBe(1);
  });

  it('rolls back a failed transaction completely', async () => {
    await expect(
      t.storage.db.transaction().execute(async (trx) => {
        await trx.insertInto('stakeholder_orgs').values({ name: 'Distro', description: '', created_at: 'x', updated_at: 'x' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const orgs = await t.storage.db.selectFrom('stakeholder_orgs').selectAll().execute();
    expect(orgs).toEqual([]);
  });

  it('keeps instance secrets stable once generated', async () => {
    const a = await instanceSecret(t.storage, 'k');
    const b = await instanceSecret(t.storage, 'k');
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(30);
  });
});
