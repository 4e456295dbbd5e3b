// Planner statistics on SQLite (issue 17): without them the queue's "not yet acknowledged" section scans
// a whole index; after `refreshStatistics` (run at start-up and by a recurring job) it reads the partial
// index of unacknowledged reports. PostgreSQL analyses by itself (autovacuum), so this is SQLite's alone.
import { CompiledQuery } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserActor } from '../access/actor.js';
import { testConfig } from '../config/config.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { fixtureReportRow } from '../reports/testing/report-rows.js';
import { readableReportsQuery } from '../reports/store.js';
import { openContext } from '../server.js';
import { createTestStorage, type TestStorage } from '../testing/databases.js';
import type { Db } from './database.js';
import { refreshStatistics } from './statistics.js';
import { testUserActor } from '../access/testing/actors.js';

const vmtActor: UserActor = testUserActor(1, { roles: ['vmt'] });

/** Fixture rows straight into the table (no commands, no audit): 2,000 reports, 1 in 100 unacknowledged. */
async function seedReports(db: Db, n = 2_000): Promise<void> {
  const states = ['confirmed', 'triaged', 'in_progress', 'fix_released'] as const;
  const rows = Array.from({ length: n }, (_, i) => {
    const acknowledged = i % 100 !== 0;
    return fixtureReportRow(i, acknowledged ? { state: states[i % states.length]!, class: 'A', acknowledged_at: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString() } : {});
  });
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('reports').values(rows.slice(i, i + 200)).execute();
}

/** SQLite's plan for the count of the queue's first section (the query listReports runs). */
async function unacknowledgedPlan(db: Db): Promise<string> {
  const query = readableReportsQuery(db, 'sqlite', vmtActor, { unacknowledged: true })
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .compile();
  const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
  return plan.rows.map((r) => r.detail).join('\n');
}

describe('planner statistics on sqlite', () => {
  let t: TestStorage | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('the recurring statistics job makes the queue read the partial index of unacknowledged reports', async () => {
    t = await createTestStorage('sqlite');
    await seedReports(t.storage.db);
    // Without statistics SQLite walks a whole index of every report (the failure this guards against).
    expect(await unacknowledgedPlan(t.storage.db)).not.toContain('reports_unacknowledged');

    const ctx = { config: testConfig({ dataDir: t.dataDir }), storage: t.storage, clock: { now: () => new Date() }, log: undefined as never };
    const worker = new Worker({ storage: t.storage, config: ctx.config, clock: ctx.clock, registry: buildJobRegistry(ctx) });
    await worker.scheduleRecurring();
    await worker.drain();
    const ran = await t.storage.db.selectFrom('jobs').select(['kind', 'status']).where('kind', '=', 'housekeeping.statistics').execute();
    expect(ran).toEqual([{ kind: 'housekeeping.statistics', status: 'done' }]);
    expect(await unacknowledgedPlan(t.storage.db)).toContain('USING INDEX reports_unacknowledged');
  });

  it('start-up (openContext) gathers statistics after migrating', async () => {
    t = await createTestStorage('sqlite');
    await seedReports(t.storage.db);
    expect(await unacknowledgedPlan(t.storage.db)).not.toContain('reports_unacknowledged');
    const ctx = await openContext(testConfig({ dataDir: t.dataDir }));
    try {
      expect(await unacknowledgedPlan(ctx.storage.db)).toContain('USING INDEX reports_unacknowledged');
    } finally {
      await ctx.storage.close();
    }
  });

  it('does nothing harmful when run again on an analysed database', async () => {
    t = await createTestStorage('sqlite');
    await seedReports(t.storage.db, 300);
    await refreshStatistics(t.storage);
    await refreshStatistics(t.storage);
    const stats = await t.storage.db.executeQuery<{ idx: string }>(CompiledQuery.raw(`select idx from sqlite_stat1 where tbl = 'reports' and idx = 'reports_unacknowledged'`));
    expect(stats.rows).toEqual([{ idx: 'reports_unacknowledged' }]);
  });
});
