// Consent for a reporter's files (issue 13 item 11): opening a report no longer makes its attachments
// public. A file is public only once the coordinator picks it (published_at set); null means it stays with
// the people on the report, before and after opening. Existing files start unpublished, which is the safe side.
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.db.schema.alterTable('report_attachments').addColumn('published_at', 'text').execute();
}
