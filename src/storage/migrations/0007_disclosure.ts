// Migration for the embargoed-disclosure area (pre-notices, disclosure plans).
import { withId, sqlIn, type MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const { db, dialect } = ctx;
  const s = db.schema;

  await withId(s.createTable('disclosure_plans'), dialect)
    .addColumn('report_id', 'integer', (c) => c.notNull().unique().references('reports.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().check(sqlIn('state', ['scheduled', 'cancelled', 'done'])))
    .addColumn('disclose_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('override_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('warnings_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('disclosure_plans_at').on('disclosure_plans').columns(['state', 'disclose_at']).execute();

  await withId(s.createTable('prenotice_recipients'), dialect)
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('disclosure_plans.id').onDelete('cascade'))
    .addColumn('contact_id', 'integer', (c) => c.references('stakeholder_contacts.id').onDelete('set null'))
    .addColumn('org_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('variant', 'text', (c) => c.notNull().check(sqlIn('variant', ['signed', 'encrypted'])))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sqlIn('state', ['queued', 'sent', 'bounced', 'acknowledged'])))
    .addColumn('ack_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .execute();
  await s.createIndex('prenotice_recipients_plan').on('prenotice_recipients').column('plan_id').execute();

  await withId(s.createTable('disclosure_steps'), dialect)
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('disclosure_plans.id').onDelete('cascade'))
    .addColumn('step', 'text', (c) => c.notNull().check(sqlIn('step', ['open_report', 'publish_advisory', 'rebuild_site'])))
    .addColumn('done_at', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addUniqueConstraint('disclosure_steps_once', ['plan_id', 'step'])
    .execute();
}
