// Private vulnerability reports: the report, its projects, the disclosure ladder (subscriptions), its
// timeline, comments, attachments, CVEs and approvals; plus full-text search on both databases.
import { sql } from 'kysely';
import { withId, sqlIn, type MigrationContext } from './helpers.js';

const states = ['new', 'incomplete', 'confirmed', 'triaged', 'in_progress', 'fix_committed', 'public', 'fix_released', 'invalid', 'wont_fix'];
const classes = ['A', 'B1', 'B2', 'B3', 'C1', 'C2', 'D', 'E', 'Y', 'Z'];

export async function up(ctx: MigrationContext): Promise<void> {
  const { db, dialect } = ctx;
  const s = db.schema;
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await withId(s.createTable('reports'), dialect)
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('affected_versions', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reproduction', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('already_public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('exploited', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disclosure_terms', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('credit_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('credit_affiliation', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('credit_wanted', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('reporter_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('reporter_email', 'text', (c) => c.notNull())
    .addColumn('reporter_pgp_key', 'text')
    .addColumn('reporter_token_hash', 'text', (c) => c.unique())
    .addColumn('source', 'text', (c) => c.notNull().check(sqlIn('source', ['web', 'api', 'email'])))
    .addColumn('state', 'text', (c) => c.notNull().check(sqlIn('state', states)))
    .addColumn('class', 'text', (c) => c.check(sqlIn('class', classes)))
    .addColumn('visibility', 'text', (c) => c.notNull().check(sqlIn('visibility', ['private', 'public'])))
    .addColumn('coordinator_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('ack_deadline_at', 'text', (c) => c.notNull())
    .addColumn('escalated_at', 'text')
    .addColumn('embargo_end_at', 'text', (c) => c.notNull())
    .addColumn('embargo_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('planned_disclosure_at', 'text')
    .addColumn('public_at', 'text')
    .addColumn('duplicate_of_id', 'integer', (c) => c.references('reports.id').onDelete('set null'))
    .addColumn('impact_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('impact_fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('cve_requested_at', 'text')
    .addColumn('cve_requested_by', 'integer')
    .addColumn('public_summary', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('reports_state').on('reports').columns(['visibility', 'state', 'received_at']).execute();
  await s.createIndex('reports_embargo').on('reports').columns(['visibility', 'embargo_end_at']).execute();
  await s.createIndex('reports_reporter').on('reports').column('reporter_user_id').execute();

  await s
    .createTable('report_projects')
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addPrimaryKeyConstraint('report_projects_pk', ['report_id', 'project_id'])
    .execute();
  await s.createIndex('report_projects_project').on('report_projects').column('project_id').execute();

  await withId(s.createTable('report_subscriptions'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('level', 'text', (c) => c.notNull().check(sqlIn('level', ['lead', 'coresec', 'developer', 'reviewer', 'stakeholder'])))
    .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('added_by', 'integer')
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .execute();
  await s.createIndex('report_subscriptions_user').on('report_subscriptions').columns(['user_id', 'report_id']).execute();
  await s.createIndex('report_subscriptions_report').on('report_subscriptions').column('report_id').execute();

  await withId(s.createTable('report_events'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull().check(sqlIn('visibility', ['everyone', 'vmt'])))
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await s.createIndex('report_events_report').on('report_events').columns(['report_id', 'id']).execute();

  await withId(s.createTable('report_comments'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('author_id', 'integer')
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull().check(sqlIn('visibility', ['everyone', 'vmt'])))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('report_comments_report').on('report_comments').columns(['report_id', 'id']).execute();

  await withId(s.createTable('report_attachments'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('comment_id', 'integer')
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', blob, (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull().check(sqlIn('visibility', ['everyone', 'vmt'])))
    .addColumn('uploaded_by', 'integer')
    .addColumn('uploaded_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('report_attachments_report').on('report_attachments').column('report_id').execute();

  await s
    .createTable('report_cves')
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('cve_id', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_cves_pk', ['report_id', 'cve_id'])
    .execute();

  await withId(s.createTable('report_approvals'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull().check(sqlIn('subject', ['impact'])))
    .addColumn('role', 'text', (c) => c.notNull().check(sqlIn('role', ['reporter', 'lead'])))
    .addColumn('user_id', 'integer')
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text', (c) => c.notNull())
    .execute();

  // Full-text search over title and description. The index holds only report text; who may see which
  // report is decided by the policy filter applied to every search query.
  if (dialect === 'postgres') {
    await sql`alter table reports add column search tsvector generated always as (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(description, ''))) stored`.execute(db);
    await sql`create index reports_search on reports using gin (search)`.execute(db);
  } else {
    await sql`create virtual table reports_fts using fts5(title, description, content='reports', content_rowid='id', tokenize='porter unicode61')`.execute(db);
    await sql`create trigger reports_fts_insert after insert on reports begin insert into reports_fts(rowid, title, description) values (new.id, new.title, new.description); end`.execute(db);
    await sql`create trigger reports_fts_delete after delete on reports begin insert into reports_fts(reports_fts, rowid, title, description) values ('delete', old.id, old.title, old.description); end`.execute(db);
    await sql`create trigger reports_fts_update after update of title, description on reports begin insert into reports_fts(reports_fts, rowid, title, description) values ('delete', old.id, old.title, old.description); insert into reports_fts(rowid, title, description) values (new.id, new.title, new.description); end`.execute(db);
  }
}
