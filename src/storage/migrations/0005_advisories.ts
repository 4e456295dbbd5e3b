// Security advisories (issue 6): the advisory with its working and published record, the per-year id
// counter (gap-free allocation), revisions (append-only), approvals, the built public site files, and
// the admin-edited guide pages of the public security site.
import type { Kysely } from 'kysely';
import { withId, sqlIn, makeAppendOnly, type MigrationContext } from './helpers.js';

/** The two placeholder pages this migration seeded (0019 removes them where nobody wrote them). */
export const DEFAULT_GUIDE_PAGES: { slug: string; title: string; body: string }[] = [
  {
    slug: 'security-guide',
    title: 'Security Guide',
    body: [
      'This guide explains how to deploy and operate the projects securely.',
      '',
      '### Reporting a vulnerability',
      '',
      'Report suspected vulnerabilities privately through the report form. Reports stay under embargo while a fix is prepared.',
      '',
      'An administrator can edit this page.',
    ].join('\n'),
  },
  {
    slug: 'secure-development',
    title: 'Secure development guidelines',
    body: [
      'Guidelines for developers of the projects: validate every input at the boundary, never build SQL or shell commands from strings, and keep secrets out of logs.',
      '',
      'An administrator can edit this page.',
    ].join('\n'),
  },
];

export async function up(ctx: MigrationContext): Promise<void> {
  const { db, dialect } = ctx;
  const s = db.schema;

  await withId(s.createTable('advisories'), dialect)
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['draft', 'approved', 'published'])))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('date', 'text')
    .addColumn('record_json', 'text', (c) => c.notNull())
    .addColumn('current_revision', 'integer', (c) => c.notNull())
    .addColumn('published_json', 'text')
    .addColumn('published_revision', 'integer')
    .addColumn('published_summary', 'text')
    .addColumn('published_at', 'text')
    .addColumn('last_published_at', 'text')
    .addColumn('report_id', 'integer', (c) => c.references('reports.id').onDelete('set null'))
    .addColumn('source_yaml', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('advisories_prefix_year_seq', ['prefix', 'year', 'seq'])
    .execute();
  await s.createIndex('advisories_published').on('advisories').columns(['published_at', 'date']).execute();
  await s.createIndex('advisories_report').on('advisories').column('report_id').execute();

  await s
    .createTable('advisory_sequences')
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_sequences_pk', ['prefix', 'year'])
    .execute();

  await withId(s.createTable('advisory_revisions'), dialect)
    .addColumn('advisory_id', 'integer', (c) => c.notNull().references('advisories.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['created', 'edited', 'imported', 'erratum', 'published'])))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('record_json', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer')
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('advisory_revisions_number', ['advisory_id', 'number'])
    .execute();
  // A revision is history: it is never changed or removed.
  await makeAppendOnly(ctx, 'advisory_revisions');

  await withId(s.createTable('advisory_approvals'), dialect)
    .addColumn('advisory_id', 'integer', (c) => c.notNull().references('advisories.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['advisory', 'impact_reporter', 'impact_lead'])))
    .addColumn('revision_number', 'integer', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('user_label', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('approved_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('advisory_approvals_advisory').on('advisory_approvals').columns(['advisory_id', 'kind']).execute();

  await s
    .createTable('public_site_files')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('section', 'text', (c) => c.notNull())
    .addColumn('advisory_ref', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('signature', 'text')
    .addColumn('signed_sha256', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('public_site_files_section').on('public_site_files').column('section').execute();

  await withId(s.createTable('guide_pages'), dialect)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  const now = new Date().toISOString();
  await (db as unknown as Kysely<{ guide_pages: { slug: string; title: string; body: string; position: number; created_at: string; updated_at: string } }>)
    .insertInto('guide_pages')
    .values(DEFAULT_GUIDE_PAGES.map((p, i) => ({ ...p, position: i + 1, created_at: now, updated_at: now })))
    .execute();
}
