// The batch lane of the job table (src/jobs/worker.ts): a worker claims up to a batch of due jobs of one
// kind (the embargo openings) in one statement. This index lets it find them in run_at order whatever else
// is queued — a backlog of mail after 100,000 deadlines came due in the same minute (bench, issue 9).
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.db.schema.createIndex('jobs_due_by_kind').on('jobs').columns(['kind', 'status', 'run_at', 'id']).execute();
}
