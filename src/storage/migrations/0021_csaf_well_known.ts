// Issue 18: the CSAF provider layout moved from `csaf/` to `.well-known/csaf/` (CSAF 2.0 requirement 9),
// with new files (listings, ROLIE feed, canonical self URLs inside each document). A site published
// before has its files under the old paths: queue one rebuild of the whole site (the job kind
// `publication.rebuild` of src/advisories/jobs.ts), which replaces them and re-signs. A new instance, with
// nothing published, queues nothing.
import type { Kysely } from 'kysely';
import type { MigrationContext } from './helpers.js';

interface Tables {
  public_site_files: { path: string };
  jobs: { kind: string; payload: string; status: string; run_at: string; max_attempts: number; created_at: string; updated_at: string };
}

export async function up(ctx: MigrationContext): Promise<void> {
  const db = ctx.db as unknown as Kysely<Tables>;
  const old = await db.selectFrom('public_site_files').select('path').where('path', 'like', 'csaf/%').limit(1).executeTakeFirst();
  if (!old) return;
  const now = new Date().toISOString();
  await db.insertInto('jobs').values({ kind: 'publication.rebuild', payload: JSON.stringify({ reason: 'CSAF layout moved to /.well-known/csaf/ (migration 0021)' }), status: 'queued', run_at: now, max_attempts: 8, created_at: now, updated_at: now }).execute();
}
