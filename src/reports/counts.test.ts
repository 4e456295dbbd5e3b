// The queue counters (migration 0020, counts.ts) against a fresh COUNT, on both databases: random report
// changes — inserts, state/class/acknowledgement updates, deletes, changes rolled back, compactions — and
// after each batch the counters must equal the COUNT queries the queue ran before (issue 17).
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserActor } from '../access/actor.js';
import { change } from '../context.js';
import { createTestStorage, testDialects } from '../testing/databases.js';
import { migrations } from '../storage/migrate.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import type { ReportClass, ReportState } from '../storage/tables.js';
import { compactReportCounts, queueCounts } from './counts.js';
import { fixtureReportRow } from './testing/report-rows.js';
import { countReportsByClass, listReports } from './store.js';
import { testUserActor } from '../access/testing/actors.js';

const STATES: ReportState[] = ['new', 'incomplete', 'confirmed', 'triaged', 'in_progress', 'fix_committed', 'public', 'fix_released', 'invalid', 'wont_fix'];
const CLASSES: (ReportClass | null)[] = [null, 'A', 'B1', 'B2', 'C1', 'D', 'Y'];
const FILTERS: (readonly (ReportClass | 'unclassified')[] | undefined)[] = [undefined, ['A'], ['unclassified', 'B1'], ['Z']];

const vmt: UserActor = testUserActor(1, { roles: ['vmt'] });

const fields = fc.record({ state: fc.constantFrom(...STATES), class: fc.constantFrom(...CLASSES), acknowledged: fc.boolean() });
const op = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), fields }),
  fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), fields: fc.record({ state: fc.option(fc.constantFrom(...STATES)), class: fc.option(fc.constantFrom(...CLASSES)), acknowledged: fc.option(fc.boolean()) }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('rolled_back' as const), pick: fc.nat(), fields }),
  fc.record({ kind: fc.constant('compact' as const) }),
);

describe.each(testDialects())('queue counters on %s', (dialect) => {
  let t: TestApp;
  let serial = 0;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  async function ids(): Promise<number[]> {
    return (await t.ctx.storage.db.selectFrom('reports').select('id').orderBy('id').execute()).map((r) => r.id);
  }

  async function expectCountersMatchCounts(): Promise<void> {
    const { db } = t.ctx.storage;
    for (const classes of FILTERS) {
      const base = classes ? { class: [...classes] } : {};
      const counted = {
        unacknowledged: (await listReports(db, dialect, vmt, { ...base, unacknowledged: true, limit: 1 })).total,
        inProgress: (await listReports(db, dialect, vmt, { ...base, acknowledged: true, open: true, limit: 1 })).total,
        openByClass: await countReportsByClass(db, dialect, vmt, { ...base, open: true }),
        allByClass: await countReportsByClass(db, dialect, vmt, base),
      };
      expect(await queueCounts(db, classes), `classes ${JSON.stringify(classes)}`).toEqual(counted);
    }
  }

  it('the counters equal a fresh COUNT after any sequence of report changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          const existing = await ids();
          const target = 'pick' in o && existing.length ? existing[o.pick % existing.length]! : undefined;
          if (o.kind === 'insert') {
            serial += 1;
            await change(t.system, ({ trx, now }) =>
              trx
                .insertInto('reports')
                .values(fixtureReportRow(serial, { state: o.fields.state, class: o.fields.class, acknowledged_at: o.fields.acknowledged ? now.toISOString() : null }))
                .execute(),
            );
          } else if (o.kind === 'update' && target !== undefined) {
            const set = {
              ...(o.fields.state !== null ? { state: o.fields.state } : {}),
              ...(o.fields.class !== null ? { class: o.fields.class } : {}),
              ...(o.fields.acknowledged !== null ? { acknowledged_at: o.fields.acknowledged ? new Date().toISOString() : null } : {}),
              updated_at: new Date().toISOString(),
            };
            await change(t.system, ({ trx }) => trx.updateTable('reports').set(set).where('id', '=', target).execute());
          } else if (o.kind === 'delete' && target !== undefined) {
            await change(t.system, ({ trx }) => trx.deleteFrom('reports').where('id', '=', target).execute());
          } else if (o.kind === 'rolled_back' && target !== undefined) {
            // A change that fails after writing: the report and its counts roll back together.
            await expect(
              change(t.system, async ({ trx }) => {
                await trx.updateTable('reports').set({ state: o.fields.state, class: o.fields.class, acknowledged_at: o.fields.acknowledged ? 'x' : null }).where('id', '=', target).execute();
                throw new Error('refused');
              }),
            ).rejects.toThrow('refused');
          } else if (o.kind === 'compact') {
            await compactReportCounts(t.ctx.storage.db);
          }
        }
        await expectCountersMatchCounts();
      }),
      { numRuns: 25 },
    );
    // The property ran over real rows, not an empty table throughout.
    expect(serial).toBeGreaterThan(10);
  });

  it('after compaction keeps one row per key, still equal to COUNT', async () => {
    await compactReportCounts(t.ctx.storage.db);
    const rows = await t.ctx.storage.db.selectFrom('report_counts').select(['class_key', 'state', 'acknowledged']).execute();
    const keys = rows.map((r) => `${r.class_key}/${r.state}/${r.acknowledged}`);
    expect(new Set(keys).size).toBe(keys.length);
    await expectCountersMatchCounts();
  });

  it('the migration counts the reports that were there before it', async () => {
    const before = await createTestStorage(dialect, { migrate: false });
    try {
      const ctx = { db: before.storage.db as unknown as Kysely<unknown>, dialect };
      const upTo = migrations.findIndex((m) => m.version === '0020_report_counts');
      for (const m of migrations.slice(0, upTo)) await m.up(ctx);
      const rows = Array.from({ length: 40 }, (_, i) =>
        fixtureReportRow(i, { state: STATES[i % STATES.length]!, class: CLASSES[i % CLASSES.length]!, acknowledged_at: i % 3 ? '2025-01-01T00:00:00.000Z' : null }),
      );
      await before.storage.db.insertInto('reports').values(rows).execute();
      for (const m of migrations.slice(upTo)) await m.up(ctx);
      const db = before.storage.db;
      const counted = {
        unacknowledged: (await listReports(db, dialect, vmt, { unacknowledged: true, limit: 1 })).total,
        inProgress: (await listReports(db, dialect, vmt, { acknowledged: true, open: true, limit: 1 })).total,
        openByClass: await countReportsByClass(db, dialect, vmt, { open: true }),
        allByClass: await countReportsByClass(db, dialect, vmt, {}),
      };
      expect(counted.unacknowledged).toBeGreaterThan(0);
      expect(await queueCounts(db)).toEqual(counted);
    } finally {
      await before.cleanup();
    }
  });
});
