// Private patches on reports (issue 5): patches and their versions (raw bytes kept), apply-check
// results per version, review votes and comments per version, per-project review rules, and the
// state of each project repository's local mirror.
import { sql, type SqlBool } from 'kysely';
import { withId, sqlIn, type MigrationContext } from './helpers.js';

const inputKinds = ['format-patch', 'git-show', 'git-diff', 'unified-diff'];
const checkStatuses = [
  'applies_cleanly',
  'applies_with_3way',
  'conflicts',
  'does_not_parse',
  'timed_out',
  'blocked_by_earlier',
  'no_repository',
  'branch_missing',
  'mirror_unavailable',
];

export async function up(ctx: MigrationContext): Promise<void> {
  const { dialect } = ctx;
  const s = ctx.db.schema;
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await withId(s.createTable('patches'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('repository', 'text')
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sqlIn('state', ['active', 'abandoned'])))
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('patches_report').on('patches').columns(['report_id', 'project_id', 'branch', 'position']).execute();
  await s.createIndex('patches_target').on('patches').columns(['project_id', 'repository', 'branch']).execute();

  await withId(s.createTable('patch_versions'), dialect)
    .addColumn('patch_id', 'integer', (c) => c.notNull().references('patches.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('input_kind', 'text', (c) => c.notNull().check(sqlIn('input_kind', inputKinds)))
    .addColumn('apply_with', 'text', (c) => c.notNull().check(sqlIn('apply_with', ['git am', 'git apply'])))
    .addColumn('commit_sha', 'text')
    .addColumn('author_name', 'text')
    .addColumn('author_email', 'text')
    .addColumn('author_date_raw', 'text')
    .addColumn('author_date', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('trailers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('files', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('lines_added', 'integer', (c) => c.notNull())
    .addColumn('lines_removed', 'integer', (c) => c.notNull())
    .addColumn('raw', blob, (c) => c.notNull())
    .addColumn('raw_sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('uploaded_label', 'text', (c) => c.notNull())
    .addColumn('uploaded_email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('superseded_at', 'text')
    .addColumn('checks_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('patch_versions_number', ['patch_id', 'version'])
    .execute();

  await withId(s.createTable('patch_checks'), dialect)
    .addColumn('patch_version_id', 'integer', (c) => c.notNull().references('patch_versions.id').onDelete('cascade'))
    .addColumn('request_seq', 'integer', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', checkStatuses)))
    .addColumn('conflicting_files', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('git_message', 'text')
    .addColumn('head_sha', 'text')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('patch_checks_version').on('patch_checks').columns(['patch_version_id', 'id']).execute();

  await withId(s.createTable('patch_votes'), dialect)
    .addColumn('patch_version_id', 'integer', (c) => c.notNull().references('patch_versions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('voter_label', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sqlIn('role', ['coresec', 'core_reviewer'])))
    .addColumn('score', 'integer', (c) => c.notNull().check(sql<SqlBool>`score between -2 and 2`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('patch_votes_version').on('patch_votes').columns(['patch_version_id', 'user_id', 'id']).execute();

  await withId(s.createTable('patch_comments'), dialect)
    .addColumn('patch_version_id', 'integer', (c) => c.notNull().references('patch_versions.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('file_path', 'text')
    .addColumn('side', 'text', (c) => c.check(sqlIn('side', ['old', 'new'])))
    .addColumn('line', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('patch_comments_version').on('patch_comments').columns(['patch_version_id', 'id']).execute();

  await s
    .createTable('patch_review_rules')
    .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('coresec_approvals', 'integer', (c) => c.notNull())
    .addColumn('core_reviewer_approvals', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('patch_mirrors')
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('remote_url', 'text', (c) => c.notNull())
    .addColumn('heads', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('synced_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('patch_mirrors_pk', ['project_id', 'repository'])
    .execute();
}
