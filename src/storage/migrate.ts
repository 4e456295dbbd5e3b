// Versioned migrations, run in order on both databases. Each migration is a module under
// migrations/ with an `up(ctx)`; applied versions are recorded in `cordon_migrations`.
// We keep our own small runner (instead of Kysely's Migrator) because migrations need the dialect.
import { sql, type Kysely } from 'kysely';
import type { Storage } from './database.js';
import type { MigrationContext } from './migrations/helpers.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_reports.js';
import * as m0003 from './migrations/0003_keys_mail.js';
import * as m0004 from './migrations/0004_patches.js';
import * as m0005 from './migrations/0005_advisories.js';
import * as m0006 from './migrations/0006_notes.js';
import * as m0007 from './migrations/0007_disclosure.js';
import * as m0008 from './migrations/0008_queue_indexes.js';
import * as m0009 from './migrations/0009_job_batches.js';
import * as m0010 from './migrations/0010_account_security.js';
import * as m0011 from './migrations/0011_intake_slots.js';
import * as m0012 from './migrations/0012_attachment_consent.js';
import * as m0013 from './migrations/0013_faults.js';
import * as m0014 from './migrations/0014_instance_settings.js';
import * as m0016 from './migrations/0016_publication_settings.js';
import * as m0017 from './migrations/0017_request_replay.js';
import * as m0019 from './migrations/0019_guide_starters.js';
import * as m0020 from './migrations/0020_report_counts.js';
import * as m0021 from './migrations/0021_csaf_well_known.js';
import * as m0022 from './migrations/0022_markdown_html.js';
import * as m0023 from './migrations/0023_site_inputs.js';
import * as m0024 from './migrations/0024_webhooks.js';
import * as m0025 from './migrations/0025_oidc.js';
import * as m0026 from './migrations/0026_private_ci.js';
import * as m0028 from './migrations/0028_worker_capabilities.js';

interface Migration {
  version: string;
  up(ctx: MigrationContext): Promise<void>;
}

/** Every migration, oldest first. Append only: never edit one that has shipped. */
export const migrations: Migration[] = [
  { version: '0001_foundation', up: m0001.up },
  { version: '0002_reports', up: m0002.up },
  { version: '0003_keys_mail', up: m0003.up },
  { version: '0004_patches', up: m0004.up },
  { version: '0005_advisories', up: m0005.up },
  { version: '0006_notes', up: m0006.up },
  { version: '0007_disclosure', up: m0007.up },
  { version: '0008_queue_indexes', up: m0008.up },
  { version: '0009_job_batches', up: m0009.up },
  { version: '0010_account_security', up: m0010.up },
  { version: '0011_intake_slots', up: m0011.up },
  { version: '0012_attachment_consent', up: m0012.up },
  { version: '0013_faults', up: m0013.up },
  { version: '0014_instance_settings', up: m0014.up },
  { version: '0016_publication_settings', up: m0016.up },
  { version: '0017_request_replay', up: m0017.up },
  { version: '0019_guide_starters', up: m0019.up },
  { version: '0020_report_counts', up: m0020.up },
  { version: '0021_csaf_well_known', up: m0021.up },
  { version: '0022_markdown_html', up: m0022.up },
  { version: '0023_site_inputs', up: m0023.up },
  { version: '0024_webhooks', up: m0024.up },
  { version: '0025_oidc', up: m0025.up },
  { version: '0026_private_ci', up: m0026.up },
  { version: '0028_worker_capabilities', up: m0028.up },
];

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrateToLatest(storage: Storage): Promise<MigrationResult> {
  const db = storage.db as unknown as Kysely<unknown>;
  await sql`create table if not exists cordon_migrations (version text primary key, applied_at text not null)`.execute(db);
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  for (const migration of migrations) {
    // One transaction per migration; on PostgreSQL an advisory lock stops two nodes migrating at once.
    await db.transaction().execute(async (trx) => {
      if (storage.dialect === 'postgres') await sql`select pg_advisory_xact_lock(8102001)`.execute(trx);
      const done = await sql<{ version: string }>`select version from cordon_migrations where version = ${migration.version}`.execute(trx);
      if (done.rows.length) {
        alreadyApplied.push(migration.version);
        return;
      }
      await migration.up({ db: trx, dialect: storage.dialect });
      await sql`insert into cordon_migrations (version, applied_at) values (${migration.version}, ${new Date().toISOString()})`.execute(trx);
      applied.push(migration.version);
    });
  }
  return { applied, alreadyApplied };
}

/**
 * When this instance's database was created: the first migration's time. A feed with no entries
 * still needs an atom:updated (RFC 4287 §4.2.15), and "nothing since the instance began" is true
 * and stays the same from one publication to the next.
 */
export async function instanceCreatedAt(db: Kysely<unknown>): Promise<string | undefined> {
  const row = await sql<{ first: string | null }>`select min(applied_at) as first from cordon_migrations`.execute(db);
  return row.rows[0]?.first ?? undefined;
}
