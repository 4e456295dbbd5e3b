// The VMT queue's counts without counting (issue 17): `report_counts` holds how many reports each
// (class, state, acknowledged) has, kept by triggers in the transaction of every insert, update and delete
// of a report, so it cannot drift from `reports` whatever code path writes them. Four COUNTs that read a
// whole index per page view (63 ms SQLite, 122 ms PostgreSQL at 100,000 reports) become one small read.
//
// Rows are deltas (+1 / -1), not one row per key updated in place: on PostgreSQL an UPDATE would lock the
// key's row until commit, serialising every report change with the same key and deadlocking transactions
// that move several reports between keys in different orders. Inserts take no such lock; readers sum, and
// `compactReportCounts` (src/reports/counts.ts) folds the deltas back into one row per key.
import { sql } from 'kysely';
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const { db, dialect } = ctx;
  await db.schema
    .createTable('report_counts')
    // '' for a report without a class yet (a key column, so never NULL).
    .addColumn('class_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('acknowledged', 'integer', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  // Triggers first: on PostgreSQL creating them locks `reports` against writes until this migration
  // commits, so the initial counts below see every report and no change slips between the two.
  if (dialect === 'postgres') {
    await sql
      .raw(
        `create function cordon_report_counts() returns trigger language plpgsql as $$
         begin
           if tg_op in ('UPDATE', 'DELETE') then
             insert into report_counts (class_key, state, acknowledged, n) values (coalesce(old.class, ''), old.state, (old.acknowledged_at is not null)::int, -1);
           end if;
           if tg_op in ('UPDATE', 'INSERT') then
             insert into report_counts (class_key, state, acknowledged, n) values (coalesce(new.class, ''), new.state, (new.acknowledged_at is not null)::int, 1);
           end if;
           return null;
         end $$`,
      )
      .execute(db);
    await sql.raw(`create trigger reports_counts_insert_delete after insert or delete on reports for each row execute function cordon_report_counts()`).execute(db);
    await sql
      .raw(
        `create trigger reports_counts_update after update of state, class, acknowledged_at on reports for each row
         when (old.state is distinct from new.state or old.class is distinct from new.class or (old.acknowledged_at is null) <> (new.acknowledged_at is null))
         execute function cordon_report_counts()`,
      )
      .execute(db);
  } else {
    const row = (r: 'new' | 'old', n: number) => `(coalesce(${r}.class, ''), ${r}.state, ${r}.acknowledged_at is not null, ${n})`;
    await sql.raw(`create trigger reports_counts_insert after insert on reports begin insert into report_counts (class_key, state, acknowledged, n) values ${row('new', 1)}; end`).execute(db);
    await sql.raw(`create trigger reports_counts_delete after delete on reports begin insert into report_counts (class_key, state, acknowledged, n) values ${row('old', -1)}; end`).execute(db);
    await sql
      .raw(
        `create trigger reports_counts_update after update of state, class, acknowledged_at on reports
         when old.state is not new.state or old.class is not new.class or (old.acknowledged_at is null) <> (new.acknowledged_at is null)
         begin insert into report_counts (class_key, state, acknowledged, n) values ${row('old', -1)}, ${row('new', 1)}; end`,
      )
      .execute(db);
  }
  await sql
    .raw(
      `insert into report_counts (class_key, state, acknowledged, n)
       select coalesce(class, ''), state, case when acknowledged_at is null then 0 else 1 end, count(*) from reports
       group by coalesce(class, ''), state, case when acknowledged_at is null then 0 else 1 end`,
    )
    .execute(db);
}
