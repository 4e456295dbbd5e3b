// Security notes (issue 8): the note record with its flag, revisions, votes, operator feedback, and the
// id counter that makes OSSN-NNNN allocation safe under concurrent claims.
import { sql } from 'kysely';
import { withId, sqlIn, type MigrationContext } from './helpers.js';

const states = ['flagged', 'draft', 'in_review', 'awaiting_disclosure', 'published', 'dismissed'];

export async function up(ctx: MigrationContext): Promise<void> {
  const { db, dialect } = ctx;
  const s = db.schema;

  await withId(s.createTable('notes'), dialect)
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('public_id', 'text', (c) => c.unique())
    .addColumn('sequence', 'integer')
    .addColumn('state', 'text', (c) => c.notNull().check(sqlIn('state', states)))
    .addColumn('origin', 'text', (c) => c.notNull().check(sqlIn('origin', ['flag', 'import'])))
    .addColumn('report_id', 'integer', (c) => c.references('reports.id').onDelete('set null'))
    .addColumn('flag_title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('flag_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('flagged_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('flagged_at', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('claimed_at', 'text')
    .addColumn('current_revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_at', 'text')
    .addColumn('publish_requested_at', 'text')
    .addColumn('publish_requested_by', 'integer')
    .addColumn('published_at', 'text')
    .addColumn('published_revision', 'integer')
    .addColumn('dismissed_at', 'text')
    .addColumn('dismiss_reason', 'text')
    .addColumn('imported_text', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('notes_state').on('notes').columns(['state', 'sequence']).execute();
  await s.createIndex('notes_report').on('notes').column('report_id').execute();

  await s
    .createTable('note_projects')
    .addColumn('note_id', 'integer', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addPrimaryKeyConstraint('note_projects_pk', ['note_id', 'project_id'])
    .execute();

  await withId(s.createTable('note_revisions'), dialect)
    .addColumn('note_id', 'integer', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('note_revisions_number', ['note_id', 'revision'])
    .execute();

  await withId(s.createTable('note_votes'), dialect)
    .addColumn('note_id', 'integer', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('voter_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('value', 'integer', (c) => c.notNull().check(sql`value between -2 and 2`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cast_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('note_votes_note').on('note_votes').columns(['note_id', 'revision']).execute();

  await withId(s.createTable('note_feedback'), dialect)
    .addColumn('note_id', 'integer', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('answered_by', 'integer')
    .addColumn('answered_label', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('answer_published', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await s.createIndex('note_feedback_note').on('note_feedback').columns(['note_id', 'id']).execute();

  await s
    .createTable('note_counters')
    .addColumn('prefix', 'text', (c) => c.primaryKey())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .execute();
}
