// Intake limits shared by every app node (issue 13, finding 3): one row per intake request from an
// address, so that the per-address rate and the per-address count of requests in flight hold across
// nodes on PostgreSQL (and on the single SQLite node alike). Rows are pruned once past the rate window.
import type { MigrationContext } from './helpers.js';
import { withId } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await withId(ctx.db.schema.createTable('intake_slots'), ctx.dialect)
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    // Null while the request is being read and answered.
    .addColumn('finished_at', 'text')
    .execute();
  await ctx.db.schema.createIndex('intake_slots_address').on('intake_slots').columns(['address', 'started_at']).execute();
  await ctx.db.schema.createIndex('intake_slots_started').on('intake_slots').column('started_at').execute();
}
