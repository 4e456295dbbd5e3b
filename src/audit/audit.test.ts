import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { recordAudits, verifyAuditChain, canonicalJson } from './audit.js';
import { createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';

const actor = { userId: 7, label: 'alice' };

describe.each(testDialects())('audit chain on %s', (dialect) => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage(dialect);
    for (let i = 0; i < 5; i++) {
      await t.storage.db.transaction().execute((trx) =>
        recordAudits(trx, dialect, [{ actor, action: 'project.updated', targetType: 'project', targetId: i, before: { name: `p${i}` }, after: { name: `q${i}` }, requestId: `r${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, i)) }]),
      );
    }
  });
  afterAll(async () => t.cleanup());

  it('verifies an untouched chain', async () => {
    expect(await verifyAuditChain(t.storage.db)).toEqual({ ok: true, checked: 5 });
  });

  it('refuses UPDATE and DELETE through database triggers', async () => {
    await expect(sql`update audit_events set action = 'x' where id = 2`.execute(t.storage.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events where id = 2`.execute(t.storage.db)).rejects.toThrow(/append-only/);
  });

  it('detects an edited event even when someone bypasses the trigger', async () => {
    await dropTriggers(t);
    const row = await t.storage.db.selectFrom('audit_events').selectAll().where('id', '=', 3).executeTakeFirstOrThrow();
    await sql`update audit_events set after_json = ${'{"name":"forged"}'} where id = 3`.execute(t.storage.db);
    const verdict = await verifyAuditChain(t.storage.db);
    expect(verdict.ok).toBe(false);
    expect(verdict.brokenAt).toEqual({ id: 3, reason: expect.stringMatching(/altered/) as unknown });
    await sql`update audit_events set after_json = ${row.after_json} where id = 3`.execute(t.storage.db);
    expect((await verifyAuditChain(t.storage.db)).ok).toBe(true);
  });

  it('detects a deleted event', async () => {
    await sql`delete from audit_events where id = 2`.execute(t.storage.db);
    const verdict = await verifyAuditChain(t.storage.db);
    expect(verdict.ok).toBe(false);
    expect(verdict.brokenAt?.id).toBe(3);
    expect(verdict.brokenAt?.reason).toMatch(/deleted/);
  });
});

async function dropTriggers(t: TestStorage): Promise<void> {
  if (t.dialect === 'postgres') await sql`drop trigger audit_events_append_only on audit_events`.execute(t.storage.db);
  else {
    await sql`drop trigger audit_events_no_update`.execute(t.storage.db);
    await sql`drop trigger audit_events_no_delete`.execute(t.storage.db);
  }
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"z":1}]},"b":1}');
  });
});
