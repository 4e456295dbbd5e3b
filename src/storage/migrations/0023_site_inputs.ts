// What each advisory's public files were built from (issue 17: `cordon publish` and the disclosure hour
// rebuild the whole site; an advisory whose record, settings and generator did not change since its files
// were written keeps them instead of being rendered again). The fingerprint is a SHA-256 over those inputs
// (src/publication/site-inputs.ts); a missing row only means "render it".
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.db.schema
    .createTable('public_site_inputs')
    .addColumn('advisory_ref', 'text', (c) => c.primaryKey())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
