// What each worker can take (issue 20): a worker records, with its heartbeat, which kinds of job it leaves
// queued and why (private CI runs need a sandbox on that worker), so the admin's job page lists it per worker
// instead of only for the web server's own process. JSON (src/jobs/capabilities.ts); null until its first beat.
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.db.schema.alterTable('workers').addColumn('capabilities', 'text').execute();
}
