// Private CI for embargoed patches (issue 20): a test recipe per project (and per branch, overriding it),
// the project's CI settings (require passing tests for "ready"; run unsandboxed, an admin's choice), and one
// run per branch × series version × branch head, with its outcome, log and kept artifacts (files under
// DATA_DIR/ci-artifacts/<run id>/).
import { sqlIn, withId, type MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const { dialect } = ctx;
  const s = ctx.db.schema;

  await withId(s.createTable('ci_recipes'), dialect)
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    // '' is the project's recipe; a branch name overrides it for that branch.
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('setup_command', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('test_command', 'text', (c) => c.notNull())
    .addColumn('time_limit_seconds', 'integer', (c) => c.notNull())
    .addColumn('artifact_paths', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('ci_recipes_project_branch').unique().on('ci_recipes').columns(['project_id', 'branch']).execute();

  await s
    .createTable('ci_project_settings')
    .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('require_passing', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('allow_unsandboxed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withId(s.createTable('ci_runs'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    // The series tested: its current version ids in order (JSON), and the last one (whose check said it applies).
    .addColumn('version_ids', 'text', (c) => c.notNull())
    .addColumn('last_version_id', 'integer', (c) => c.notNull().references('patch_versions.id').onDelete('cascade'))
    .addColumn('series_label', 'text', (c) => c.notNull())
    .addColumn('head_sha', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sqlIn('reason', ['applied', 'rerun'])))
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['queued', 'running', 'passed', 'failed', 'errored', 'timed_out'])))
    .addColumn('step', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('log', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('log_truncated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('limit_hit', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('sandboxed', 'integer')
    .addColumn('artifacts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('recipe', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await s.createIndex('ci_runs_report').on('ci_runs').columns(['report_id', 'id']).execute();
  await s.createIndex('ci_runs_series').on('ci_runs').columns(['last_version_id', 'head_sha']).execute();
}
